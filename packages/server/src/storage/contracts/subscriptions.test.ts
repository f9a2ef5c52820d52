// The storage contract of consent per profile, channel and topic, run against every backend
// (storage/testing.ts): SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh,
// migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, subscription } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
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
  });
}
