// The storage contract of sessions, one-time links and failed sign-ins, run against every
// backend (storage/testing.ts). Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { MIN, T0 } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('sessions', () => {
      it('creates, renews and ends sessions, all of a user’s but one at once', async () => {
        for (const id of ['s1', 's2', 's3'])
          await store.sessions.create({
            idHash: id,
            userId: id === 's3' ? 'u2' : 'u1',
            createdAt: T0,
            expiresAt: T0 + 60 * MIN,
            renewedAt: T0,
          });
        await store.sessions.renew('s1', T0 + 120 * MIN, T0 + MIN);
        assert.deepEqual(await store.sessions.get('s1'), {
          idHash: 's1',
          userId: 'u1',
          createdAt: T0,
          expiresAt: T0 + 120 * MIN,
          renewedAt: T0 + MIN,
        });
        assert.equal(await store.sessions.removeForUser('u1', 's1'), 1);
        assert.equal(await store.sessions.get('s2'), null);
        assert.notEqual(await store.sessions.get('s1'), null);
        await store.sessions.remove('s1');
        assert.equal(await store.sessions.get('s1'), null);
        assert.notEqual(await store.sessions.get('s3'), null, 'another user keeps theirs');
      });

      it('uses a one-time link once', async () => {
        await store.sessions.addSetupToken({
          hash: 'h',
          kind: 'password',
          userId: 'u1',
          createdAt: T0,
          expiresAt: T0 + 60 * MIN,
          usedAt: null,
        });
        assert.equal((await store.sessions.getSetupToken('h'))?.kind, 'password');
        assert.equal(await store.sessions.useSetupToken('h', T0 + 1), true);
        assert.equal(await store.sessions.useSetupToken('h', T0 + 2), false);
        assert.equal((await store.sessions.getSetupToken('h'))?.usedAt, T0 + 1);
        assert.equal(await store.sessions.getSetupToken('nope'), null);
      });

      it('counts failed sign-ins per key within a window, and prunes old ones', async () => {
        await store.sessions.addSignInFailure(['email:a', 'address:1'], T0);
        await store.sessions.addSignInFailure(['email:a', 'address:1'], T0 + 5 * MIN);
        await store.sessions.addSignInFailure(['email:b', 'address:1'], T0 + 6 * MIN);
        assert.deepEqual(await store.sessions.signInFailures('address:1', T0), {
          count: 3,
          oldest: T0,
        });
        assert.deepEqual(await store.sessions.signInFailures('email:a', T0 + MIN), {
          count: 1,
          oldest: T0 + 5 * MIN,
        });
        assert.deepEqual(await store.sessions.signInFailures('email:c', T0), {
          count: 0,
          oldest: null,
        });
        await store.sessions.clearSignInFailures('email:a');
        assert.equal((await store.sessions.signInFailures('email:a', T0)).count, 0);
        assert.equal((await store.sessions.signInFailures('address:1', T0)).count, 3);
        assert.equal(await store.sessions.pruneSignInFailures(T0 + MIN), 1);
        assert.equal((await store.sessions.signInFailures('address:1', 0)).count, 2);
      });
    });
  });
}
