// The storage contract of suppressed addresses, run against every backend (storage/testing.ts):
// SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AppError } from '../../errors.ts';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, suppression } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('suppressions', () => {
      it('adds once (an existing suppression is kept), gets and removes', async () => {
        assert.equal(await store.suppressions.get(WS, 'email', 'ada@example.com'), null);
        await store.suppressions.add(suppression('email', 'ada@example.com'));
        await store.suppressions.add(
          suppression('email', 'ada@example.com', {
            reason: 'manual',
            detail: null,
            createdAt: T0 + 1,
          }),
        );
        await store.suppressions.add(suppression('sms', '+15550100', { reason: 'complaint' }));
        assert.deepEqual(
          await store.suppressions.get(WS, 'email', 'ada@example.com'),
          suppression('email', 'ada@example.com'),
        );
        assert.equal(await store.suppressions.get(WS, 'sms', 'ada@example.com'), null);
        assert.equal(await store.suppressions.get(OTHER, 'email', 'ada@example.com'), null);
        assert.equal(await store.suppressions.remove(WS, 'email', 'ada@example.com'), true);
        assert.equal(await store.suppressions.remove(WS, 'email', 'ada@example.com'), false);
        assert.equal(await store.suppressions.get(WS, 'email', 'ada@example.com'), null);
        assert.deepEqual(
          await store.suppressions.get(WS, 'sms', '+15550100'),
          suppression('sms', '+15550100', { reason: 'complaint' }),
        );
      });

      it('pages through suppressions by channel and address, of one channel or all', async () => {
        await store.suppressions.add(suppression('sms', '+15550102'));
        await store.suppressions.add(suppression('email', 'b@example.com'));
        await store.suppressions.add(suppression('sms', '+15550101'));
        await store.suppressions.add(suppression('email', 'a@example.com'));
        await store.suppressions.add(suppression('email', 'z@example.com', { workspaceId: OTHER }));
        const all: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.suppressions.list(WS, { limit: 1, cursor });
          all.push(...page.items.map((s) => `${s.channel}:${s.address}`));
          cursor = page.next ?? undefined;
        } while (cursor);
        assert.deepEqual(all, [
          'email:a@example.com',
          'email:b@example.com',
          'sms:+15550101',
          'sms:+15550102',
        ]);
        const first = await store.suppressions.list(WS, { limit: 1, channel: 'sms' });
        assert.deepEqual(first.items, [suppression('sms', '+15550101')]);
        assert.ok(first.next);
        assert.deepEqual(
          await store.suppressions.list(WS, { limit: 1, channel: 'sms', cursor: first.next }),
          { items: [suppression('sms', '+15550102')], next: null },
        );
        assert.deepEqual(await store.suppressions.list(WS, { limit: 10, channel: 'voice' }), {
          items: [],
          next: null,
        });
        await assert.rejects(
          store.suppressions.list(WS, { limit: 10, cursor: 'not-a-cursor' }),
          (e: unknown) => e instanceof AppError && e.details[0]?.path === 'cursor',
        );
        await assert.rejects(
          store.suppressions.list(WS, { limit: 0 }),
          (e: unknown) => e instanceof AppError && e.details[0]?.path === 'limit',
        );
      });
    });
  });
}
