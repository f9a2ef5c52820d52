// The storage contract of named leases, run against every backend (storage/testing.ts): SQLite
// always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { T0 } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('leases', () => {
      it('is taken when free, expired or already ours, and released only by its owner', async () => {
        assert.equal(await store.leases.acquire('events:0', 'w1', T0, 10_000), true);
        assert.equal(await store.leases.acquire('events:0', 'w2', T0 + 9_999, 10_000), false);
        assert.equal(await store.leases.acquire('events:0', 'w1', T0 + 9_999, 10_000), true);
        assert.equal(await store.leases.acquire('events:0', 'w2', T0 + 19_998, 10_000), false);
        assert.equal(await store.leases.acquire('events:0', 'w2', T0 + 19_999, 10_000), true);
        assert.equal(await store.leases.acquire('events:1', 'w1', T0, 10_000), true);
        await store.leases.release('events:0', 'w1');
        assert.equal(await store.leases.acquire('events:0', 'w1', T0 + 20_000, 10_000), false);
        await store.leases.release('events:0', 'w2');
        assert.equal(await store.leases.acquire('events:0', 'w1', T0 + 20_000, 10_000), true);
      });
    });
  });
}
