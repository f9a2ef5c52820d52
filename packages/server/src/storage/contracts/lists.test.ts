// The storage contract of lists and memberships, run against every backend (storage/testing.ts):
// SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, T0 } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
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
  });
}
