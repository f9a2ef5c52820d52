// The storage contract, run against every backend: SQLite always, PostgreSQL when DATABASE_URL is
// set. This file holds what the store does as a whole: migrations, transactions (commit,
// rollback, isolation) and, on PostgreSQL, claims that lock rows so that concurrent transactions
// take disjoint ones; each repo's contract is in contracts/<aggregate>.test.ts. Each test gets a
// fresh, migrated store, so tests can read global queues (due runs, pending events) without
// seeing each other's rows.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Tx } from './store.ts';
import { backends, type TestStore } from './testing.ts';
import { WS, T0, profile, event, run, message, task, timer, gate } from './contracts/fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
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
