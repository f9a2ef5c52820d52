// The storage contract of the personalisation read, run against every backend (storage/testing.ts):
// SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, profile } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: personalization (${backend.name})`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    const traits = { interests: { shoes: 3 }, site_flags: { show_shoes_banner: true } };

    it('reads the traits and sorted lists of the profile an identity points at', async () => {
      await store.profiles.insert([profile('p1', { traits }), profile('p2')]);
      await store.profiles.link([
        { workspaceId: WS, kind: 'anonymousId', value: 'a1', profileId: 'p1' },
        { workspaceId: WS, kind: 'userId', value: 'u1', profileId: 'p1' },
        { workspaceId: WS, kind: 'anonymousId', value: 'a2', profileId: 'p2' },
      ]);
      for (const list of ['vip', 'interest-shoes']) await store.lists.addMember(WS, list, 'p1', T0);
      await store.lists.addMember(WS, 'other', 'p2', T0);
      const expected = { profileId: 'p1', traits, lists: ['interest-shoes', 'vip'] };
      assert.deepEqual(
        await store.profiles.personalization(WS, { kind: 'anonymousId', value: 'a1' }),
        expected,
      );
      assert.deepEqual(
        await store.profiles.personalization(WS, { kind: 'userId', value: 'u1' }),
        expected,
      );
      assert.deepEqual(
        await store.profiles.personalization(WS, { kind: 'anonymousId', value: 'a2' }),
        { profileId: 'p2', traits: {}, lists: ['other'] },
      );
      // Unknown identity, other kind, other workspace.
      assert.equal(await store.profiles.personalization(WS, { kind: 'userId', value: 'a1' }), null);
      assert.equal(
        await store.profiles.personalization(OTHER, { kind: 'anonymousId', value: 'a1' }),
        null,
      );
    });

    it('follows a merge to the surviving profile', async () => {
      await store.profiles.insert([
        profile('old', { mergedInto: 'new' }),
        profile('new', { traits }),
      ]);
      await store.profiles.link([
        { workspaceId: WS, kind: 'anonymousId', value: 'a-old', profileId: 'old' },
      ]);
      await store.lists.addMember(WS, 'interest-shoes', 'new', T0);
      assert.deepEqual(
        await store.profiles.personalization(WS, { kind: 'anonymousId', value: 'a-old' }),
        { profileId: 'new', traits, lists: ['interest-shoes'] },
      );
    });
  });
}
