// The storage contract of journey drafts, run against every backend (storage/testing.ts): SQLite
// always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { MIN, OTHER, T0, WS } from './fixtures.ts';

const draft = (over: { baseRevision: number; name?: string; at?: number }) => ({
  workspaceId: WS,
  journeyId: 'basket',
  document: { id: 'basket', name: over.name ?? 'Basket', nodes: { a: { type: 'exit' } } },
  layout: { a: { x: 10, y: 20.5 } },
  updatedAt: over.at ?? T0,
  updatedBy: 'u1',
  baseRevision: over.baseRevision,
});

for (const backend of backends()) {
  describe(`storage contract: journey drafts (${backend.name})`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('saves a draft revision by revision and reads it back as saved', async () => {
      const first = await store.journeyDrafts.save(draft({ baseRevision: 0 }));
      assert.equal(first?.revision, 1);
      const second = await store.journeyDrafts.save(
        draft({ baseRevision: 1, name: 'Basket v2', at: T0 + MIN }),
      );
      assert.equal(second?.revision, 2);
      const stored = await store.journeyDrafts.get(WS, 'basket');
      assert.deepEqual(stored, {
        workspaceId: WS,
        journeyId: 'basket',
        document: { id: 'basket', name: 'Basket v2', nodes: { a: { type: 'exit' } } },
        layout: { a: { x: 10, y: 20.5 } },
        revision: 2,
        updatedAt: T0 + MIN,
        updatedBy: 'u1',
      });
      assert.equal(await store.journeyDrafts.get(OTHER, 'basket'), null);
    });

    it('refuses a save made on an older revision, writing nothing', async () => {
      await store.journeyDrafts.save(draft({ baseRevision: 0 }));
      await store.journeyDrafts.save(draft({ baseRevision: 1, name: 'Tab A' }));
      assert.equal(await store.journeyDrafts.save(draft({ baseRevision: 1, name: 'Tab B' })), null);
      assert.equal(await store.journeyDrafts.save(draft({ baseRevision: 0, name: 'New' })), null);
      const stored = await store.journeyDrafts.get(WS, 'basket');
      assert.equal(stored?.document.name, 'Tab A');
      assert.equal(stored?.revision, 2);
    });

    it('two saves on the same revision at once: exactly one wins', async () => {
      await store.journeyDrafts.save(draft({ baseRevision: 0 }));
      const results = await Promise.all(
        ['A', 'B', 'C'].map((name) => store.journeyDrafts.save(draft({ baseRevision: 1, name }))),
      );
      assert.equal(results.filter((r) => r !== null).length, 1);
    });

    it('lists a workspace in journey id order and removes a draft', async () => {
      await store.journeyDrafts.save({ ...draft({ baseRevision: 0 }), journeyId: 'welcome' });
      await store.journeyDrafts.save(draft({ baseRevision: 0 }));
      await store.journeyDrafts.save({ ...draft({ baseRevision: 0 }), workspaceId: OTHER });
      assert.deepEqual(
        (await store.journeyDrafts.list(WS)).map((d) => d.journeyId),
        ['basket', 'welcome'],
      );
      assert.equal(await store.journeyDrafts.remove(WS, 'basket'), true);
      assert.equal(await store.journeyDrafts.remove(WS, 'basket'), false);
      assert.equal(await store.journeyDrafts.get(WS, 'basket'), null);
      assert.equal((await store.journeyDrafts.list(OTHER)).length, 1);
    });
  });
}
