// The storage contract of profiles and identities, run against every backend (storage/testing.ts):
// SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AppError } from '../../errors.ts';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, profile, rich } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('profiles', () => {
      it('inserts, gets, updates (patch) and gets many', async () => {
        await store.profiles.insert([profile('p1', { traits: { plan: 'pro' } }), profile('p2')]);
        await store.profiles.update(WS, 'p1', { lastSeenAt: T0 + 5, updatedAt: T0 + 5 });
        const p1 = await store.profiles.get(WS, 'p1');
        assert.deepEqual(
          p1,
          profile('p1', { traits: { plan: 'pro' }, lastSeenAt: T0 + 5, updatedAt: T0 + 5 }),
        );
        await store.profiles.update(WS, 'p1', { traits: { plan: 'free' } });
        assert.deepEqual((await store.profiles.get(WS, 'p1'))?.traits, { plan: 'free' });
        assert.equal((await store.profiles.get(WS, 'p1'))?.lastSeenAt, T0 + 5);
        assert.equal(await store.profiles.get(OTHER, 'p1'), null);
        const many = await store.profiles.getMany(WS, ['p2', 'p1', 'missing', 'p1']);
        assert.deepEqual(many.map((p) => p.id).sort(), ['p1', 'p2']);
        assert.deepEqual(await store.profiles.getMany(WS, []), []);
      });

      it('moves last-seen times forward without reading, only past the granularity', async () => {
        await store.profiles.insert([
          profile('p1'),
          profile('p2', { lastSeenAt: T0 }),
          profile('p3', { lastSeenAt: T0 }),
          profile('p4', { lastSeenAt: T0 + 500_000 }),
        ]);
        await store.profiles.touch(
          [
            { workspaceId: WS, id: 'p1', lastSeenAt: T0 + 10 },
            { workspaceId: WS, id: 'p2', lastSeenAt: T0 + 59_999 },
            { workspaceId: WS, id: 'p3', lastSeenAt: T0 + 60_000 },
            { workspaceId: WS, id: 'p4', lastSeenAt: T0 + 60_000 },
            { workspaceId: WS, id: 'nobody', lastSeenAt: T0 },
            { workspaceId: WS, id: 'p1', lastSeenAt: null },
          ],
          60_000,
        );
        const seen = async (id: string) => (await store.profiles.get(WS, id))?.lastSeenAt;
        assert.equal(await seen('p1'), T0 + 10, 'never seen: written');
        assert.equal(await seen('p2'), T0, 'within the granularity: kept');
        assert.equal(await seen('p3'), T0 + 60_000, 'a granularity later: written');
        assert.equal(await seen('p4'), T0 + 500_000, 'never moved back');
        assert.equal((await store.profiles.get(WS, 'p1'))?.updatedAt, T0, 'traits untouched');
        await store.profiles.touch([], 60_000);
      });

      it('updates the traits of many profiles at once', async () => {
        await store.profiles.insert([
          profile('p1'),
          profile('p2'),
          profile('p3', { traits: { keep: 1 } }),
        ]);
        await store.profiles.updateMany([
          {
            workspaceId: WS,
            id: 'p1',
            traits: { plan: 'pro', n: { deep: 'é' } },
            updatedAt: T0 + 7,
            lastSeenAt: T0 + 6,
          },
          { workspaceId: WS, id: 'p2', traits: {}, updatedAt: T0 + 8, lastSeenAt: null },
        ]);
        const [p1, p2, p3] = await Promise.all(
          ['p1', 'p2', 'p3'].map((id) => store.profiles.get(WS, id)),
        );
        assert.deepEqual(p1?.traits, { plan: 'pro', n: { deep: 'é' } });
        assert.equal(p1?.updatedAt, T0 + 7);
        assert.equal(p1?.lastSeenAt, T0 + 6);
        assert.equal(p2?.updatedAt, T0 + 8);
        assert.deepEqual(p3?.traits, { keep: 1 }, 'others untouched');
      });

      it('pages through profiles with opaque cursors', async () => {
        await store.profiles.insert(['e', 'a', 'd', 'c', 'b'].map((id) => profile(id)));
        await store.profiles.insert([profile('z', { workspaceId: OTHER })]);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages += 1) {
          const page = await store.profiles.list(WS, { limit: 2, cursor });
          seen.push(...page.items.map((p) => p.id));
          if (!page.next) break;
          assert.doesNotMatch(page.next, /^[a-e]$/);
          cursor = page.next;
        }
        assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
        await assert.rejects(
          store.profiles.list(WS, { limit: 2, cursor: 'not-a-cursor' }),
          (e: unknown) => e instanceof AppError && e.code === 'invalid_input',
        );
        await assert.rejects(
          store.profiles.list(WS, { limit: 0 }),
          (e: unknown) => e instanceof AppError && e.details[0]?.path === 'limit',
        );
      });

      it('links identities once and resolves them by kind:value', async () => {
        await store.profiles.insert([profile('p1'), profile('p2')]);
        await store.profiles.link([
          { workspaceId: WS, kind: 'userId', value: 'u1', profileId: 'p1' },
          { workspaceId: WS, kind: 'email', value: 'ada@example.com', profileId: 'p1' },
        ]);
        // Already linked: left as it is.
        await store.profiles.link([
          { workspaceId: WS, kind: 'userId', value: 'u1', profileId: 'p2' },
        ]);
        await store.profiles.link([
          { workspaceId: OTHER, kind: 'userId', value: 'u1', profileId: 'x' },
        ]);
        const found = await store.profiles.resolve(WS, [
          { kind: 'userId', value: 'u1' },
          { kind: 'email', value: 'ada@example.com' },
          { kind: 'anonymousId', value: 'u1' },
        ]);
        assert.deepEqual([...found.entries()].sort(), [
          ['email:ada@example.com', 'p1'],
          ['userId:u1', 'p1'],
        ]);
        assert.deepEqual(
          (await store.profiles.identities(WS, 'p1')).map((i) => `${i.kind}:${i.value}`),
          ['email:ada@example.com', 'userId:u1'],
        );
        assert.equal((await store.profiles.resolve(WS, [])).size, 0);
      });

      it('resolves merged profiles to the survivor, through chains of merges', async () => {
        await store.profiles.insert([profile('p1'), profile('p2'), profile('p3')]);
        await store.profiles.link([
          { workspaceId: WS, kind: 'anonymousId', value: 'anon1', profileId: 'p1' },
          { workspaceId: WS, kind: 'anonymousId', value: 'anon2', profileId: 'p2' },
        ]);
        await store.profiles.update(WS, 'p1', { mergedInto: 'p2' });
        await store.profiles.update(WS, 'p2', { mergedInto: 'p3' });
        const found = await store.profiles.resolve(WS, [
          { kind: 'anonymousId', value: 'anon1' },
          { kind: 'anonymousId', value: 'anon2' },
        ]);
        assert.equal(found.get('anonymousId:anon1'), 'p3');
        assert.equal(found.get('anonymousId:anon2'), 'p3');
      });

      it('relinks identities of a merged profile', async () => {
        await store.profiles.insert([profile('p1'), profile('p2')]);
        await store.profiles.link([
          { workspaceId: WS, kind: 'anonymousId', value: 'anon1', profileId: 'p1' },
          { workspaceId: WS, kind: 'userId', value: 'u2', profileId: 'p2' },
        ]);
        await store.profiles.relink(WS, 'p1', 'p2');
        assert.deepEqual(await store.profiles.identities(WS, 'p1'), []);
        assert.deepEqual(
          (await store.profiles.identities(WS, 'p2')).map((i) => i.value),
          ['anon1', 'u2'],
        );
      });

      it('round-trips JSON traits (nested, unicode, numbers)', async () => {
        await store.profiles.insert([profile('p1', { traits: rich })]);
        assert.deepEqual((await store.profiles.get(WS, 'p1'))?.traits, rich);
      });

      it('stores NUL characters and unpaired surrogates in JSON as U+FFFD', async () => {
        await store.profiles.insert([
          profile('p1', { traits: { a: 'x\u0000y', b: 'z\ud800', c: '\\u0000' } }),
        ]);
        assert.deepEqual((await store.profiles.get(WS, 'p1'))?.traits, {
          a: 'x\ufffdy',
          b: 'z\ufffd',
          c: '\\u0000',
        });
      });
    });
  });
}
