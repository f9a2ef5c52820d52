// The storage contract of users, memberships and personal tokens, run against every backend
// (storage/testing.ts). Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import type { UserRow } from '../store.ts';
import { OTHER, T0, WS } from './fixtures.ts';

function user(id: string, email: string, over: Partial<UserRow> = {}): UserRow {
  return { id, email, name: null, passwordHash: null, createdAt: T0, updatedAt: T0, ...over };
}

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('users', () => {
      it('stores emails lower-cased, finds them in any case and refuses a duplicate', async () => {
        assert.equal(await store.users.count(), 0);
        await store.users.create(user('u1', 'Ada@Example.com', { name: 'Ada' }));
        assert.deepEqual(await store.users.getByEmail('ADA@example.COM'), {
          ...user('u1', 'ada@example.com'),
          name: 'Ada',
        });
        assert.equal(await store.users.getByEmail('bob@example.com'), null);
        await assert.rejects(store.users.create(user('u2', 'ada@EXAMPLE.com')));
        assert.equal(await store.users.count(), 1);
        await store.users.setPassword('u1', 'scrypt$x', T0 + 5);
        const got = await store.users.get('u1');
        assert.equal(got?.passwordHash, 'scrypt$x');
        assert.equal(got?.updatedAt, T0 + 5);
      });

      it('keeps one role per workspace and lists members and memberships in order', async () => {
        await store.users.create(user('u1', 'b@example.com'));
        await store.users.create(user('u2', 'a@example.com'));
        await store.users.setMembership({
          workspaceId: WS,
          userId: 'u1',
          role: 'viewer',
          createdAt: T0,
        });
        await store.users.setMembership({
          workspaceId: WS,
          userId: 'u1',
          role: 'admin',
          createdAt: T0,
        });
        await store.users.setMembership({
          workspaceId: WS,
          userId: 'u2',
          role: 'agent',
          createdAt: T0,
        });
        await store.users.setMembership({
          workspaceId: OTHER,
          userId: 'u1',
          role: 'editor',
          createdAt: T0,
        });
        assert.deepEqual(
          (await store.users.members(WS)).map((m) => [m.user.email, m.role]),
          [
            ['a@example.com', 'agent'],
            ['b@example.com', 'admin'],
          ],
        );
        // Ordered by workspace id (WS < OTHER).
        assert.deepEqual(
          (await store.users.memberships('u1')).map((m) => [m.workspaceId, m.role]),
          [
            [WS, 'admin'],
            [OTHER, 'editor'],
          ],
        );
        assert.equal(await store.users.membership(OTHER, 'u2'), null);
        assert.equal(await store.users.countRole(WS, 'admin'), 1);
        assert.equal(await store.users.removeMembership(WS, 'u1'), true);
        assert.equal(await store.users.removeMembership(WS, 'u1'), false);
        assert.equal(await store.users.countRole(WS, 'admin'), 0);
        assert.equal((await store.users.membership(OTHER, 'u1'))?.role, 'editor');
      });

      it('finds personal tokens by hash and deletes only the owner’s', async () => {
        await store.users.create(user('u1', 'a@example.com'));
        await store.users.addToken({
          id: 't1',
          userId: 'u1',
          name: 'ci',
          hash: 'h1',
          createdAt: T0,
        });
        await store.users.addToken({
          id: 't2',
          userId: 'u1',
          name: 'cli',
          hash: 'h2',
          createdAt: T0 + 1,
        });
        assert.deepEqual(
          (await store.users.tokens('u1')).map((t) => t.name),
          ['ci', 'cli'],
        );
        assert.deepEqual(await store.users.findToken('h2'), {
          id: 't2',
          userId: 'u1',
          name: 'cli',
          hash: 'h2',
          createdAt: T0 + 1,
        });
        assert.equal(await store.users.removeToken('u2', 't1'), false);
        assert.equal(await store.users.removeToken('u1', 't1'), true);
        assert.equal(await store.users.findToken('h1'), null);
      });
    });
  });
}
