// The storage contract of conversions and attribution windows, run against every backend
// (storage/testing.ts): SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh,
// migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AppError } from '../../errors.ts';
import type { ConversionRow, ConversionWindowRow, RunRow } from '../store.ts';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, MIN, run } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: conversions (${backend.name})`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    function conversion(id: string, over: Partial<ConversionRow> = {}): ConversionRow {
      return {
        workspaceId: WS,
        profileId: 'p1',
        id,
        journeyId: 'j1',
        version: 1,
        runId: 'r1',
        goalId: 'paid',
        eventId: `ev-${id}`,
        eventName: 'payment_received',
        stage: 'in_run',
        variant: null,
        nodeId: 'email',
        messageId: 'm1',
        channel: 'email',
        value: 10,
        currency: 'EUR',
        at: T0,
        createdAt: T0,
        ...over,
      };
    }

    function window(over: Partial<ConversionWindowRow> = {}): ConversionWindowRow {
      return {
        workspaceId: WS,
        profileId: 'p1',
        eventName: 'payment_received',
        journeyId: 'j1',
        runId: 'r1',
        until: T0 + 60 * MIN,
        ...over,
      };
    }

    it('records an event once per journey and goal, and returns only the rows inserted', async () => {
      const first = await store.conversions.insert([conversion('c1', { value: 12.5 })]);
      assert.deepEqual(
        first.map((c) => c.id),
        ['c1'],
      );
      const again = await store.conversions.insert([
        conversion('c2', { eventId: 'ev-c1' }),
        conversion('c3', { eventId: 'ev-c1', goalId: 'big' }),
        conversion('c4', { eventId: 'ev-c1', journeyId: 'j2' }),
      ]);
      assert.deepEqual(
        again.map((c) => c.id),
        ['c3', 'c4'],
        'a duplicate of (event, journey, goal) is skipped',
      );
      const page = await store.conversions.list(WS, 'j1', { limit: 10 });
      assert.deepEqual(page.items.map((c) => c.id).sort(), ['c1', 'c3']);
      assert.deepEqual(
        page.items.find((c) => c.id === 'c1'),
        conversion('c1', { value: 12.5 }),
        'every field reads back as written',
      );
    });

    it("lists a journey's conversions newest first, a page at a time, of one goal when asked", async () => {
      await store.conversions.insert([
        conversion('c1', { at: T0 }),
        conversion('c2', { at: T0 + MIN, goalId: 'big' }),
        conversion('c3', { at: T0 + MIN }),
        conversion('c4', { at: T0 + 2 * MIN }),
        conversion('c5', { at: T0 + 3 * MIN, journeyId: 'j2' }),
        conversion('c6', { at: T0 + 3 * MIN, workspaceId: OTHER }),
      ]);
      const first = await store.conversions.list(WS, 'j1', { limit: 2 });
      assert.deepEqual(
        first.items.map((c) => c.id),
        ['c4', 'c3'],
      );
      assert.ok(first.next);
      const second = await store.conversions.list(WS, 'j1', { limit: 2, cursor: first.next });
      assert.deepEqual(
        second.items.map((c) => c.id),
        ['c2', 'c1'],
      );
      assert.equal(second.next, null);
      const big = await store.conversions.list(WS, 'j1', { limit: 10, goalId: 'big' });
      assert.deepEqual(
        big.items.map((c) => c.id),
        ['c2'],
      );
      await assert.rejects(
        store.conversions.list(WS, 'j1', { limit: 2, cursor: 'junk' }),
        AppError,
      );
    });

    it('aggregates counts, converted runs and revenue by goal, node and channel', async () => {
      await store.conversions.insert([
        conversion('c1', { runId: 'r1', value: 10 }),
        conversion('c2', { runId: 'r1', goalId: 'big', value: 5.5 }),
        conversion('c3', {
          runId: 'r2',
          nodeId: 'sms',
          channel: 'sms',
          messageId: 'm2',
          value: 20,
        }),
        conversion('c4', {
          runId: 'r3',
          nodeId: null,
          channel: null,
          messageId: null,
          value: null,
        }),
        conversion('c5', { journeyId: 'j2', value: 1000 }),
      ]);
      const a = await store.conversions.aggregate(WS, 'j1');
      assert.deepEqual(a.total, { conversions: 4, convertedRuns: 3, revenue: 35.5 });
      assert.deepEqual(a.byGoal, [
        { goalId: 'big', conversions: 1, convertedRuns: 1, revenue: 5.5 },
        { goalId: 'paid', conversions: 3, convertedRuns: 3, revenue: 30 },
      ]);
      const byNode = new Map(a.byNode.map((n) => [`${n.nodeId}/${n.channel}`, n]));
      assert.deepEqual(byNode.get('email/email'), {
        nodeId: 'email',
        channel: 'email',
        conversions: 2,
        convertedRuns: 1,
        revenue: 15.5,
      });
      assert.equal(byNode.get('sms/sms')?.revenue, 20);
      assert.equal(byNode.get('null/null')?.conversions, 1);
      const byChannel = new Map(a.byChannel.map((c) => [c.channel, c.conversions]));
      assert.deepEqual(
        [byChannel.get('email'), byChannel.get('sms'), byChannel.get(null)],
        [2, 1, 1],
      );
      const none = await store.conversions.aggregate(WS, 'nothing');
      assert.deepEqual(none.total, { conversions: 0, convertedRuns: 0, revenue: 0 });
      assert.deepEqual(none.byGoal, []);
    });

    it('counts runs and converted runs of the control group apart from the others', async () => {
      const withVariant = (id: string, variant: string | undefined, profileId: string): RunRow => {
        const r = run(id, { profileId, status: 'exited', wakeAt: null, awaiting: null });
        return { ...r, state: { ...r.state, ...(variant ? { variant } : {}) } };
      };
      await store.runs.insert([
        withVariant('r1', 'holdout', 'p1'),
        withVariant('r2', 'holdout', 'p2'),
        withVariant('r3', 'holdout', 'p3'),
        withVariant('r4', 'a', 'p4'),
        withVariant('r5', 'b', 'p5'),
        withVariant('r6', undefined, 'p6'),
        { ...withVariant('r7', 'a', 'p7'), journeyId: 'j2' },
      ]);
      await store.conversions.insert([
        conversion('c1', { runId: 'r1', profileId: 'p1', variant: 'holdout', stage: 'after_run' }),
        conversion('c2', { runId: 'r4', profileId: 'p4', variant: 'a' }),
        conversion('c3', { runId: 'r4', profileId: 'p4', variant: 'a', goalId: 'big' }),
        conversion('c4', { runId: 'r5', profileId: 'p5', variant: 'b' }),
      ]);
      const a = await store.conversions.aggregate(WS, 'j1');
      assert.deepEqual(a.runsByGroup, { holdout: 3, treatment: 3 });
      assert.deepEqual(a.convertedRunsByGroup, { holdout: 1, treatment: 2 });
    });

    it('opens windows, keeping the later end of a run, and finds the open ones by profile and event', async () => {
      await store.conversions.openWindows([
        window({ until: T0 + 10 * MIN }),
        window({ until: T0 + 5 * MIN }),
        window({ runId: 'r2', until: T0 + 3 * MIN }),
        window({ eventName: 'order_completed', until: T0 + 10 * MIN }),
        window({ profileId: 'p2', until: T0 + 10 * MIN }),
        window({ workspaceId: OTHER, until: T0 + 10 * MIN }),
      ]);
      await store.conversions.openWindows([window({ until: T0 + 4 * MIN })]);
      const found = await store.conversions.openWindowsFor({
        workspaceId: WS,
        profileIds: ['p1'],
        eventNames: ['payment_received'],
        at: T0 + 4 * MIN,
      });
      assert.deepEqual(found, [window({ until: T0 + 10 * MIN })], 'r2 closed; the later end stays');
      const both = await store.conversions.openWindowsFor({
        workspaceId: WS,
        profileIds: ['p1', 'p2'],
        eventNames: ['payment_received', 'order_completed'],
        at: T0,
      });
      assert.equal(both.length, 4);
      await store.conversions.openWindows([window({ until: T0 + 20 * MIN })]);
      const extended = await store.conversions.openWindowsFor({
        workspaceId: WS,
        profileIds: ['p1'],
        eventNames: ['payment_received'],
        at: T0 + 15 * MIN,
      });
      assert.deepEqual(
        extended.map((w) => w.until),
        [T0 + 20 * MIN],
      );
    });

    it('prunes closed windows, oldest first, up to the limit', async () => {
      await store.conversions.openWindows([
        window({ runId: 'r1', until: T0 + MIN }),
        window({ runId: 'r2', until: T0 + 2 * MIN }),
        window({ runId: 'r3', until: T0 + 3 * MIN }),
        window({ runId: 'r4', until: T0 + 60 * MIN }),
      ]);
      assert.equal(await store.conversions.pruneWindows(T0 + 10 * MIN, 2), 2);
      assert.equal(await store.conversions.pruneWindows(T0 + 10 * MIN, 10), 1);
      const left = await store.conversions.openWindowsFor({
        workspaceId: WS,
        profileIds: ['p1'],
        eventNames: ['payment_received'],
        at: 0,
      });
      assert.deepEqual(
        left.map((w) => w.runId),
        ['r4'],
      );
    });
  });
}
