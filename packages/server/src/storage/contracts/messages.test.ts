// The storage contract of the outbox, run against every backend (storage/testing.ts): SQLite
// always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh, migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { MessageRow } from '../store.ts';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, MIN, message, rich } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('messages', () => {
      it('inserts idempotently by key and returns only what was inserted', async () => {
        const inserted = await store.messages.insert([
          message('m1', { content: rich }),
          message('m2'),
          message('m3', { idempotencyKey: 'key-m1' }),
        ]);
        assert.deepEqual(
          inserted.map((m) => m.id),
          ['m1', 'm2'],
        );
        assert.deepEqual(inserted[0], message('m1', { content: rich }));
        assert.deepEqual(
          await store.messages.insert([message('m9', { idempotencyKey: 'key-m2' })]),
          [],
        );
        assert.equal(await store.messages.get(WS, 'm9'), null);
        assert.equal((await store.messages.getByKey(WS, 'key-m2'))?.id, 'm2');
        assert.equal(await store.messages.getByKey(OTHER, 'key-m2'), null);
        assert.equal(
          (await store.messages.insert([message('m2', { workspaceId: OTHER })])).length,
          1,
        );
      });

      it('claims due rows with a lease; an expired lease is reclaimed, an unexpired one is not', async () => {
        await store.messages.insert([
          message('due', { availableAt: T0 - MIN }),
          message('later', { availableAt: T0 + 10 * MIN }),
          message('sent', { status: 'sent', availableAt: T0 - MIN }),
        ]);
        const claimed = await store.transaction((tx) => tx.messages.claim(T0, 10, 30_000));
        assert.deepEqual(
          claimed.map((m) => [m.id, m.status, m.leaseUntil, m.updatedAt]),
          [['due', 'sending', T0 + 30_000, T0]],
        );
        assert.deepEqual(
          await store.transaction((tx) => tx.messages.claim(T0 + 29_999, 10, 30_000)),
          [],
        );
        assert.equal(await store.messages.nextAvailable(), T0 + 30_000);
        const again = await store.transaction((tx) => tx.messages.claim(T0 + 30_000, 10, 30_000));
        assert.deepEqual(
          again.map((m) => [m.id, m.leaseUntil]),
          [['due', T0 + 60_000]],
        );
        await store.messages.update(WS, 'due', {
          status: 'sent',
          leaseUntil: null,
          sentAt: T0 + 30_001,
        });
        assert.equal(await store.messages.nextAvailable(), T0 + 10 * MIN);
        const late = await store.messages.claim(T0 + 10 * MIN, 10, 1000);
        assert.deepEqual(
          late.map((m) => m.id),
          ['later'],
        );
      });

      it('claims oldest first, up to the limit', async () => {
        await store.messages.insert([
          message('b', { availableAt: T0 - 1 }),
          message('c', { availableAt: T0 }),
          message('a', { availableAt: T0 - 2 }),
        ]);
        const claimed = await store.messages.claim(T0, 2, 1000);
        assert.deepEqual(
          claimed.map((m) => m.id),
          ['a', 'b'],
        );
      });

      it('updates a message by patch', async () => {
        await store.messages.insert([message('m1')]);
        await store.messages.update(WS, 'm1', {
          status: 'failed',
          attempts: 3,
          error: 'mailbox full',
          providerMessageId: 'prov-1',
          content: { subject: 'Changed', nested: { a: [1] } },
          recipient: null,
          updatedAt: T0 + 1,
        });
        assert.deepEqual(
          await store.messages.get(WS, 'm1'),
          message('m1', {
            status: 'failed',
            attempts: 3,
            error: 'mailbox full',
            providerMessageId: 'prov-1',
            content: { subject: 'Changed', nested: { a: [1] } },
            recipient: null,
            updatedAt: T0 + 1,
          }),
        );
      });

      it('records many send results at once, each row to its own values', async () => {
        await store.messages.insert([
          message('m1'),
          message('m2', { profileId: 'p2' }),
          message('m3'),
        ]);
        const sent = message('m1', {
          status: 'sent',
          attempts: 1,
          providerMessageId: 'prov-1',
          content: { subject: 'Hello', from: '+15005550006' },
          sentAt: T0 + 5,
          updatedAt: T0 + 5,
        });
        const retry = message('m2', {
          profileId: 'p2',
          status: 'pending',
          attempts: 1,
          availableAt: T0 + 60_000,
          error: 'try later',
          updatedAt: T0 + 5,
        });
        // Of two results for one row, the last is written.
        await store.messages.recordResults([{ ...sent, status: 'dead' }, retry, sent]);
        assert.deepEqual(await store.messages.get(WS, 'm1'), sent);
        assert.deepEqual(await store.messages.get(WS, 'm2'), retry);
        assert.deepEqual(await store.messages.get(WS, 'm3'), message('m3'), 'untouched');
        await store.messages.recordResults([]);
      });

      it('lists newest first with filters and cursors', async () => {
        await store.messages.insert([
          message('m1', { createdAt: T0 }),
          message('m2', { createdAt: T0 + 1, channel: 'sms' }),
          message('m3', { createdAt: T0 + 1 }),
          message('m4', { createdAt: T0 + 2, profileId: 'p2', runId: 'r2' }),
          message('m5', { createdAt: T0 + 3, workspaceId: OTHER }),
        ]);
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.messages.list(WS, { limit: 1, cursor });
          ids.push(...page.items.map((m) => m.id));
          cursor = page.next ?? undefined;
        } while (cursor);
        assert.deepEqual(ids, ['m4', 'm3', 'm2', 'm1']);
        const email = await store.messages.list(WS, { limit: 10, channel: 'email' });
        assert.deepEqual(
          email.items.map((m) => m.id),
          ['m4', 'm3', 'm1'],
        );
        assert.equal(email.next, null);
        assert.deepEqual(
          (await store.messages.list(WS, { limit: 10, profileId: 'p2' })).items.map((m) => m.id),
          ['m4'],
        );
        assert.deepEqual(
          (await store.messages.list(WS, { limit: 10, runId: 'r1' })).items.map((m) => m.id),
          ['m3', 'm2', 'm1'],
        );
      });

      it('finds a message by its provider id, within its workspace', async () => {
        await store.messages.insert([
          message('m1'),
          message('m2'),
          message('m1', { workspaceId: OTHER, providerMessageId: 'SM-1' }),
        ]);
        assert.equal(await store.messages.getByProviderId(WS, 'SM-1'), null);
        await store.messages.update(WS, 'm2', { providerMessageId: 'SM-1', status: 'sent' });
        assert.deepEqual(
          await store.messages.getByProviderId(WS, 'SM-1'),
          message('m2', { providerMessageId: 'SM-1', status: 'sent' }),
        );
        assert.equal((await store.messages.getByProviderId(OTHER, 'SM-1'))?.workspaceId, OTHER);
        assert.equal(await store.messages.getByProviderId(WS, 'SM-2'), null);
        assert.equal(await store.messages.getByProviderId(WS, ''), null);
      });

      it('counts sent and delivered messages of a profile on a channel since a time', async () => {
        const sent = (id: string, sentAt: number, over: Partial<MessageRow> = {}): MessageRow =>
          message(id, { status: 'sent', sentAt, ...over });
        await store.messages.insert([
          sent('before', T0 - 1),
          sent('at', T0),
          message('delivered', { status: 'delivered', sentAt: T0 + MIN }),
          sent('other-journey', T0 + 2 * MIN, { journeyId: 'j2' }),
          sent('no-journey', T0 + 2 * MIN, { journeyId: null, runId: null, kind: 'alert' }),
          // Not counted: not (yet) out, failed after an attempt, other channel/profile/workspace.
          message('pending', { sentAt: null }),
          message('failed', { status: 'failed', sentAt: T0 + MIN }),
          message('skipped', { status: 'skipped', sentAt: T0 + MIN }),
          message('sending', { status: 'sending', sentAt: T0 + MIN }),
          sent('sms', T0 + MIN, { channel: 'sms' }),
          sent('p2', T0 + MIN, { profileId: 'p2' }),
          sent('other-ws', T0 + MIN, { workspaceId: OTHER }),
        ]);
        const count = (since: number, journeyId?: string): Promise<number> =>
          store.messages.countSent({
            workspaceId: WS,
            profileId: 'p1',
            channel: 'email',
            since,
            journeyId,
          });
        assert.equal(await count(T0 - 1), 5, 'sent_at >= since, statuses sent and delivered');
        assert.equal(await count(T0), 4, 'a message sent exactly at `since` counts');
        assert.equal(await count(T0 + 1), 3);
        assert.equal(await count(T0 + 2 * MIN + 1), 0);
        assert.equal(await count(T0 - 1, 'j1'), 3, 'only the journey’s messages');
        assert.equal(await count(T0 - 1, 'j2'), 1);
        assert.equal(await count(T0 - 1, 'j9'), 0);
        assert.equal(
          await store.messages.countSent({
            workspaceId: WS,
            profileId: 'p1',
            channel: 'sms',
            since: 0,
          }),
          1,
        );
      });
    });
  });
}
