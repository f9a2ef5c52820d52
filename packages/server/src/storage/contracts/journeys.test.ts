// The storage contract of journeys and their versions, run against every backend
// (storage/testing.ts): SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh,
// migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, definition } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('journeys', () => {
      it('upserts journeys (keeping createdAt) and finds live ones by trigger', async () => {
        const base = {
          workspaceId: WS,
          name: 'Welcome',
          publishedVersion: null,
          latestVersion: 1,
          triggerType: null,
          triggerEvent: null,
          status: 'draft' as const,
          createdAt: T0,
          updatedAt: T0,
        };
        await store.journeys.upsert({ ...base, id: 'j1' });
        await store.journeys.upsert({ ...base, id: 'j2' });
        await store.journeys.upsert({
          ...base,
          id: 'j3',
          publishedVersion: 1,
          status: 'paused',
          triggerType: 'event',
          triggerEvent: 'signed_up',
        });
        const live = {
          ...base,
          id: 'j1',
          name: 'Welcome v2',
          publishedVersion: 1,
          latestVersion: 2,
          triggerType: 'event',
          triggerEvent: 'signed_up',
          status: 'live' as const,
          createdAt: T0 + 99,
          updatedAt: T0 + 1,
        };
        await store.journeys.upsert(live);
        assert.deepEqual(await store.journeys.get(WS, 'j1'), { ...live, createdAt: T0 });
        assert.equal(await store.journeys.get(OTHER, 'j1'), null);
        assert.deepEqual(
          (await store.journeys.list(WS)).map((j) => j.id),
          ['j1', 'j2', 'j3'],
        );
        assert.deepEqual(
          (await store.journeys.live(WS, {})).map((j) => j.id),
          ['j1'],
        );
        assert.deepEqual(
          (await store.journeys.live(WS, { triggerType: 'event', triggerEvent: 'signed_up' })).map(
            (j) => j.id,
          ),
          ['j1'],
        );
        assert.deepEqual(
          await store.journeys.live(WS, { triggerType: 'event', triggerEvent: 'other' }),
          [],
        );
        assert.deepEqual(await store.journeys.live(WS, { triggerType: 'date' }), []);
      });

      it('stores versions with their definitions and marks one published once', async () => {
        await store.journeys.upsert({
          workspaceId: WS,
          id: 'j1',
          name: 'Welcome',
          publishedVersion: null,
          latestVersion: 2,
          triggerType: null,
          triggerEvent: null,
          status: 'draft',
          createdAt: T0,
          updatedAt: T0,
        });
        const v1 = {
          workspaceId: WS,
          journeyId: 'j1',
          version: 1,
          definition,
          createdAt: T0,
          publishedAt: null,
        };
        await store.journeys.addVersion(v1);
        await store.journeys.addVersion({
          ...v1,
          version: 2,
          definition: { ...definition, name: 'Two' },
        });
        assert.deepEqual(await store.journeys.getVersion(WS, 'j1', 1), v1);
        // The document keeps its key order (jsonb would sort keys by length).
        const stored = await store.journeys.getVersion(WS, 'j1', 1);
        assert.equal(JSON.stringify(stored?.definition), JSON.stringify(definition));
        assert.equal(await store.journeys.getVersion(WS, 'j1', 3), null);
        await store.journeys.markPublished(WS, 'j1', 2, T0 + 5);
        await store.journeys.markPublished(WS, 'j1', 2, T0 + 9);
        const versions = await store.journeys.listVersions(WS, 'j1');
        assert.deepEqual(
          versions.map((v) => [v.version, v.definition.name, v.publishedAt]),
          [
            [1, 'Welcome', null],
            [2, 'Two', T0 + 5],
          ],
        );
      });
    });
  });
}
