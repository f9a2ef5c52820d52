// The storage contract, run against every backend: SQLite always, PostgreSQL when DATABASE_URL is
// set. Each test gets a fresh, migrated store, so tests can read global queues (due runs, pending
// events) without seeing each other's rows.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { JourneyDocument, type RunState } from '@waymark/core';
import { AppError } from '../errors.ts';
import type {
  ChannelConfigRow,
  ConversionRow,
  ConversionWindowRow,
  FormSubmissionRow as FormSubmission,
  MessageRow,
  NewEvent,
  ProfileRow,
  RunRow,
  RunVisitRow,
  Store,
  SubscriptionRow,
  SuppressionRow,
  TaskRow,
  TriggerTimerRow,
  Tx,
} from './store.ts';
import { backends } from './testing.ts';

const WS = 'ws_a';
const OTHER = 'ws_b';
const T0 = Date.UTC(2026, 4, 4, 9, 0, 0);
const MIN = 60_000;

function profile(id: string, over: Partial<ProfileRow> = {}): ProfileRow {
  return {
    workspaceId: WS,
    id,
    traits: {},
    createdAt: T0,
    updatedAt: T0,
    lastSeenAt: null,
    mergedInto: null,
    ...over,
  };
}

function event(messageId: string, over: Partial<NewEvent> = {}): NewEvent {
  return {
    workspaceId: WS,
    profileId: 'p1',
    messageId,
    type: 'track',
    name: 'viewed',
    properties: {},
    context: {},
    timestamp: T0,
    receivedAt: T0,
    partition: 0,
    ...over,
  };
}

function run(id: string, over: Partial<RunRow> = {}): RunRow {
  const base = {
    workspaceId: WS,
    profileId: 'p1',
    id,
    journeyId: 'j1',
    version: 1,
    status: 'waiting' as const,
    node: 'wait',
    wakeAt: T0,
    awaiting: { kind: 'duration' as const, until: T0 },
    enteredAt: T0,
    updatedAt: T0,
    endedAt: null,
    exit: null,
    ...over,
  };
  const state: RunState = {
    runId: base.id,
    journeyId: base.journeyId,
    version: base.version,
    profileId: base.profileId,
    status: base.status,
    node: base.node,
    wakeAt: base.wakeAt,
    awaiting: base.awaiting,
    enteredAt: base.enteredAt,
    updatedAt: base.updatedAt,
    seq: 1,
    trigger: null,
    messages: {},
    tasks: {},
    seen: [],
  };
  return { state, ...base };
}

function message(id: string, over: Partial<MessageRow> = {}): MessageRow {
  return {
    workspaceId: WS,
    profileId: 'p1',
    id,
    idempotencyKey: `key-${id}`,
    runId: 'r1',
    journeyId: 'j1',
    nodeId: 'email',
    kind: 'message',
    channel: 'email',
    recipient: 'ada@example.com',
    template: 'welcome',
    content: { subject: 'Hello' },
    status: 'pending',
    attempts: 0,
    availableAt: T0,
    leaseUntil: null,
    providerMessageId: null,
    error: null,
    createdAt: T0,
    updatedAt: T0,
    sentAt: null,
    ...over,
  };
}

function task(id: string, over: Partial<TaskRow> = {}): TaskRow {
  return {
    workspaceId: WS,
    profileId: 'p1',
    id,
    idempotencyKey: `task-${id}`,
    runId: 'r1',
    journeyId: 'j1',
    nodeId: 'call',
    team: 'sales',
    title: 'Call back',
    description: null,
    dueAt: T0,
    status: 'open',
    assignee: null,
    outcome: null,
    note: null,
    createdAt: T0,
    updatedAt: T0,
    completedAt: null,
    escalatedAt: null,
    ...over,
  };
}

function timer(profileId: string, over: Partial<TriggerTimerRow> = {}): TriggerTimerRow {
  return {
    workspaceId: WS,
    journeyId: 'j1',
    profileId,
    kind: 'inactivity',
    wakeAt: T0,
    data: {},
    ...over,
  };
}

function channelConfig(channel: string, over: Partial<ChannelConfigRow> = {}): ChannelConfigRow {
  return {
    workspaceId: WS,
    channel,
    provider: 'smtp',
    settings: { from: 'news@example.com', port: 2525 },
    secrets: 'v1.sealed-box',
    updatedAt: T0,
    ...over,
  };
}

function subscription(
  profileId: string,
  channel: string,
  topic: string,
  over: Partial<SubscriptionRow> = {},
): SubscriptionRow {
  return {
    workspaceId: WS,
    profileId,
    channel,
    topic,
    status: 'unsubscribed',
    source: 'unsubscribe_link',
    updatedAt: T0,
    ...over,
  };
}

function suppression(
  channel: string,
  address: string,
  over: Partial<SuppressionRow> = {},
): SuppressionRow {
  return {
    workspaceId: WS,
    channel,
    address,
    reason: 'hard_bounce',
    detail: '550 5.1.1 no such user',
    createdAt: T0,
    ...over,
  };
}

const definition = JourneyDocument.parse({
  schemaVersion: 1,
  id: 'j1',
  name: 'Welcome',
  trigger: { type: 'event', event: 'signed_up' },
  start: 'done',
  nodes: { done: { type: 'exit' } },
});

/** A value with everything JSON columns must carry unchanged. */
const rich = {
  text: 'Grüße, 你好, مرحبا, 👩🏽‍💻, e\u0301',
  quote: 'she said "hi" \\ back',
  numbers: [0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e-7],
  flags: { yes: true, no: false, nothing: null },
  nested: { a: { b: { c: [{ d: 'deep' }, []] } } },
  empty: {},
};

