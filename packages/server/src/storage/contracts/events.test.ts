// The storage contract of events, run against every backend (storage/testing.ts): SQLite always,
// PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, event, rich } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('events', () => {
      it('inserts with increasing seq and skips duplicates of (workspace, messageId)', async () => {
        const first = await store.events.insert([
          event('m1', { properties: rich, context: { ip: '1.2.3.4' } }),
          event('m2'),
          event('m2'),
        ]);
        assert.equal(first.length, 2);
        const [e1, e2] = first;
        assert.ok(e1 && e2 && e1.seq < e2.seq);
        assert.deepEqual(e1, {
          ...event('m1', { properties: rich, context: { ip: '1.2.3.4' } }),
          seq: e1.seq,
          processedAt: null,
        });
        assert.deepEqual(await store.events.insert([event('m1'), event('m2')]), []);
        const again = await store.events.insert([event('m1'), event('m3')]);
        assert.deepEqual(
          again.map((e) => e.messageId),
          ['m3'],
        );
        assert.equal((await store.events.insert([event('m1', { workspaceId: OTHER })])).length, 1);
      });

      it('inserts large batches (chunked under the parameter limit)', async () => {
        const rows = Array.from({ length: 7000 }, (_, i) => event(`m${i}`, { partition: i % 4 }));
        const inserted = await store.events.insert(rows);
        assert.equal(inserted.length, 7000);
        assert.equal(new Set(inserted.map((e) => e.seq)).size, 7000);
        assert.deepEqual(
          inserted.map((e) => e.messageId),
          rows.map((e) => e.messageId),
        );
      });

      it('lists pending events of the given partitions in seq order, then marks them processed', async () => {
        const rows = Array.from({ length: 12 }, (_, i) => event(`m${i}`, { partition: i % 3 }));
        await store.events.insert(rows.slice(0, 6));
        await store.events.insert(rows.slice(6));
        const pending = await store.events.pending([0, 2], 100);
        assert.deepEqual(
          pending.map((e) => e.messageId),
          ['m0', 'm2', 'm3', 'm5', 'm6', 'm8', 'm9', 'm11'],
        );
        assert.ok(pending.every((e, i) => i === 0 || (pending[i - 1]?.seq ?? 0) < e.seq));
        const firstThree = await store.events.pending([2, 0, 2], 3);
        assert.deepEqual(
          firstThree.map((e) => e.messageId),
          ['m0', 'm2', 'm3'],
        );
        await store.events.markProcessed(WS, firstThree, T0 + 1);
        assert.deepEqual(
          (await store.events.pending([0, 2], 3)).map((e) => e.messageId),
          ['m5', 'm6', 'm8'],
        );
        assert.deepEqual(await store.events.pending([], 10), []);
        const processed = await store.events.listForProfile(WS, 'p1', { limit: 100 });
        assert.equal(processed.find((e) => e.messageId === 'm0')?.processedAt, T0 + 1);
      });

      it("lists a profile's events newest first, before a seq", async () => {
        await store.events.insert([
          event('m1'),
          event('m2', { profileId: 'p2' }),
          event('m3'),
          event('m4'),
        ]);
        const all = await store.events.listForProfile(WS, 'p1', { limit: 10 });
        assert.deepEqual(
          all.map((e) => e.messageId),
          ['m4', 'm3', 'm1'],
        );
        const older = await store.events.listForProfile(WS, 'p1', {
          limit: 1,
          beforeSeq: all[0]?.seq,
        });
        assert.deepEqual(
          older.map((e) => e.messageId),
          ['m3'],
        );
      });

      it("reassigns a merged profile's events", async () => {
        await store.events.insert([event('m1'), event('m2', { profileId: 'p2' })]);
        await store.events.reassign(WS, 'p1', 'p2');
        assert.deepEqual(await store.events.listForProfile(WS, 'p1', { limit: 10 }), []);
        assert.equal((await store.events.listForProfile(WS, 'p2', { limit: 10 })).length, 2);
      });
    });
  });
}
