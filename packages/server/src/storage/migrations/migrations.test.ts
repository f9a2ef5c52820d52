// Upgrades: a store made by an earlier migration, with data in it, migrates to the latest schema
// and keeps its rows. Run on every backend, as an install upgrading in place would.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { backends, rawHandle, type TestStore } from '../testing.ts';
import { migrationProvider } from './index.ts';

const T0 = Date.UTC(2026, 4, 4, 9, 0, 0);

for (const backend of backends()) {
  describe(`migrations: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open({ migrate: false });
    });
    afterEach(async () => {
      await store.close();
    });

    it('002-channels upgrades a 001 store with tasks and messages in it', async () => {
      const db = rawHandle(store.url);
      try {
        const migrator = new Migrator({
          db,
          provider: migrationProvider(store.dialect),
          migrationTableName: 'migrations',
          migrationLockTableName: 'migrations_lock',
        });
        const { error } = await migrator.migrateTo('001-initial');
        assert.equal(error, undefined);
        await sql`insert into tasks (workspace_id, profile_id, id, idempotency_key, team, title,
            due_at, status, created_at, updated_at)
          values ('w', 'p1', 't1', 'k1', 'sales', 'Call back', ${T0}, 'open', ${T0}, ${T0})`.execute(
          db,
        );
        await sql`insert into messages (workspace_id, profile_id, id, idempotency_key, kind,
            channel, content, status, attempts, available_at, provider_message_id, created_at,
            updated_at, sent_at)
          values ('w', 'p1', 'm1', 'k1', 'message', 'sms', '{}', 'sent', 1, ${T0}, 'SM1', ${T0},
            ${T0}, ${T0})`.execute(db);
      } finally {
        await db.destroy();
      }

      // 002 and every later migration apply to a 001 store with data in it.
      assert.deepEqual((await store.migrate()).applied.slice(0, 1), ['002-channels']);
      const task = await store.tasks.get('w', 't1');
      assert.equal(task?.escalatedAt, null, 'existing tasks are not escalated');
      assert.deepEqual(
        (await store.tasks.overdue(T0, 10)).map((t) => t.id),
        ['t1'],
      );
      assert.equal(await store.tasks.nextOverdue(), T0);
      assert.equal((await store.messages.getByProviderId('w', 'SM1'))?.id, 'm1');
      assert.equal(
        await store.messages.countSent({
          workspaceId: 'w',
          profileId: 'p1',
          channel: 'sms',
          since: T0,
        }),
        1,
      );
      assert.deepEqual(await store.subscriptions.forProfile('w', 'p1'), []);
      assert.deepEqual(await store.migrate(), { applied: [] });
    });
  });
}
