// The storage contract of timers that start runs, run against every backend (storage/testing.ts):
// SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, T0, MIN, timer } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
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
  });
}
