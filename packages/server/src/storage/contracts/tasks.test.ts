// The storage contract of tasks for staff, run against every backend (storage/testing.ts): SQLite
// always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, MIN, task } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
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
  });
}
