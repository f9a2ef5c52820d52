// The storage contract of workspaces and their keys, run against every backend
// (storage/testing.ts): SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh,
// migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0 } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
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
  });
}