/** Resolves when `release` is called: holds a transaction open. */
function gate(): { wait: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { wait, release };
}

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('migrations and transactions', () => {
      it('migrate() again applies nothing and keeps the data', async () => {
        await store.workspaces.create({ id: WS, name: 'A', timezone: 'UTC', createdAt: T0 });
        assert.deepEqual(await store.migrate(), { applied: [] });
        assert.deepEqual(await store.migrate(), { applied: [] });
        assert.equal((await store.workspaces.get(WS))?.name, 'A');
      });

      it('reports its dialect', () => {
        assert.equal(store.dialect, backend.name);
      });

      it('commits and returns the value of fn', async () => {
        const out = await store.transaction(async (tx) => {
          await tx.profiles.insert([profile('p1')]);
          return 42;
        });
        assert.equal(out, 42);
        assert.ok(await store.profiles.get(WS, 'p1'));
      });

      it('rolls back everything when fn throws', async () => {
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.profiles.insert([profile('p1')]);
            await tx.events.insert([event('m1')]);
            await tx.runs.insert([run('r1')]);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal(await store.profiles.get(WS, 'p1'), null);
        assert.deepEqual(await store.events.pending([0], 10), []);
        assert.equal(await store.runs.get(WS, 'r1'), null);
      });

      it('keeps concurrent transactions apart (a rollback undoes only its own writes)', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            store.transaction(async (tx) => {
              await tx.profiles.insert([profile(`p${i}`)]);
              await new Promise((resolve) => setImmediate(resolve));
              await tx.events.insert([event(`m${i}`, { profileId: `p${i}` })]);
              if (i % 3 === 0) throw new Error(`fail ${i}`);
              return i;
            }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'rejected').length, 4);
        const kept = (await store.profiles.list(WS, { limit: 100 })).items.map((p) => p.id);
        const expected = Array.from({ length: 12 }, (_, i) => i)
          .filter((i) => i % 3 !== 0)
          .map((i) => `p${i}`);
        assert.deepEqual(kept.sort(), expected.sort());
        const events = await store.events.pending([0], 100);
        assert.deepEqual(events.map((e) => e.profileId).sort(), expected.sort());
      });

      it('repo methods on the store itself autocommit', async () => {
        await store.profiles.insert([profile('p1')]);
        const seen = await store.transaction((tx) => tx.profiles.get(WS, 'p1'));
        assert.equal(seen?.id, 'p1');
      });
    });

    describe('workspaces', () => {
      it('creates, gets and lists workspaces', async () => {
        await store.workspaces.create({ id: OTHER, name: 'B', timezone: 'UTC', createdAt: T0 + 1 });
        await store.workspaces.create({
          id: WS,
          name: 'A',
          timezone: 'Europe/Paris',
          createdAt: T0,
        });
        assert.deepEqual(await store.workspaces.get(WS), {
          id: WS,
          name: 'A',
          timezone: 'Europe/Paris',
          createdAt: T0,
        });
        assert.equal(await store.workspaces.get('nope'), null);
        assert.deepEqual(
          (await store.workspaces.list()).map((w) => w.id),
          [WS, OTHER],
        );
      });

      it('finds a workspace by key hash and counts keys per kind', async () => {
        await store.workspaces.create({ id: WS, name: 'A', timezone: 'UTC', createdAt: T0 });
        await store.workspaces.addKey({
          workspaceId: WS,
          kind: 'write',
          hash: 'h1',
          createdAt: T0,
        });
        await store.workspaces.addKey({
          workspaceId: WS,
          kind: 'write',
          hash: 'h2',
          createdAt: T0,
        });
        await store.workspaces.addKey({
          workspaceId: WS,
          kind: 'admin',
          hash: 'h3',
          createdAt: T0,
        });
        assert.equal(await store.workspaces.findByKey('write', 'h1'), WS);
        assert.equal(await store.workspaces.findByKey('admin', 'h1'), null);
        assert.equal(await store.workspaces.findByKey('write', 'unknown'), null);
        assert.equal(await store.workspaces.countKeys(WS, 'write'), 2);
        assert.equal(await store.workspaces.countKeys(WS, 'admin'), 1);
        assert.equal(await store.workspaces.countKeys(OTHER, 'admin'), 0);
      });
    });

    describe('profiles', () => {
      it('inserts, gets, updates (patch) and gets many', async () => {
        await store.profiles.insert([profile('p1', { traits: { plan: 'pro' } }), profile('p2')]);
        await store.profiles.update(WS, 'p1', { lastSeenAt: T0 + 5, updatedAt: T0 + 5 });
        const p1 = await store.profiles.get(WS, 'p1');
        assert.deepEqual(
          p1,
          profile('p1', { traits: { plan: 'pro' }, lastSeenAt: T0 + 5, updatedAt: T0 + 5 }),
        );
        await store.profiles.update(WS, 'p1', { traits: { plan: 'free' } });
        assert.deepEqual((await store.profiles.get(WS, 'p1'))?.traits, { plan: 'free' });
        assert.equal((await store.profiles.get(WS, 'p1'))?.lastSeenAt, T0 + 5);
        assert.equal(await store.profiles.get(OTHER, 'p1'), null);
        const many = await store.profiles.getMany(WS, ['p2', 'p1', 'missing', 'p1']);
        assert.deepEqual(many.map((p) => p.id).sort(), ['p1', 'p2']);
        assert.deepEqual(await store.profiles.getMany(WS, []), []);
      });

      it('moves last-seen times forward without reading, only past the granularity', async () => {
        await store.profiles.insert([
          profile('p1'),
          profile('p2', { lastSeenAt: T0 }),
          profile('p3', { lastSeenAt: T0 }),
          profile('p4', { lastSeenAt: T0 + 500_000 }),
        ]);
        await store.profiles.touch(
          [
            { workspaceId: WS, id: 'p1', lastSeenAt: T0 + 10 },
            { workspaceId: WS, id: 'p2', lastSeenAt: T0 + 59_999 },
            { workspaceId: WS, id: 'p3', lastSeenAt: T0 + 60_000 },
            { workspaceId: WS, id: 'p4', lastSeenAt: T0 + 60_000 },
            { workspaceId: WS, id: 'nobody', lastSeenAt: T0 },
            { workspaceId: WS, id: 'p1', lastSeenAt: null },
          ],
          60_000,
        );
        const seen = async (id: string) => (await store.profiles.get(WS, id))?.lastSeenAt;
        assert.equal(await seen('p1'), T0 + 10, 'never seen: written');
        assert.equal(await seen('p2'), T0, 'within the granularity: kept');
        assert.equal(await seen('p3'), T0 + 60_000, 'a granularity later: written');
        assert.equal(await seen('p4'), T0 + 500_000, 'never moved back');
        assert.equal((await store.profiles.get(WS, 'p1'))?.updatedAt, T0, 'traits untouched');
        await store.profiles.touch([], 60_000);
      });

      it('updates the traits of many profiles at once', async () => {
        await store.profiles.insert([
          profile('p1'),
          profile('p2'),
          profile('p3', { traits: { keep: 1 } }),
        ]);
        await store.profiles.updateMany([
          {
            workspaceId: WS,
            id: 'p1',
            traits: { plan: 'pro', n: { deep: 'é' } },
            updatedAt: T0 + 7,
            lastSeenAt: T0 + 6,
          },
          { workspaceId: WS, id: 'p2', traits: {}, updatedAt: T0 + 8, lastSeenAt: null },
        ]);
        const [p1, p2, p3] = await Promise.all(
          ['p1', 'p2', 'p3'].map((id) => store.profiles.get(WS, id)),
        );
        assert.deepEqual(p1?.traits, { plan: 'pro', n: { deep: 'é' } });
        assert.equal(p1?.updatedAt, T0 + 7);
        assert.equal(p1?.lastSeenAt, T0 + 6);
        assert.equal(p2?.updatedAt, T0 + 8);
        assert.deepEqual(p3?.traits, { keep: 1 }, 'others untouched');
      });

      it('pages through profiles with opaque cursors', async () => {
        await store.profiles.insert(['e', 'a', 'd', 'c', 'b'].map((id) => profile(id)));
        await store.profiles.insert([profile('z', { workspaceId: OTHER })]);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages += 1) {
          const page = await store.profiles.list(WS, { limit: 2, cursor });
          seen.push(...page.items.map((p) => p.id));
          if (!page.next) break;
          assert.doesNotMatch(page.next, /^[a-e]$/);
          cursor = page.next;
        }
        assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
        await assert.rejects(
          store.profiles.list(WS, { limit: 2, cursor: 'not-a-cursor' }),
          (e: unknown) => e instanceof AppError && e.code === 'invalid_input',
        );
        await assert.rejects(
          store.profiles.list(WS, { limit: 0 }),
          (e: unknown) => e instanceof AppError && e.details[0]?.path === 'limit',
        );
      });

      it('links identities once and resolves them by kind:value', async () => {
        await store.profiles.insert([profile('p1'), profile('p2')]);
        await store.profiles.link([
          { workspaceId: WS, kind: 'userId', value: 'u1', profileId: 'p1' },
          { workspaceId: WS, kind: 'email', value: 'ada@example.com', profileId: 'p1' },
        ]);
        // Already linked: left as it is.
        await store.profiles.link([
          { workspaceId: WS, kind: 'userId', value: 'u1', profileId: 'p2' },
        ]);
        await store.profiles.link([
          { workspaceId: OTHER, kind: 'userId', value: 'u1', profileId: 'x' },
        ]);
        const found = await store.profiles.resolve(WS, [
          { kind: 'userId', value: 'u1' },
          { kind: 'email', value: 'ada@example.com' },
          { kind: 'anonymousId', value: 'u1' },
        ]);
        assert.deepEqual([...found.entries()].sort(), [
          ['email:ada@example.com', 'p1'],
          ['userId:u1', 'p1'],
        ]);
        assert.deepEqual(
          (await store.profiles.identities(WS, 'p1')).map((i) => `${i.kind}:${i.value}`),
          ['email:ada@example.com', 'userId:u1'],
        );
        assert.equal((await store.profiles.resolve(WS, [])).size, 0);
      });

      it('resolves merged profiles to the survivor, through chains of merges', async () => {
        await store.profiles.insert([profile('p1'), profile('p2'), profile('p3')]);
        await store.profiles.link([
          { workspaceId: WS, kind: 'anonymousId', value: 'anon1', profileId: 'p1' },
          { workspaceId: WS, kind: 'anonymousId', value: 'anon2', profileId: 'p2' },
        ]);
        await store.profiles.update(WS, 'p1', { mergedInto: 'p2' });
        await store.profiles.update(WS, 'p2', { mergedInto: 'p3' });
        const found = await store.profiles.resolve(WS, [
          { kind: 'anonymousId', value: 'anon1' },
          { kind: 'anonymousId', value: 'anon2' },
        ]);
        assert.equal(found.get('anonymousId:anon1'), 'p3');
        assert.equal(found.get('anonymousId:anon2'), 'p3');
      });

      it('relinks identities of a merged profile', async () => {
        await store.profiles.insert([profile('p1'), profile('p2')]);
        await store.profiles.link([
          { workspaceId: WS, kind: 'anonymousId', value: 'anon1', profileId: 'p1' },
          { workspaceId: WS, kind: 'userId', value: 'u2', profileId: 'p2' },
        ]);
        await store.profiles.relink(WS, 'p1', 'p2');
        assert.deepEqual(await store.profiles.identities(WS, 'p1'), []);
        assert.deepEqual(
          (await store.profiles.identities(WS, 'p2')).map((i) => i.value),
          ['anon1', 'u2'],
        );
      });

      it('round-trips JSON traits (nested, unicode, numbers)', async () => {
        await store.profiles.insert([profile('p1', { traits: rich })]);
        assert.deepEqual((await store.profiles.get(WS, 'p1'))?.traits, rich);
      });

      it('stores NUL characters and unpaired surrogates in JSON as U+FFFD', async () => {
        await store.profiles.insert([
          profile('p1', { traits: { a: 'x\u0000y', b: 'z\ud800', c: '\\u0000' } }),
        ]);
        assert.deepEqual((await store.profiles.get(WS, 'p1'))?.traits, {
          a: 'x\ufffdy',
          b: 'z\ufffd',
          c: '\\u0000',
        });
      });
    });

    describe('events', () => {
      it('inserts with increasing seq and skips duplicates of (workspace, messageId)', async () => {
        const first = await store.events.insert([
          event('m1', { properties: rich, context: { ip: '1.2.3.4' } }),
          event('m2'),
          event('m2'),
        ]);
        assert.equal(first.length, 2);
        const [e1, e2] = first;
        assert.ok(e1 && e2 && e1.seq < e2.seq);
        assert.deepEqual(e1, {
          ...event('m1', { properties: rich, context: { ip: '1.2.3.4' } }),
          seq: e1.seq,
          processedAt: null,
        });
        assert.deepEqual(await store.events.insert([event('m1'), event('m2')]), []);
        const again = await store.events.insert([event('m1'), event('m3')]);
        assert.deepEqual(
          again.map((e) => e.messageId),
          ['m3'],
        );
        assert.equal((await store.events.insert([event('m1', { workspaceId: OTHER })])).length, 1);
      });

      it('inserts large batches (chunked under the parameter limit)', async () => {
        const rows = Array.from({ length: 7000 }, (_, i) => event(`m${i}`, { partition: i % 4 }));
        const inserted = await store.events.insert(rows);
        assert.equal(inserted.length, 7000);
        assert.equal(new Set(inserted.map((e) => e.seq)).size, 7000);
        assert.deepEqual(
          inserted.map((e) => e.messageId),
          rows.map((e) => e.messageId),
        );
      });

      it('lists pending events of the given partitions in seq order, then marks them processed', async () => {
        const rows = Array.from({ length: 12 }, (_, i) => event(`m${i}`, { partition: i % 3 }));
        await store.events.insert(rows.slice(0, 6));
        await store.events.insert(rows.slice(6));
        const pending = await store.events.pending([0, 2], 100);
        assert.deepEqual(
          pending.map((e) => e.messageId),
          ['m0', 'm2', 'm3', 'm5', 'm6', 'm8', 'm9', 'm11'],
        );
        assert.ok(pending.every((e, i) => i === 0 || (pending[i - 1]?.seq ?? 0) < e.seq));
        const firstThree = await store.events.pending([2, 0, 2], 3);
        assert.deepEqual(
          firstThree.map((e) => e.messageId),
          ['m0', 'm2', 'm3'],
        );
        await store.events.markProcessed(WS, firstThree, T0 + 1);
        assert.deepEqual(
          (await store.events.pending([0, 2], 3)).map((e) => e.messageId),
          ['m5', 'm6', 'm8'],
        );
        assert.deepEqual(await store.events.pending([], 10), []);
        const processed = await store.events.listForProfile(WS, 'p1', { limit: 100 });
        assert.equal(processed.find((e) => e.messageId === 'm0')?.processedAt, T0 + 1);
      });

      it("lists a profile's events newest first, before a seq", async () => {
        await store.events.insert([
          event('m1'),
          event('m2', { profileId: 'p2' }),
          event('m3'),
          event('m4'),
        ]);
        const all = await store.events.listForProfile(WS, 'p1', { limit: 10 });
        assert.deepEqual(
          all.map((e) => e.messageId),
          ['m4', 'm3', 'm1'],
        );
        const older = await store.events.listForProfile(WS, 'p1', {
          limit: 1,
          beforeSeq: all[0]?.seq,
        });
        assert.deepEqual(
          older.map((e) => e.messageId),
          ['m3'],
        );
      });

      it("reassigns a merged profile's events", async () => {
        await store.events.insert([event('m1'), event('m2', { profileId: 'p2' })]);
        await store.events.reassign(WS, 'p1', 'p2');
        assert.deepEqual(await store.events.listForProfile(WS, 'p1', { limit: 10 }), []);
        assert.equal((await store.events.listForProfile(WS, 'p2', { limit: 10 })).length, 2);
      });
    });

    describe('journeys', () => {
      it('upserts journeys (keeping createdAt) and finds live ones by trigger', async () => {
        const base = {
          workspaceId: WS,
          name: 'Welcome',
          publishedVersion: null,
          latestVersion: 1,
          triggerType: null,
          triggerEvent: null,
          status: 'draft' as const,
          createdAt: T0,
          updatedAt: T0,
        };
        await store.journeys.upsert({ ...base, id: 'j1' });
        await store.journeys.upsert({ ...base, id: 'j2' });
        await store.journeys.upsert({
          ...base,
          id: 'j3',
          publishedVersion: 1,
          status: 'paused',
          triggerType: 'event',
          triggerEvent: 'signed_up',
        });
        const live = {
          ...base,
          id: 'j1',
          name: 'Welcome v2',
          publishedVersion: 1,
          latestVersion: 2,
          triggerType: 'event',
          triggerEvent: 'signed_up',
          status: 'live' as const,
          createdAt: T0 + 99,
          updatedAt: T0 + 1,
        };
        await store.journeys.upsert(live);
        assert.deepEqual(await store.journeys.get(WS, 'j1'), { ...live, createdAt: T0 });
        assert.equal(await store.journeys.get(OTHER, 'j1'), null);
        assert.deepEqual(
          (await store.journeys.list(WS)).map((j) => j.id),
          ['j1', 'j2', 'j3'],
        );
        assert.deepEqual(
          (await store.journeys.live(WS, {})).map((j) => j.id),
          ['j1'],
        );
        assert.deepEqual(
          (await store.journeys.live(WS, { triggerType: 'event', triggerEvent: 'signed_up' })).map(
            (j) => j.id,
          ),
          ['j1'],
        );
        assert.deepEqual(
          await store.journeys.live(WS, { triggerType: 'event', triggerEvent: 'other' }),
          [],
        );
        assert.deepEqual(await store.journeys.live(WS, { triggerType: 'date' }), []);
      });

      it('stores versions with their definitions and marks one published once', async () => {
        await store.journeys.upsert({
          workspaceId: WS,
          id: 'j1',
          name: 'Welcome',
          publishedVersion: null,
          latestVersion: 2,
          triggerType: null,
          triggerEvent: null,
          status: 'draft',
          createdAt: T0,
          updatedAt: T0,
        });
        const v1 = {
          workspaceId: WS,
          journeyId: 'j1',
          version: 1,
          definition,
          createdAt: T0,
          publishedAt: null,
        };
        await store.journeys.addVersion(v1);
        await store.journeys.addVersion({
          ...v1,
          version: 2,
          definition: { ...definition, name: 'Two' },
        });
        assert.deepEqual(await store.journeys.getVersion(WS, 'j1', 1), v1);
        // The document keeps its key order (jsonb would sort keys by length).
        const stored = await store.journeys.getVersion(WS, 'j1', 1);
        assert.equal(JSON.stringify(stored?.definition), JSON.stringify(definition));
        assert.equal(await store.journeys.getVersion(WS, 'j1', 3), null);
        await store.journeys.markPublished(WS, 'j1', 2, T0 + 5);
        await store.journeys.markPublished(WS, 'j1', 2, T0 + 9);
        const versions = await store.journeys.listVersions(WS, 'j1');
        assert.deepEqual(
          versions.map((v) => [v.version, v.definition.name, v.publishedAt]),
          [
            [1, 'Welcome', null],
            [2, 'Two', T0 + 5],
          ],
        );
      });
    });

    describe('runs', () => {
      it('inserts, gets and lists runs with their JSON state', async () => {
        const r1 = run('r1', { exit: null });
        r1.state.data = rich;
        const r2 = run('r2', {
          profileId: 'p2',
          status: 'completed',
          wakeAt: null,
          awaiting: null,
          endedAt: T0 + 1,
          exit: { kind: 'goal', goal: 'ordered' },
        });
        await store.runs.insert([r1, r2]);
        assert.deepEqual(await store.runs.get(WS, 'r1'), r1);
        assert.deepEqual(await store.runs.get(WS, 'r2'), r2);
        assert.equal(await store.runs.get(OTHER, 'r1'), null);
        assert.deepEqual(
          (await store.runs.getMany(WS, ['r2', 'r1', 'nope'])).map((r) => r.id).sort(),
          ['r1', 'r2'],
        );
        assert.deepEqual(
          (await store.runs.listForProfile(WS, 'p1')).map((r) => r.id),
          ['r1'],
        );
      });

      it('updates many runs in one call (state and derived columns)', async () => {
        const rows = Array.from({ length: 3000 }, (_, i) =>
          run(`r${i}`, { profileId: `p${i % 50}` }),
        );
        await store.runs.insert(rows);
        const changed = rows.map((r, i) => {
          const status = i % 2 ? ('completed' as const) : ('waiting' as const);
          const next = {
            ...r,
            status,
            node: i % 2 ? null : 'next',
            wakeAt: i % 2 ? null : T0 + i,
            awaiting: i % 2 ? null : ({ kind: 'event', event: 'paid', until: T0 + i } as const),
            updatedAt: T0 + 1,
            endedAt: i % 2 ? T0 + 1 : null,
            exit: i % 2 ? ({ kind: 'completed' } as const) : null,
            version: 2,
          };
          return {
            ...next,
            state: { ...r.state, status, seq: 2, seen: [{ name: 'x', at: i, properties: { i } }] },
          };
        });
        await store.runs.update(changed);
        for (const i of [0, 1, 1499, 2999]) {
          assert.deepEqual(await store.runs.get(WS, `r${i}`), changed[i]);
        }
        await store.runs.update([]);
      });

      it('claims only due active/waiting runs, oldest first, up to the limit', async () => {
        await store.runs.insert([
          run('late', { wakeAt: T0 + 2 * MIN }),
          run('old', { wakeAt: T0 - 2 * MIN }),
          run('now', { wakeAt: T0, workspaceId: OTHER }),
          run('future', { wakeAt: T0 + 10 * MIN }),
          run('active', { status: 'active', wakeAt: T0 - MIN }),
          run('done', { status: 'completed', wakeAt: T0 - 5 * MIN }),
          run('exited', { status: 'exited', wakeAt: T0 - 5 * MIN }),
          run('idle', { wakeAt: null }),
        ]);
        const due = await store.transaction((tx) => tx.runs.claimDue(T0 + 2 * MIN, 100));
        assert.deepEqual(
          due.map((r) => r.id),
          ['old', 'active', 'now', 'late'],
        );
        const two = await store.transaction((tx) => tx.runs.claimDue(T0 + 2 * MIN, 2));
        assert.deepEqual(
          two.map((r) => r.id),
          ['old', 'active'],
        );
        assert.equal(await store.runs.nextWake(), T0 - 2 * MIN);
        await store.runs.update(due.map((r) => ({ ...r, status: 'completed', wakeAt: null })));
        assert.equal(await store.runs.nextWake(), T0 + 10 * MIN);
      });

      it('locks runs by id and returns their current rows', async () => {
        await store.runs.insert([run('r1'), run('r2', { profileId: 'p2' }), run('r3')]);
        const locked = await store.transaction((tx) => tx.runs.lock(WS, ['r2', 'r1', 'missing']));
        assert.deepEqual(
          locked.map((r) => r.id),
          ['r1', 'r2'],
        );
      });

      it('lists active or waiting runs of profiles, oldest first', async () => {
        await store.runs.insert([
          run('r1', { enteredAt: T0 + 2 }),
          run('r2', { profileId: 'p2', status: 'active', enteredAt: T0 + 1 }),
          run('r3', { status: 'completed' }),
          run('r4', { profileId: 'p3' }),
        ]);
        assert.deepEqual(
          (await store.runs.activeForProfiles(WS, ['p1', 'p2'])).map((r) => r.id),
          ['r2', 'r1'],
        );
        assert.deepEqual(await store.runs.activeForProfiles(WS, []), []);
      });

      it('reports entry history of a profile in a journey', async () => {
        assert.deepEqual(await store.runs.entryHistory(WS, 'j1', 'p1'), {
          entries: 0,
          lastEnteredAt: null,
          active: 0,
        });
        await store.runs.insert([
          run('r1', { status: 'completed', enteredAt: T0 }),
          run('r2', { status: 'waiting', enteredAt: T0 + 5 }),
          run('r3', { status: 'active', enteredAt: T0 + 3 }),
          run('r4', { journeyId: 'j2', enteredAt: T0 + 9 }),
          run('r5', { profileId: 'p2', enteredAt: T0 + 9 }),
        ]);
        assert.deepEqual(await store.runs.entryHistory(WS, 'j1', 'p1'), {
          entries: 3,
          lastEnteredAt: T0 + 5,
          active: 2,
        });
        const many = await store.runs.entryHistories(WS, 'j1', ['p1', 'p2', 'p3']);
        assert.deepEqual(many.get('p1'), { entries: 3, lastEnteredAt: T0 + 5, active: 2 });
        assert.deepEqual(many.get('p2'), { entries: 1, lastEnteredAt: T0 + 9, active: 1 });
        assert.equal(many.has('p3'), false, 'a profile that never entered is absent');
      });

      it('appends and reads a run trace in order', async () => {
        await store.runs.insert([run('r1'), run('r2')]);
        const line = (
          runId: string,
          at: number,
          what: 'entered' | 'waiting' | 'woke',
          detail: string,
        ) => ({
          workspaceId: WS,
          profileId: 'p1',
          runId,
          at,
          node: what === 'entered' ? null : 'wait',
          what,
          detail,
        });
        await store.runs.appendTrace([
          line('r1', T0, 'entered', 'in'),
          line('r2', T0, 'entered', 'other'),
        ]);
        await store.runs.appendTrace([
          line('r1', T0, 'waiting', 'for 1 h ⏳'),
          line('r1', T0 + 1, 'woke', 'up'),
        ]);
        assert.deepEqual(await store.runs.trace(WS, 'r1'), [
          line('r1', T0, 'entered', 'in'),
          line('r1', T0, 'waiting', 'for 1 h ⏳'),
          line('r1', T0 + 1, 'woke', 'up'),
        ]);
      });

      it("reassigns a merged profile's runs with their trace, messages and tasks", async () => {
        await store.runs.insert([run('r1')]);
        await store.runs.appendTrace([
          {
            workspaceId: WS,
            profileId: 'p1',
            runId: 'r1',
            at: T0,
            node: null,
            what: 'entered',
            detail: '',
          },
        ]);
        await store.messages.insert([message('m1')]);
        await store.tasks.insert([task('t1')]);
        await store.runs.reassign(WS, 'p1', 'p2');
        assert.deepEqual(await store.runs.listForProfile(WS, 'p1'), []);
        assert.equal((await store.runs.get(WS, 'r1'))?.profileId, 'p2');
        assert.equal((await store.runs.trace(WS, 'r1'))[0]?.profileId, 'p2');
        assert.equal((await store.messages.get(WS, 'm1'))?.profileId, 'p2');
        assert.equal((await store.tasks.get(WS, 't1'))?.profileId, 'p2');
        // A stale row (old profile) still updates the run it names.
        const stale = run('r1', { status: 'completed', wakeAt: null });
        await store.runs.update([stale]);
        assert.equal((await store.runs.get(WS, 'r1'))?.status, 'completed');
      });
    });

    describe('messages', () => {
      it('inserts idempotently by key and returns only what was inserted', async () => {
        const inserted = await store.messages.insert([
          message('m1', { content: rich }),
          message('m2'),
          message('m3', { idempotencyKey: 'key-m1' }),
        ]);
        assert.deepEqual(
          inserted.map((m) => m.id),
          ['m1', 'm2'],
        );
        assert.deepEqual(inserted[0], message('m1', { content: rich }));
        assert.deepEqual(
          await store.messages.insert([message('m9', { idempotencyKey: 'key-m2' })]),
          [],
        );
        assert.equal(await store.messages.get(WS, 'm9'), null);
        assert.equal((await store.messages.getByKey(WS, 'key-m2'))?.id, 'm2');
        assert.equal(await store.messages.getByKey(OTHER, 'key-m2'), null);
        assert.equal(
          (await store.messages.insert([message('m2', { workspaceId: OTHER })])).length,
          1,
        );
      });

      it('claims due rows with a lease; an expired lease is reclaimed, an unexpired one is not', async () => {
        await store.messages.insert([
          message('due', { availableAt: T0 - MIN }),
          message('later', { availableAt: T0 + 10 * MIN }),
          message('sent', { status: 'sent', availableAt: T0 - MIN }),
        ]);
        const claimed = await store.transaction((tx) => tx.messages.claim(T0, 10, 30_000));
        assert.deepEqual(
          claimed.map((m) => [m.id, m.status, m.leaseUntil, m.updatedAt]),
          [['due', 'sending', T0 + 30_000, T0]],
        );
        assert.deepEqual(
          await store.transaction((tx) => tx.messages.claim(T0 + 29_999, 10, 30_000)),
          [],
        );
        assert.equal(await store.messages.nextAvailable(), T0 + 30_000);
        const again = await store.transaction((tx) => tx.messages.claim(T0 + 30_000, 10, 30_000));
        assert.deepEqual(
          again.map((m) => [m.id, m.leaseUntil]),
          [['due', T0 + 60_000]],
        );
        await store.messages.update(WS, 'due', {
          status: 'sent',
          leaseUntil: null,
          sentAt: T0 + 30_001,
        });
        assert.equal(await store.messages.nextAvailable(), T0 + 10 * MIN);
        const late = await store.messages.claim(T0 + 10 * MIN, 10, 1000);
        assert.deepEqual(
          late.map((m) => m.id),
          ['later'],
        );
      });

      it('claims oldest first, up to the limit', async () => {
        await store.messages.insert([
          message('b', { availableAt: T0 - 1 }),
          message('c', { availableAt: T0 }),
          message('a', { availableAt: T0 - 2 }),
        ]);
        const claimed = await store.messages.claim(T0, 2, 1000);
        assert.deepEqual(
          claimed.map((m) => m.id),
          ['a', 'b'],
        );
      });

      it('updates a message by patch', async () => {
        await store.messages.insert([message('m1')]);
        await store.messages.update(WS, 'm1', {
          status: 'failed',
          attempts: 3,
          error: 'mailbox full',
          providerMessageId: 'prov-1',
          content: { subject: 'Changed', nested: { a: [1] } },
          recipient: null,
          updatedAt: T0 + 1,
        });
        assert.deepEqual(
          await store.messages.get(WS, 'm1'),
          message('m1', {
            status: 'failed',
            attempts: 3,
            error: 'mailbox full',
            providerMessageId: 'prov-1',
            content: { subject: 'Changed', nested: { a: [1] } },
            recipient: null,
            updatedAt: T0 + 1,
          }),
        );
      });

      it('records many send results at once, each row to its own values', async () => {
        await store.messages.insert([
          message('m1'),
          message('m2', { profileId: 'p2' }),
          message('m3'),
        ]);
        const sent = message('m1', {
          status: 'sent',
          attempts: 1,
          providerMessageId: 'prov-1',
          content: { subject: 'Hello', from: '+15005550006' },
          sentAt: T0 + 5,
          updatedAt: T0 + 5,
        });
        const retry = message('m2', {
          profileId: 'p2',
          status: 'pending',
          attempts: 1,
          availableAt: T0 + 60_000,
          error: 'try later',
          updatedAt: T0 + 5,
        });
        // Of two results for one row, the last is written.
        await store.messages.recordResults([{ ...sent, status: 'dead' }, retry, sent]);
        assert.deepEqual(await store.messages.get(WS, 'm1'), sent);
        assert.deepEqual(await store.messages.get(WS, 'm2'), retry);
        assert.deepEqual(await store.messages.get(WS, 'm3'), message('m3'), 'untouched');
        await store.messages.recordResults([]);
      });

      it('lists newest first with filters and cursors', async () => {
        await store.messages.insert([
          message('m1', { createdAt: T0 }),
          message('m2', { createdAt: T0 + 1, channel: 'sms' }),
          message('m3', { createdAt: T0 + 1 }),
          message('m4', { createdAt: T0 + 2, profileId: 'p2', runId: 'r2' }),
          message('m5', { createdAt: T0 + 3, workspaceId: OTHER }),
        ]);
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.messages.list(WS, { limit: 1, cursor });
          ids.push(...page.items.map((m) => m.id));
          cursor = page.next ?? undefined;
        } while (cursor);
        assert.deepEqual(ids, ['m4', 'm3', 'm2', 'm1']);
        const email = await store.messages.list(WS, { limit: 10, channel: 'email' });
        assert.deepEqual(
          email.items.map((m) => m.id),
          ['m4', 'm3', 'm1'],
        );
        assert.equal(email.next, null);
        assert.deepEqual(
          (await store.messages.list(WS, { limit: 10, profileId: 'p2' })).items.map((m) => m.id),
          ['m4'],
        );
        assert.deepEqual(
          (await store.messages.list(WS, { limit: 10, runId: 'r1' })).items.map((m) => m.id),
          ['m3', 'm2', 'm1'],
        );
      });

      it('finds a message by its provider id, within its workspace', async () => {
        await store.messages.insert([
          message('m1'),
          message('m2'),
          message('m1', { workspaceId: OTHER, providerMessageId: 'SM-1' }),
        ]);
        assert.equal(await store.messages.getByProviderId(WS, 'SM-1'), null);
        await store.messages.update(WS, 'm2', { providerMessageId: 'SM-1', status: 'sent' });
        assert.deepEqual(
          await store.messages.getByProviderId(WS, 'SM-1'),
          message('m2', { providerMessageId: 'SM-1', status: 'sent' }),
        );
        assert.equal((await store.messages.getByProviderId(OTHER, 'SM-1'))?.workspaceId, OTHER);
        assert.equal(await store.messages.getByProviderId(WS, 'SM-2'), null);
        assert.equal(await store.messages.getByProviderId(WS, ''), null);
      });

      it('counts sent and delivered messages of a profile on a channel since a time', async () => {
        const sent = (id: string, sentAt: number, over: Partial<MessageRow> = {}): MessageRow =>
          message(id, { status: 'sent', sentAt, ...over });
        await store.messages.insert([
          sent('before', T0 - 1),
          sent('at', T0),
          message('delivered', { status: 'delivered', sentAt: T0 + MIN }),
          sent('other-journey', T0 + 2 * MIN, { journeyId: 'j2' }),
          sent('no-journey', T0 + 2 * MIN, { journeyId: null, runId: null, kind: 'alert' }),
          // Not counted: not (yet) out, failed after an attempt, other channel/profile/workspace.
          message('pending', { sentAt: null }),
          message('failed', { status: 'failed', sentAt: T0 + MIN }),
          message('skipped', { status: 'skipped', sentAt: T0 + MIN }),
          message('sending', { status: 'sending', sentAt: T0 + MIN }),
          sent('sms', T0 + MIN, { channel: 'sms' }),
          sent('p2', T0 + MIN, { profileId: 'p2' }),
          sent('other-ws', T0 + MIN, { workspaceId: OTHER }),
        ]);
        const count = (since: number, journeyId?: string): Promise<number> =>
          store.messages.countSent({
            workspaceId: WS,
            profileId: 'p1',
            channel: 'email',
            since,
            journeyId,
          });
        assert.equal(await count(T0 - 1), 5, 'sent_at >= since, statuses sent and delivered');
        assert.equal(await count(T0), 4, 'a message sent exactly at `since` counts');
        assert.equal(await count(T0 + 1), 3);
        assert.equal(await count(T0 + 2 * MIN + 1), 0);
        assert.equal(await count(T0 - 1, 'j1'), 3, 'only the journey’s messages');
        assert.equal(await count(T0 - 1, 'j2'), 1);
        assert.equal(await count(T0 - 1, 'j9'), 0);
        assert.equal(
          await store.messages.countSent({
            workspaceId: WS,
            profileId: 'p1',
            channel: 'sms',
            since: 0,
          }),
          1,
        );
      });
    });

    describe('tasks', () => {
      it('inserts idempotently, lists by team and status, updates by patch', async () => {
        const inserted = await store.tasks.insert([
          task('t1', { dueAt: T0 + 2 }),
          task('t2', { dueAt: T0 + 1 }),
          task('t3', { team: 'support' }),
        ]);
        assert.equal(inserted.length, 3);
        assert.deepEqual(await store.tasks.insert([task('t9', { idempotencyKey: 'task-t1' })]), []);
        assert.deepEqual(await store.tasks.get(WS, 't1'), task('t1', { dueAt: T0 + 2 }));
        assert.deepEqual(
          (await store.tasks.list(WS, { team: 'sales', limit: 10 })).map((t) => t.id),
          ['t2', 't1'],
        );
        await store.tasks.update(WS, 't2', {
          status: 'done',
          outcome: 'paid',
          note: 'card',
          assignee: 'sam',
          completedAt: T0 + 9,
          updatedAt: T0 + 9,
        });
        assert.deepEqual(
          (await store.tasks.list(WS, { team: 'sales', status: 'open', limit: 10 })).map(
            (t) => t.id,
          ),
          ['t1'],
        );
        assert.deepEqual(
          await store.tasks.get(WS, 't2'),
          task('t2', {
            dueAt: T0 + 1,
            status: 'done',
            outcome: 'paid',
            note: 'card',
            assignee: 'sam',
            completedAt: T0 + 9,
            updatedAt: T0 + 9,
          }),
        );
        assert.equal((await store.tasks.list(WS, { limit: 10 })).length, 3);
        assert.equal((await store.tasks.list(WS, { limit: 1 })).length, 1);
      });

      it('closes the pending tasks among idempotency keys, leaving done ones as they are', async () => {
        await store.tasks.insert([
          task('open'),
          task('claimed', { status: 'claimed', assignee: 'sam' }),
          task('done', { status: 'done', outcome: 'paid', completedAt: T0 + 1 }),
          task('other', {}),
          task('other-ws', { workspaceId: OTHER, idempotencyKey: 'task-open' }),
        ]);
        const close = { outcome: 'goal_reached', note: 'paid', at: T0 + 5 };
        const keys = ['task-open', 'task-claimed', 'task-done', 'task-missing'];
        assert.equal(await store.tasks.closePending(WS, keys, close), 2);
        const closed = { status: 'done', outcome: 'goal_reached', note: 'paid' } as const;
        const at = { completedAt: T0 + 5, updatedAt: T0 + 5 };
        assert.deepEqual(await store.tasks.get(WS, 'open'), task('open', { ...closed, ...at }));
        assert.deepEqual(
          await store.tasks.get(WS, 'claimed'),
          task('claimed', { ...closed, ...at, assignee: 'sam' }),
        );
        assert.deepEqual(
          await store.tasks.get(WS, 'done'),
          task('done', { status: 'done', outcome: 'paid', completedAt: T0 + 1 }),
        );
        assert.equal((await store.tasks.get(WS, 'other'))?.status, 'open');
        assert.equal((await store.tasks.get(OTHER, 'other-ws'))?.status, 'open');
        assert.equal(await store.tasks.closePending(WS, keys, close), 0, 'once');
        assert.equal(await store.tasks.closePending(WS, [], close), 0);
      });

      it('keeps escalatedAt on insert and sets it by patch', async () => {
        await store.tasks.insert([task('t1'), task('t2', { escalatedAt: T0 + 1 })]);
        assert.deepEqual(await store.tasks.get(WS, 't2'), task('t2', { escalatedAt: T0 + 1 }));
        await store.tasks.update(WS, 't1', { escalatedAt: T0 + 5, updatedAt: T0 + 5 });
        assert.deepEqual(
          await store.tasks.get(WS, 't1'),
          task('t1', { escalatedAt: T0 + 5, updatedAt: T0 + 5 }),
        );
      });

      it('lists open or claimed, not escalated, overdue tasks oldest first, in any workspace', async () => {
        assert.deepEqual(await store.tasks.overdue(T0, 10), []);
        assert.equal(await store.tasks.nextOverdue(), null);
        await store.tasks.insert([
          task('late', { dueAt: T0 - 2 * MIN }),
          task('claimed', { dueAt: T0 - MIN, status: 'claimed', assignee: 'sam' }),
          task('now', { dueAt: T0 }),
          task('other-ws', { dueAt: T0 - 3 * MIN, workspaceId: OTHER }),
          task('future', { dueAt: T0 + MIN }),
          // Never overdue: done, or already escalated.
          task('done', { dueAt: T0 - 10 * MIN, status: 'done', completedAt: T0 }),
          task('escalated', { dueAt: T0 - 9 * MIN, escalatedAt: T0 - MIN }),
          task('claimed-escalated', {
            dueAt: T0 - 8 * MIN,
            status: 'claimed',
            escalatedAt: T0 - MIN,
          }),
        ]);
        assert.deepEqual(
          (await store.tasks.overdue(T0, 10)).map((t) => [t.workspaceId, t.id]),
          [
            [OTHER, 'other-ws'],
            [WS, 'late'],
            [WS, 'claimed'],
            [WS, 'now'],
          ],
          'due at or before now, oldest first',
        );
        assert.deepEqual(
          (await store.tasks.overdue(T0 - 1, 2)).map((t) => t.id),
          ['other-ws', 'late'],
          'up to the limit',
        );
        assert.deepEqual(await store.tasks.overdue(T0, 1), [
          task('other-ws', { dueAt: T0 - 3 * MIN, workspaceId: OTHER }),
        ]);
        assert.equal(await store.tasks.nextOverdue(), T0 - 3 * MIN);
        await store.tasks.update(OTHER, 'other-ws', { escalatedAt: T0 });
        await store.tasks.update(WS, 'late', { status: 'done', completedAt: T0 });
        assert.deepEqual(
          (await store.tasks.overdue(T0, 10)).map((t) => t.id),
          ['claimed', 'now'],
        );
        assert.equal(await store.tasks.nextOverdue(), T0 - MIN);
        await store.tasks.update(WS, 'claimed', { escalatedAt: T0 });
        await store.tasks.update(WS, 'now', { escalatedAt: T0 });
        assert.deepEqual(await store.tasks.overdue(T0 + 10 * MIN, 10), [
          task('future', { dueAt: T0 + MIN }),
        ]);
        assert.equal(await store.tasks.nextOverdue(), T0 + MIN, 'not yet due counts as next');
        await store.tasks.update(WS, 'future', { status: 'done' });
        assert.equal(await store.tasks.nextOverdue(), null);
      });
    });

    describe('channel configs', () => {
      it('upserts (replacing everything but the key), gets, lists and removes', async () => {
        assert.equal(await store.channelConfigs.get(WS, 'email'), null);
        await store.channelConfigs.upsert(channelConfig('sms', { provider: 'twilio' }));
        await store.channelConfigs.upsert(channelConfig('email', { settings: rich }));
        await store.channelConfigs.upsert(channelConfig('email', { workspaceId: OTHER }));
        assert.deepEqual(await store.channelConfigs.list(WS), [
          channelConfig('email', { settings: rich }),
          channelConfig('sms', { provider: 'twilio' }),
        ]);
        const replaced = channelConfig('email', {
          provider: 'http-email',
          settings: { baseUrl: 'http://127.0.0.1:9/' },
          secrets: null,
          updatedAt: T0 + 1,
        });
        await store.channelConfigs.upsert(replaced);
        assert.deepEqual(await store.channelConfigs.get(WS, 'email'), replaced);
        assert.deepEqual(await store.channelConfigs.get(OTHER, 'email'), {
          ...channelConfig('email'),
          workspaceId: OTHER,
        });
        assert.equal(await store.channelConfigs.remove(WS, 'email'), true);
        assert.equal(await store.channelConfigs.remove(WS, 'email'), false);
        assert.equal(await store.channelConfigs.remove(WS, 'voice'), false);
        assert.deepEqual(
          (await store.channelConfigs.list(WS)).map((c) => c.channel),
          ['sms'],
        );
        assert.equal((await store.channelConfigs.list(OTHER)).length, 1);
      });
    });

    describe('subscriptions', () => {
      it("sets (upserts) many rows and reads a profile's, by channel and topic", async () => {
        assert.deepEqual(await store.subscriptions.forProfile(WS, 'p1'), []);
        await store.subscriptions.set([]);
        await store.subscriptions.set([
          subscription('p1', 'sms', ''),
          subscription('p1', 'email', 'news'),
          subscription('p1', 'email', ''),
          subscription('p2', 'email', ''),
          subscription('p1', 'email', '', { workspaceId: OTHER }),
        ]);
        assert.deepEqual(await store.subscriptions.forProfile(WS, 'p1'), [
          subscription('p1', 'email', ''),
          subscription('p1', 'email', 'news'),
          subscription('p1', 'sms', ''),
        ]);
        await store.subscriptions.set([
          subscription('p1', 'sms', '', { status: 'subscribed', source: 'sms_start' }),
          // Twice in one call: the last row wins.
          subscription('p1', 'email', 'news', { status: 'subscribed', updatedAt: T0 + 1 }),
          subscription('p1', 'email', 'news', { source: 'api', updatedAt: T0 + 2 }),
        ]);
        assert.deepEqual(await store.subscriptions.forProfile(WS, 'p1'), [
          subscription('p1', 'email', ''),
          subscription('p1', 'email', 'news', { source: 'api', updatedAt: T0 + 2 }),
          subscription('p1', 'sms', '', { status: 'subscribed', source: 'sms_start' }),
        ]);
        assert.equal((await store.subscriptions.forProfile(OTHER, 'p1')).length, 1);
      });

      it("reassigns a merged profile's rows; the more recent decision stands", async () => {
        await store.subscriptions.set([
          subscription('p1', 'email', ''),
          subscription('p1', 'email', 'news', { updatedAt: T0 + 3 }),
          subscription('p1', 'sms', '', { source: 'sms_stop', updatedAt: T0 + 5 }),
          subscription('p2', 'email', '', { status: 'subscribed', source: 'api' }),
          subscription('p2', 'email', 'news', { status: 'subscribed', source: 'import' }),
          subscription('p1', 'push', '', { workspaceId: OTHER }),
        ]);
        await store.subscriptions.reassign(WS, 'p1', 'p2');
        assert.deepEqual(await store.subscriptions.forProfile(WS, 'p1'), []);
        assert.deepEqual(await store.subscriptions.forProfile(WS, 'p2'), [
          // Same time: the survivor's stands.
          subscription('p2', 'email', '', { status: 'subscribed', source: 'api' }),
          // The merged-away profile unsubscribed later: that stands.
          subscription('p2', 'email', 'news', { updatedAt: T0 + 3 }),
          subscription('p2', 'sms', '', { source: 'sms_stop', updatedAt: T0 + 5 }),
        ]);
        assert.equal(
          (await store.subscriptions.forProfile(OTHER, 'p1')).length,
          1,
          'another workspace is untouched',
        );
        await store.subscriptions.reassign(WS, 'p9', 'p2');
        await store.subscriptions.reassign(WS, 'p2', 'p2');
        assert.equal((await store.subscriptions.forProfile(WS, 'p2')).length, 3);
      });
    });

    describe('suppressions', () => {
      it('adds once (an existing suppression is kept), gets and removes', async () => {
        assert.equal(await store.suppressions.get(WS, 'email', 'ada@example.com'), null);
        await store.suppressions.add(suppression('email', 'ada@example.com'));
        await store.suppressions.add(
          suppression('email', 'ada@example.com', {
            reason: 'manual',
            detail: null,
            createdAt: T0 + 1,
          }),
        );
        await store.suppressions.add(suppression('sms', '+15550100', { reason: 'complaint' }));
        assert.deepEqual(
          await store.suppressions.get(WS, 'email', 'ada@example.com'),
          suppression('email', 'ada@example.com'),
        );
        assert.equal(await store.suppressions.get(WS, 'sms', 'ada@example.com'), null);
        assert.equal(await store.suppressions.get(OTHER, 'email', 'ada@example.com'), null);
        assert.equal(await store.suppressions.remove(WS, 'email', 'ada@example.com'), true);
        assert.equal(await store.suppressions.remove(WS, 'email', 'ada@example.com'), false);
        assert.equal(await store.suppressions.get(WS, 'email', 'ada@example.com'), null);
        assert.deepEqual(
          await store.suppressions.get(WS, 'sms', '+15550100'),
          suppression('sms', '+15550100', { reason: 'complaint' }),
        );
      });

      it('pages through suppressions by channel and address, of one channel or all', async () => {
        await store.suppressions.add(suppression('sms', '+15550102'));
        await store.suppressions.add(suppression('email', 'b@example.com'));
        await store.suppressions.add(suppression('sms', '+15550101'));
        await store.suppressions.add(suppression('email', 'a@example.com'));
        await store.suppressions.add(suppression('email', 'z@example.com', { workspaceId: OTHER }));
        const all: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.suppressions.list(WS, { limit: 1, cursor });
          all.push(...page.items.map((s) => `${s.channel}:${s.address}`));
          cursor = page.next ?? undefined;
        } while (cursor);
        assert.deepEqual(all, [
          'email:a@example.com',
          'email:b@example.com',
          'sms:+15550101',
          'sms:+15550102',
        ]);
        const first = await store.suppressions.list(WS, { limit: 1, channel: 'sms' });
        assert.deepEqual(first.items, [suppression('sms', '+15550101')]);
        assert.ok(first.next);
        assert.deepEqual(
          await store.suppressions.list(WS, { limit: 1, channel: 'sms', cursor: first.next }),
          { items: [suppression('sms', '+15550102')], next: null },
        );
        assert.deepEqual(await store.suppressions.list(WS, { limit: 10, channel: 'voice' }), {
          items: [],
          next: null,
        });
        await assert.rejects(
          store.suppressions.list(WS, { limit: 10, cursor: 'not-a-cursor' }),
          (e: unknown) => e instanceof AppError && e.details[0]?.path === 'cursor',
        );
        await assert.rejects(
          store.suppressions.list(WS, { limit: 0 }),
          (e: unknown) => e instanceof AppError && e.details[0]?.path === 'limit',
        );
      });
    });

    describe('lists', () => {
      it('upserts lists and manages members', async () => {
        await store.lists.upsert({ workspaceId: WS, id: 'vip', name: 'VIP', createdAt: T0 });
        await store.lists.upsert({
          workspaceId: WS,
          id: 'vip',
          name: 'Very important',
          createdAt: T0 + 5,
        });
        await store.lists.upsert({ workspaceId: WS, id: 'news', name: 'News', createdAt: T0 });
        assert.deepEqual(await store.lists.list(WS), [
          { workspaceId: WS, id: 'news', name: 'News', createdAt: T0 },
          { workspaceId: WS, id: 'vip', name: 'Very important', createdAt: T0 },
        ]);
        await store.lists.ensure({ workspaceId: WS, id: 'vip', name: 'vip', createdAt: T0 + 9 });
        await store.lists.ensure({ workspaceId: WS, id: 'new', name: 'New', createdAt: T0 + 9 });
        assert.deepEqual(
          (await store.lists.list(WS)).map((l) => l.name),
          ['New', 'News', 'Very important'],
          'ensure creates a missing list and leaves an existing one as it is',
        );
        await store.lists.addMember(WS, 'vip', 'p1', T0);
        await store.lists.addMember(WS, 'vip', 'p1', T0 + 1);
        await store.lists.addMember(WS, 'news', 'p1', T0);
        await store.lists.addMember(WS, 'vip', 'p2', T0);
        await store.lists.removeMember(WS, 'vip', 'p2');
        const membership = await store.lists.membership(WS, ['p1', 'p2', 'p3']);
        assert.deepEqual([...membership.entries()], [['p1', ['news', 'vip']]]);
      });

      it('pages through members', async () => {
        for (const p of ['p3', 'p1', 'p4', 'p2']) await store.lists.addMember(WS, 'vip', p, T0);
        await store.lists.addMember(WS, 'other', 'p0', T0);
        const first = await store.lists.members(WS, 'vip', { limit: 3 });
        assert.deepEqual(first.items, ['p1', 'p2', 'p3']);
        assert.ok(first.next);
        const second = await store.lists.members(WS, 'vip', { limit: 3, cursor: first.next });
        assert.deepEqual(second, { items: ['p4'], next: null });
      });

      it("reassigns a merged profile's memberships without duplicates", async () => {
        await store.lists.addMember(WS, 'vip', 'p1', T0);
        await store.lists.addMember(WS, 'news', 'p1', T0);
        await store.lists.addMember(WS, 'vip', 'p2', T0);
        await store.lists.reassign(WS, 'p1', 'p2');
        const membership = await store.lists.membership(WS, ['p1', 'p2']);
        assert.deepEqual([...membership.entries()], [['p2', ['news', 'vip']]]);
      });
    });

    describe('trigger timers', () => {
      it('upsert moves a timer instead of adding another', async () => {
        await store.triggerTimers.upsert([timer('p1', { wakeAt: T0 + 5 * MIN })]);
        await store.triggerTimers.upsert([timer('p1', { wakeAt: T0 + MIN, data: { n: 2 } })]);
        await store.triggerTimers.upsert([
          timer('p2', { wakeAt: T0 + 3 * MIN }),
          timer('p2', { wakeAt: T0 + 2 * MIN }),
        ]);
        assert.equal(await store.triggerTimers.nextWake(), T0 + MIN);
        const due = await store.transaction((tx) => tx.triggerTimers.claimDue(T0 + 10 * MIN, 10));
        assert.deepEqual(due, [
          timer('p1', { wakeAt: T0 + MIN, data: { n: 2 } }),
          timer('p2', { wakeAt: T0 + 2 * MIN }),
        ]);
      });

      it('claims due timers soonest first and deletes them', async () => {
        await store.triggerTimers.upsert([
          timer('p1', { wakeAt: T0 + MIN }),
          timer('p2', { wakeAt: T0 - MIN }),
          timer('', { kind: 'broadcast', wakeAt: T0, data: { version: 3 } }),
          timer('p1', { kind: 'date', wakeAt: T0 - 2 * MIN, journeyId: 'j2' }),
        ]);
        const due = await store.transaction((tx) => tx.triggerTimers.claimDue(T0, 2));
        assert.deepEqual(
          due.map((t) => [t.journeyId, t.profileId, t.kind]),
          [
            ['j2', 'p1', 'date'],
            ['j1', 'p2', 'inactivity'],
          ],
        );
        const rest = await store.transaction((tx) => tx.triggerTimers.claimDue(T0, 10));
        assert.deepEqual(rest, [
          timer('', { kind: 'broadcast', wakeAt: T0, data: { version: 3 } }),
        ]);
        assert.deepEqual(await store.triggerTimers.claimDue(T0, 10), []);
        assert.equal(await store.triggerTimers.nextWake(), T0 + MIN);
      });

      it('deletes one timer', async () => {
        await store.triggerTimers.upsert([timer('p1'), timer('p1', { kind: 'date' })]);
        await store.triggerTimers.delete(WS, 'j1', 'p1', 'inactivity');
        const left = await store.triggerTimers.claimDue(T0, 10);
        assert.deepEqual(
          left.map((t) => t.kind),
          ['date'],
        );
        assert.equal(await store.triggerTimers.nextWake(), null);
      });
    });

    describe('leases', () => {
      it('is taken when free, expired or already ours, and released only by its owner', async () => {
        assert.equal(await store.leases.acquire('events:0', 'w1', T0, 10_000), true);
        assert.equal(await store.leases.acquire('events:0', 'w2', T0 + 9_999, 10_000), false);
        assert.equal(await store.leases.acquire('events:0', 'w1', T0 + 9_999, 10_000), true);
        assert.equal(await store.leases.acquire('events:0', 'w2', T0 + 19_998, 10_000), false);
        assert.equal(await store.leases.acquire('events:0', 'w2', T0 + 19_999, 10_000), true);
        assert.equal(await store.leases.acquire('events:1', 'w1', T0, 10_000), true);
        await store.leases.release('events:0', 'w1');
        assert.equal(await store.leases.acquire('events:0', 'w1', T0 + 20_000, 10_000), false);
        await store.leases.release('events:0', 'w2');
        assert.equal(await store.leases.acquire('events:0', 'w1', T0 + 20_000, 10_000), true);
      });
    });

    describe('concurrent claims (row locks)', { skip: backend.name !== 'postgres' }, () => {
      /** Claims in a transaction held open until the second claim (outside it) has run. */
      async function claimTwice<T>(claim: (tx: Tx) => Promise<T[]>): Promise<[T[], T[]]> {
        const hold = gate();
        let first: T[] = [];
        const claimed = gate();
        const holder = store.transaction(async (tx) => {
          first = await claim(tx);
          claimed.release();
          await hold.wait;
        });
        await claimed.wait;
        const second = await store.transaction((tx) => claim(tx));
        hold.release();
        await holder;
        return [first, second];
      }

      it(
        'two transactions claim disjoint sets of due runs (SKIP LOCKED)',
        { timeout: 20_000 },
        async () => {
          await store.runs.insert(
            Array.from({ length: 10 }, (_, i) => run(`r${i}`, { wakeAt: T0 - i })),
          );
          const [a, b] = await claimTwice((tx) => tx.runs.claimDue(T0, 6));
          assert.equal(a.length, 6);
          assert.equal(b.length, 4);
          assert.equal(new Set([...a, ...b].map((r) => r.id)).size, 10);
        },
      );

      it('two transactions claim disjoint sets of messages', { timeout: 20_000 }, async () => {
        await store.messages.insert(Array.from({ length: 10 }, (_, i) => message(`m${i}`)));
        const [a, b] = await claimTwice((tx) => tx.messages.claim(T0, 6, 1000));
        assert.equal(a.length, 6);
        assert.equal(b.length, 4);
        assert.equal(new Set([...a, ...b].map((m) => m.id)).size, 10);
      });

      it(
        'two transactions claim disjoint sets of trigger timers',
        { timeout: 20_000 },
        async () => {
          await store.triggerTimers.upsert(Array.from({ length: 10 }, (_, i) => timer(`p${i}`)));
          const [a, b] = await claimTwice((tx) => tx.triggerTimers.claimDue(T0, 6));
          assert.equal(a.length, 6);
          assert.equal(b.length, 4);
          assert.equal(new Set([...a, ...b].map((t) => t.profileId)).size, 10);
        },
      );

      it(
        'two transactions pick disjoint sets of overdue tasks to escalate',
        { timeout: 20_000 },
        async () => {
          await store.tasks.insert(
            Array.from({ length: 10 }, (_, i) => task(`t${i}`, { dueAt: T0 - i })),
          );
          const [a, b] = await claimTwice((tx) => tx.tasks.overdue(T0, 6));
          assert.equal(a.length, 6);
          assert.equal(b.length, 4);
          assert.equal(new Set([...a, ...b].map((t) => t.id)).size, 10);
        },
      );
    });
  });
}

