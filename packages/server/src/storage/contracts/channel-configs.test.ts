// The storage contract of channel provider configurations, run against every backend
// (storage/testing.ts): SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh,
// migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, channelConfig, rich } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('channel configs', () => {
      it('upserts (replacing everything but the key), gets, lists and removes', async () => {
        assert.equal(await store.channelConfigs.get(WS, 'email'), null);
        await store.channelConfigs.upsert(channelConfig('sms', { provider: 'twilio' }));
        await store.channelConfigs.upsert(channelConfig('email', { settings: rich }));
        await store.channelConfigs.upsert(channelConfig('email', { workspaceId: OTHER }));
        assert.deepEqual(await store.channelConfigs.list(WS), [
          channelConfig('email', { settings: rich }),
          channelConfig('sms', { provider: 'twilio' }),
        ]);
        const replaced = channelConfig('email', {
          provider: 'http-email',
          settings: { baseUrl: 'http://127.0.0.1:9/' },
          secrets: null,
          updatedAt: T0 + 1,
        });
        await store.channelConfigs.upsert(replaced);
        assert.deepEqual(await store.channelConfigs.get(WS, 'email'), replaced);
        assert.deepEqual(await store.channelConfigs.get(OTHER, 'email'), {
          ...channelConfig('email'),
          workspaceId: OTHER,
        });
        assert.equal(await store.channelConfigs.remove(WS, 'email'), true);
        assert.equal(await store.channelConfigs.remove(WS, 'email'), false);
        assert.equal(await store.channelConfigs.remove(WS, 'voice'), false);
        assert.deepEqual(
          (await store.channelConfigs.list(WS)).map((c) => c.channel),
          ['sms'],
        );
        assert.equal((await store.channelConfigs.list(OTHER)).length, 1);
      });
    });
  });
}
