// The storage contract of runs and their traces, run against every backend (storage/testing.ts):
// SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, MIN, run, message, task, rich } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
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
  });
}