// Forms (003): definitions, and submissions that become final once.

function submission(over: Partial<FormSubmission> = {}): FormSubmission {
  return {
    workspaceId: WS,
    profileId: 'p1',
    formId: 'feedback',
    key: 'm:m1',
    id: 's1',
    status: 'provisional',
    answers: { score: 4 },
    messageId: 'm1',
    runId: 'r1',
    createdAt: T0,
    updatedAt: T0,
    submittedAt: null,
    ...over,
  };
}

for (const backend of backends()) {
  describe(`storage contract: forms (${backend.name})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores, replaces, lists and removes definitions per workspace', async () => {
      const form = { workspaceId: WS, id: 'feedback', createdAt: T0, updatedAt: T0 };
      await store.forms.upsert({ ...form, definition: { title: 'Feedback', rich } });
      await store.forms.upsert({ ...form, id: 'a-form', definition: { title: 'A' } });
      await store.forms.upsert({ ...form, workspaceId: OTHER, definition: { title: 'Other' } });
      await store.forms.upsert({
        ...form,
        definition: { title: 'Feedback v2' },
        createdAt: T0 + MIN,
        updatedAt: T0 + MIN,
      });
      const got = await store.forms.get(WS, 'feedback');
      assert.deepEqual(got, { ...form, definition: { title: 'Feedback v2' }, updatedAt: T0 + MIN });
      assert.deepEqual(
        (await store.forms.list(WS)).map((f) => f.id),
        ['a-form', 'feedback'],
      );
      assert.equal(await store.forms.remove(WS, 'feedback'), true);
      assert.equal(await store.forms.remove(WS, 'feedback'), false);
      assert.equal(await store.forms.get(WS, 'feedback'), null);
      assert.equal((await store.forms.get(OTHER, 'feedback'))?.definition.title, 'Other');
    });

    it('keeps JSON answers unchanged', async () => {
      await store.formSubmissions.saveProvisional(submission({ answers: { rich } }));
      const got = await store.formSubmissions.get(WS, 'p1', 'feedback', 'm:m1');
      assert.deepEqual(got?.answers, { rich });
    });

    it('replaces provisional answers until the submission is final', async () => {
      const first = await store.formSubmissions.saveProvisional(submission());
      assert.equal(first.status, 'provisional');
      const again = await store.formSubmissions.saveProvisional(
        submission({ id: 's2', answers: { score: 2 }, updatedAt: T0 + MIN }),
      );
      assert.equal(again.id, 's1', 'the first row is kept');
      assert.deepEqual(again.answers, { score: 2 });
      assert.equal(again.updatedAt, T0 + MIN);

      const final = submission({
        id: 's3',
        status: 'submitted',
        answers: { score: 3, why: 'price' },
        updatedAt: T0 + 2 * MIN,
        submittedAt: T0 + 2 * MIN,
      });
      assert.equal(await store.formSubmissions.submit(final), true);
      const stored = await store.formSubmissions.get(WS, 'p1', 'feedback', 'm:m1');
      assert.deepEqual(stored, { ...final, id: 's1', createdAt: T0 });

      // Neither a second submission nor a late one-click answer changes a final one.
      assert.equal(
        await store.formSubmissions.submit({ ...final, answers: { score: 5 }, submittedAt: T0 }),
        false,
      );
      const late = await store.formSubmissions.saveProvisional(
        submission({ answers: { score: 1 } }),
      );
      assert.deepEqual(late, { ...final, id: 's1', createdAt: T0 });
    });

    it('submits at once without a provisional row; only one of two submits wins', async () => {
      const row = submission({ key: 'r:r9', status: 'submitted', submittedAt: T0 });
      const results = await Promise.all([
        store.transaction((tx) => tx.formSubmissions.submit(row)),
        store.transaction((tx) => tx.formSubmissions.submit({ ...row, id: 's9' })),
      ]);
      assert.deepEqual(results.sort(), [false, true]);
      assert.equal(
        (await store.formSubmissions.get(WS, 'p1', 'feedback', 'r:r9'))?.status,
        'submitted',
      );
    });

    it("lists a form's submissions in id order, a page at a time", async () => {
      for (const [i, p] of ['p1', 'p2', 'p3'].entries())
        await store.formSubmissions.saveProvisional(
          submission({ profileId: p, id: `s${i}`, key: `m:m${i}` }),
        );
      await store.formSubmissions.saveProvisional(submission({ formId: 'other', id: 's7' }));
      const first = await store.formSubmissions.list(WS, 'feedback', { limit: 2 });
      assert.deepEqual(
        first.items.map((s) => s.id),
        ['s0', 's1'],
      );
      assert.ok(first.next);
      const second = await store.formSubmissions.list(WS, 'feedback', {
        limit: 2,
        cursor: first.next,
      });
      assert.deepEqual(
        second.items.map((s) => s.id),
        ['s2'],
      );
      assert.equal(second.next, null);
      await assert.rejects(
        store.formSubmissions.list(WS, 'feedback', { limit: 2, cursor: 'junk' }),
        AppError,
      );
    });
  });
}

for (const backend of backends()) {
  describe(`storage contract: conversions (${backend.name})`, () => {
    let store: Store;
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

for (const backend of backends()) {
  describe(`storage contract: personalization (${backend.name})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    const traits = { interests: { shoes: 3 }, site_flags: { show_shoes_banner: true } };

    it('reads the traits and sorted lists of the profile an identity points at', async () => {
      await store.profiles.insert([profile('p1', { traits }), profile('p2')]);
      await store.profiles.link([
        { workspaceId: WS, kind: 'anonymousId', value: 'a1', profileId: 'p1' },
        { workspaceId: WS, kind: 'userId', value: 'u1', profileId: 'p1' },
        { workspaceId: WS, kind: 'anonymousId', value: 'a2', profileId: 'p2' },
      ]);
      for (const list of ['vip', 'interest-shoes']) await store.lists.addMember(WS, list, 'p1', T0);
      await store.lists.addMember(WS, 'other', 'p2', T0);
      const expected = { profileId: 'p1', traits, lists: ['interest-shoes', 'vip'] };
      assert.deepEqual(
        await store.profiles.personalization(WS, { kind: 'anonymousId', value: 'a1' }),
        expected,
      );
      assert.deepEqual(
        await store.profiles.personalization(WS, { kind: 'userId', value: 'u1' }),
        expected,
      );
      assert.deepEqual(
        await store.profiles.personalization(WS, { kind: 'anonymousId', value: 'a2' }),
        { profileId: 'p2', traits: {}, lists: ['other'] },
      );
      // Unknown identity, other kind, other workspace.
      assert.equal(await store.profiles.personalization(WS, { kind: 'userId', value: 'a1' }), null);
      assert.equal(
        await store.profiles.personalization(OTHER, { kind: 'anonymousId', value: 'a1' }),
        null,
      );
    });

    it('follows a merge to the surviving profile', async () => {
      await store.profiles.insert([
        profile('old', { mergedInto: 'new' }),
        profile('new', { traits }),
      ]);
      await store.profiles.link([
        { workspaceId: WS, kind: 'anonymousId', value: 'a-old', profileId: 'old' },
      ]);
      await store.lists.addMember(WS, 'interest-shoes', 'new', T0);
      assert.deepEqual(
        await store.profiles.personalization(WS, { kind: 'anonymousId', value: 'a-old' }),
        { profileId: 'new', traits, lists: ['interest-shoes'] },
      );
    });
  });

  describe(`storage contract: reports (${backend.name})`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    const arrival = (
      nodeId: string,
      fromNodeId: string | null,
      over: Partial<RunVisitRow> = {},
    ): RunVisitRow => ({
      workspaceId: WS,
      journeyId: 'j1',
      version: 1,
      nodeId,
      fromNodeId,
      variant: null,
      ...over,
    });
    const query = (version?: number) => ({
      workspaceId: WS,
      journeyId: 'j1',
      version,
      from: T0,
      to: T0 + 86_400_000,
      bucketMs: 86_400_000,
      bucketOffsetMs: 0,
    });
    const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

    it('counts arrivals per node and variant, and per node and the node come from', async () => {
      await store.transaction((tx) =>
        tx.reports.recordVisits([
          arrival('split', null),
          arrival('split', null),
          arrival('a', 'split', { variant: 'a' }),
          arrival('wait', 'a', { variant: 'a' }),
          arrival('b', 'split', { variant: 'b' }),
          arrival('wait', 'b', { variant: 'b' }),
        ]),
      );
      // A later batch adds to the same counts: a loop back to the wait, a version 2 run, another
      // journey and another workspace.
      await store.transaction((tx) =>
        tx.reports.recordVisits([
          arrival('wait', 'check', { variant: 'a' }),
          arrival('check', 'wait', { variant: 'a' }),
          arrival('check', 'wait', { variant: 'a' }),
          arrival('split', null, { version: 2 }),
          arrival('split', null, { journeyId: 'j2' }),
          arrival('split', null, { workspaceId: OTHER }),
        ]),
      );
      const all = await store.reports.aggregate(query());
      assert.deepEqual(
        sorted(all.visits),
        sorted([
          { version: 1, nodeId: 'split', variant: null, runs: 2 },
          { version: 1, nodeId: 'a', variant: 'a', runs: 1 },
          { version: 1, nodeId: 'b', variant: 'b', runs: 1 },
          { version: 1, nodeId: 'wait', variant: 'a', runs: 2 },
          { version: 1, nodeId: 'wait', variant: 'b', runs: 1 },
          { version: 1, nodeId: 'check', variant: 'a', runs: 2 },
          { version: 2, nodeId: 'split', variant: null, runs: 1 },
        ]),
      );
      assert.deepEqual(
        sorted(all.edges),
        sorted([
          { version: 1, fromNodeId: null, nodeId: 'split', runs: 2 },
          { version: 1, fromNodeId: 'split', nodeId: 'a', runs: 1 },
          { version: 1, fromNodeId: 'split', nodeId: 'b', runs: 1 },
          { version: 1, fromNodeId: 'a', nodeId: 'wait', runs: 1 },
          { version: 1, fromNodeId: 'b', nodeId: 'wait', runs: 1 },
          { version: 1, fromNodeId: 'check', nodeId: 'wait', runs: 1 },
          { version: 1, fromNodeId: 'wait', nodeId: 'check', runs: 2 },
          { version: 2, fromNodeId: null, nodeId: 'split', runs: 1 },
        ]),
      );
      const v2 = await store.reports.aggregate(query(2));
      assert.deepEqual(v2.edges, [{ version: 2, fromNodeId: null, nodeId: 'split', runs: 1 }]);
      assert.deepEqual(v2.visits, [{ version: 2, nodeId: 'split', variant: null, runs: 1 }]);
    });
  });
}
