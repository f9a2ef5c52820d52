// The Segment tracking API over real HTTP, as curl would call it: keys, field-naming errors,
// Segment's size limits, deduplication, clock-skew correction and identity merges. Runs on SQLite
// and, when DATABASE_URL is set, on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { getProfile, profileEvents } from '../app/profiles.ts';
import { ManualClock } from '../clock.ts';
import { basicAuth, startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

type Profile = Awaited<ReturnType<typeof getProfile>>;
type Events = { items: Awaited<ReturnType<typeof profileEvents>> };

const NOW = Date.parse('2026-03-02T12:00:00.000Z');

for (const backend of testDatabaseUrls()) {
  describe(`Segment tracking API (${backend.name})`, () => {
    const clock = new ManualClock(NOW);
    let server: TestServer;
    before(async () => {
      server = await startTestServer(backend, { clock });
    });
    after(() => server.close());

    const events = async (ref: string) =>
      (await server.admin<Events>('GET', `/api/profiles/${ref}/events`)).body.items;

    it('answers 401 without a write key, or with an unknown one', async () => {
      const call = { userId: 'u-auth', event: 'Signed Up' };
      const missing = await server.track('/v1/track', call, { auth: null });
      assert.equal(missing.status, 401);
      assert.equal(missing.body.error?.code, 'unauthorized');
      assert.match(missing.body.error?.message ?? '', /write key/);
      const unknown = await server.track('/v1/track', call, { auth: basicAuth('wk_nope') });
      assert.equal(unknown.status, 401);
      assert.match(unknown.body.error?.message ?? '', /unknown write key/);
      const bearer = await server.track('/v1/track', call, { auth: 'Bearer wk_test_write_key' });
      assert.equal(bearer.status, 401);
    });

    it('accepts the write key in the body, as Segment clients send it', async () => {
      const res = await server.track(
        '/v1/track',
        { writeKey: 'wk_test_write_key', userId: 'u-body-key', event: 'Signed Up' },
        { auth: null },
      );
      assert.deepEqual(res, { status: 200, body: { success: true } });
      assert.deepEqual(
        (await events('u-body-key')).map((e) => e.name),
        ['Signed Up'],
      );
    });

    it('accepts every call type and answers like Segment', async () => {
      const calls: Array<[string, Record<string, unknown>]> = [
        ['identify', { userId: 'u-all', traits: { plan: 'pro' } }],
        ['track', { userId: 'u-all', event: 'Order Completed', properties: { revenue: 10 } }],
        ['page', { userId: 'u-all', name: 'Pricing', properties: { path: '/pricing' } }],
        ['screen', { userId: 'u-all', name: 'Home' }],
        ['group', { userId: 'u-all', groupId: 'acme', traits: { size: 5 } }],
      ];
      for (const [type, body] of calls) {
        assert.deepEqual(await server.track(`/v1/${type}`, body), {
          status: 200,
          body: { success: true },
        });
      }
      const stored = await events('u-all');
      assert.deepEqual(stored.map((e) => e.type).sort(), [
        'group',
        'identify',
        'page',
        'screen',
        'track',
      ]);
      assert.equal(stored.find((e) => e.type === 'page')?.properties.name, 'Pricing');
      const profile = await server.admin<Profile>('GET', '/api/profiles/u-all');
      assert.equal(profile.body.profile.traits.plan, 'pro');
    });

    it('reads JSON sent as text/plain (browser beacons)', async () => {
      const res = await fetch(`${server.address}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: basicAuth('wk_test_write_key') },
        body: JSON.stringify({ userId: 'u-beacon', event: 'Beacon' }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(
        (await events('u-beacon')).map((e) => e.name),
        ['Beacon'],
      );
    });

    it('reads gzip-compressed batches', async () => {
      const post = (body: Buffer) =>
        fetch(`${server.address}/v1/batch`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            authorization: basicAuth('wk_test_write_key'),
          },
          body,
        });
      const batch = { batch: [{ type: 'track', userId: 'u-gzip', event: 'Zipped' }] };
      const res = await post(gzipSync(JSON.stringify(batch)));
      assert.equal(res.status, 200);
      assert.deepEqual(
        (await events('u-gzip')).map((e) => e.name),
        ['Zipped'],
      );
      const corrupt = await post(Buffer.from('not gzip at all'));
      assert.equal(corrupt.status, 400);
      assert.equal(
        ((await corrupt.json()) as { error: { code: string } }).error.code,
        'invalid_input',
      );
    });

    it('rejects an invalid call with 400 naming the field', async () => {
      const noEvent = await server.track('/v1/track', { userId: 'u-bad' });
      assert.equal(noEvent.status, 400);
      assert.equal(noEvent.body.error?.code, 'invalid_input');
      assert.match(noEvent.body.error?.message ?? '', /event/);
      assert.deepEqual(
        noEvent.body.error?.details.map((d) => d.path),
        ['event'],
      );

      const noId = await server.track('/v1/identify', { traits: { a: 1 } });
      assert.equal(noId.status, 400);
      assert.match(noId.body.error?.message ?? '', /userId or anonymousId is required/);

      const notJson = await server.track('/v1/track', '{"userId": "u-bad", ');
      assert.equal(notJson.status, 400);
      assert.match(notJson.body.error?.message ?? '', /not valid JSON/);
    });

    it('rejects a batch naming the call and field at fault, storing none of it', async () => {
      const batch = [0, 1, 2, 3].map((i) => ({
        type: 'track',
        userId: 'u-batch-bad',
        event: `e${i}`,
        messageId: `batch-bad-${i}`,
      }));
      const third = batch[3] as Record<string, unknown>;
      delete third.userId;
      const res = await server.track('/v1/batch', { batch });
      assert.equal(res.status, 400);
      assert.match(res.body.error?.message ?? '', /batch\.3\b.*userId or anonymousId is required/);
      assert.equal(res.body.error?.details[0]?.path, 'batch.3.userId');

      const wrongType = await server.track('/v1/batch', {
        batch: [
          { type: 'track', userId: 'u-batch-bad', event: 'ok' },
          { type: 'track', userId: 'u-batch-bad', event: 5 },
        ],
      });
      assert.equal(wrongType.status, 400);
      assert.match(wrongType.body.error?.message ?? '', /batch\.1\.event: /);
      const lookup = await server.admin('GET', '/api/profiles/u-batch-bad');
      assert.equal(lookup.status, 404);

      const badType = await server.track('/v1/batch', { batch: [{ type: 'shout', userId: 'x' }] });
      assert.equal(badType.status, 400);
      assert.equal(badType.body.error?.details[0]?.path, 'batch.0.type');
    });

    it("rejects a call over Segment's 32 KB limit", async () => {
      const res = await server.track('/v1/track', {
        userId: 'u-big',
        event: 'Big',
        properties: { blob: 'x'.repeat(33 * 1024) },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.error?.code, 'payload_too_large');
      assert.match(res.body.error?.message ?? '', /32 KB/);
    });

    it("rejects a batch over Segment's 500 KB limit, and any body over 600 KB", async () => {
      const call = (i: number) => ({
        type: 'track',
        userId: 'u-huge',
        event: 'Chunk',
        messageId: `huge-${i}`,
        properties: { blob: 'y'.repeat(25 * 1024) },
      });
      const body = JSON.stringify({ batch: Array.from({ length: 20 }, (_, i) => call(i)) });
      assert.ok(body.length > 501 * 1024 && body.length < 600 * 1024, `${body.length} bytes`);
      const res = await server.track('/v1/batch', body);
      assert.equal(res.status, 400);
      assert.equal(res.body.error?.code, 'payload_too_large');
      assert.match(res.body.error?.message ?? '', /500 KB/);

      const huge = JSON.stringify({ batch: Array.from({ length: 25 }, (_, i) => call(i)) });
      const tooLarge = await server.track('/v1/batch', huge);
      assert.equal(tooLarge.status, 400);
      assert.equal(tooLarge.body.error?.code, 'payload_too_large');
      assert.match(tooLarge.body.error?.message ?? '', /600 KB/);
    });

    it('stores a retried call (same messageId) once and still answers 200', async () => {
      const call = { userId: 'u-dup', event: 'Paid', messageId: 'dup-message-1' };
      assert.equal((await server.track('/v1/track', call)).status, 200);
      assert.equal((await server.track('/v1/track', call)).status, 200);
      const batch = await server.track('/v1/batch', { batch: [{ type: 'track', ...call }] });
      assert.equal(batch.status, 200);
      const stored = await events('u-dup');
      assert.deepEqual(
        stored.map((e) => e.messageId),
        ['dup-message-1'],
      );
    });

    it("corrects the client's clock skew with sentAt", async () => {
      // The client's clock is off: it says the event happened at 10:00:00 and was sent at
      // 10:00:05; we received it at NOW, so it happened 5 s before NOW.
      const res = await server.track('/v1/track', {
        userId: 'u-skew',
        event: 'Skewed',
        timestamp: '2020-01-01T10:00:00.000Z',
        sentAt: '2020-01-01T10:00:05.000Z',
      });
      assert.equal(res.status, 200);
      const [event] = await events('u-skew');
      assert.equal(event?.receivedAt, clock.now());
      assert.equal(event?.timestamp, clock.now() - 5_000);

      // In a batch, the envelope's sentAt applies to every call.
      await server.track('/v1/batch', {
        sentAt: '2020-01-01T10:01:00.000Z',
        batch: [
          {
            type: 'track',
            userId: 'u-skew',
            event: 'Batched',
            timestamp: '2020-01-01T10:00:00.000Z',
          },
        ],
      });
      const batched = (await events('u-skew')).find((e) => e.name === 'Batched');
      assert.equal(batched?.timestamp, clock.now() - 60_000);
    });

    it('keeps last-seen to the minute, whether or not the call reads the profile', async () => {
      const at = (iso: string) => Date.parse(iso);
      const seen = async (ref: string) =>
        (await server.admin<Profile>('GET', `/api/profiles/${ref}`)).body.profile.lastSeenAt;
      const track = (timestamp: string) =>
        server.track('/v1/track', { userId: 'u-seen', event: 'Viewed', timestamp });
      await track('2026-03-01T10:00:00.000Z');
      assert.equal(await seen('u-seen'), at('2026-03-01T10:00:00.000Z'));
      // A plain event does not read the profile; within the minute nothing is written.
      await track('2026-03-01T10:00:30.000Z');
      assert.equal(await seen('u-seen'), at('2026-03-01T10:00:00.000Z'));
      await track('2026-03-01T10:01:00.000Z');
      assert.equal(await seen('u-seen'), at('2026-03-01T10:01:00.000Z'));
      // An older event never moves it back.
      await track('2026-02-01T10:00:00.000Z');
      assert.equal(await seen('u-seen'), at('2026-03-01T10:01:00.000Z'));
      // An identify reads the profile and keeps to the same rule.
      await server.track('/v1/identify', {
        userId: 'u-seen',
        traits: { plan: 'pro' },
        timestamp: '2026-03-01T10:01:20.000Z',
      });
      assert.equal(await seen('u-seen'), at('2026-03-01T10:01:00.000Z'));
      await server.track('/v1/identify', {
        userId: 'u-seen',
        traits: { plan: 'team' },
        timestamp: '2026-03-01T10:05:00.000Z',
      });
      assert.equal(await seen('u-seen'), at('2026-03-01T10:05:00.000Z'));
    });

    it('merges an anonymous visitor into the profile it identifies as', async () => {
      await server.track('/v1/page', { anonymousId: 'anon-1', name: 'Pricing' });
      await server.track('/v1/track', { userId: 'u-merge', event: 'Logged In' });
      // Two profiles so far: the visitor and the known user.
      const before = await server.admin<Profile>('GET', '/api/profiles/anonymousId:anon-1');
      assert.equal(before.status, 200);
      const known = await server.admin<Profile>('GET', '/api/profiles/u-merge');
      assert.notEqual(before.body.profile.id, known.body.profile.id);

      const res = await server.track('/v1/identify', {
        anonymousId: 'anon-1',
        userId: 'u-merge',
        traits: { email: 'Merge@Example.com' },
      });
      assert.equal(res.status, 200);
      const merged = await server.admin<Profile>('GET', '/api/profiles/anonymousId:anon-1');
      assert.equal(merged.body.profile.id, known.body.profile.id);
      assert.deepEqual(merged.body.identities.map((i) => `${i.kind}:${i.value}`).sort(), [
        'anonymousId:anon-1',
        'email:merge@example.com',
        'userId:u-merge',
      ]);
      const byEmail = await server.admin<Profile>('GET', '/api/profiles/email:merge@example.com');
      assert.equal(byEmail.body.profile.id, known.body.profile.id);
      assert.deepEqual((await events('u-merge')).map((e) => e.name).sort(), [
        'Logged In',
        'identify',
        'page',
      ]);
    });

    it('merges profiles on alias', async () => {
      await server.track('/v1/track', { userId: 'old-id', event: 'Before' });
      await server.track('/v1/track', { userId: 'new-id', event: 'After' });
      const res = await server.track('/v1/alias', { previousId: 'old-id', userId: 'new-id' });
      assert.equal(res.status, 200);
      const oldRef = await server.admin<Profile>('GET', '/api/profiles/old-id');
      const newRef = await server.admin<Profile>('GET', '/api/profiles/new-id');
      assert.equal(oldRef.body.profile.id, newRef.body.profile.id);
      assert.deepEqual((await events('new-id')).map((e) => e.name).sort(), [
        'After',
        'Before',
        'alias',
      ]);
    });
  });
}
