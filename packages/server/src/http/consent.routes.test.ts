// Consent over real HTTP, on SQLite and (with DATABASE_URL) PostgreSQL: the unsubscribe page of a
// message's link (GET, form POST, RFC 8058 one-click, forged tokens), the subscriptions and
// suppressions API, SMS STOP/START/HELP through POST /api/inbound, and bounces reported through
// the outcomes API suppressing the address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubscriptionRow, SuppressionRow } from '../app/consent.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import type { listOutbox } from '../app/outbox.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { ManualClock } from '../clock.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

type Outbox = Awaited<ReturnType<typeof listOutbox>>;
type Items<T> = { items: T[] };
type Event = { type: string; name: string; properties: Record<string, unknown> };

const newsletter = `
schemaVersion: 1
id: newsletter
name: Newsletter
trigger: { type: manual }
policies: { reentry: { mode: concurrent } }
start: email
nodes:
  email: { type: send, channel: email, template: news, topic: newsletter, next: wait }
  wait: { type: wait, duration: 1d, next: done }
  done: { type: exit }
templates:
  news: { channel: email, subject: "News", body: "News" }
`;

for (const backend of testDatabaseUrls()) {
  describe(`consent over HTTP (${backend.name})`, () => {
    let server: TestServer;
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));

    before(async () => {
      server = await startTestServer(backend, { clock });
      await applyJourney(server.waymark.deps, WS, checkJourney(newsletter));
    });
    after(() => server.close());

    /** A profile with an email, sent the newsletter: its id, run and message, and a token. */
    async function sent(
      userId: string,
    ): Promise<{ profileId: string; runId: string; token: string }> {
      await server.track('/v1/identify', { userId, traits: { email: `${userId}@example.com` } });
      const profile = await server.admin<{ profile: { id: string } }>(
        'GET',
        `/api/profiles/${userId}`,
      );
      const profileId = profile.body.profile.id;
      const run = await server.waymark.deps.engine.enrol({
        workspaceId: WS,
        journeyId: 'newsletter',
        profileId,
      });
      assert.ok(!('skipped' in run));
      const outbox = await server.admin<Outbox>('GET', `/api/outbox?run=${run.id}`);
      const message = outbox.body.items[0]!;
      const token = server.waymark.deps.secrets.sign('unsubscribe', {
        w: WS,
        p: profileId,
        c: 'email',
        t: 'newsletter',
        m: message.id,
      });
      return { profileId, runId: run.id, token };
    }

    const page = (token: string, init?: RequestInit) => fetch(`${server.address}/u/${token}`, init);
    const form = (body: string): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const subscriptions = async (ref: string) =>
      (await server.admin<Items<SubscriptionRow>>('GET', `/api/profiles/${ref}/subscriptions`)).body
        .items;

    it('shows an accessible confirmation page and changes nothing on GET', async () => {
      const { token } = await sent('page');
      const res = await page(token);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const html = await res.text();
      assert.match(html, /<html lang="en">/);
      assert.match(html, /name="viewport"/);
      assert.match(html, /<form method="post">/);
      assert.match(html, /<legend>What do you want to stop receiving\?<\/legend>/);
      assert.match(html, /value="topic" checked> Only “newsletter” emails/);
      assert.doesNotMatch(html, /<script/);
      assert.deepEqual(await subscriptions('page'), []);
    });

    it('unsubscribes from the topic through the form and records it on the run', async () => {
      const { token, runId } = await sent('form');
      const res = await page(token, form('scope=topic'));
      assert.equal(res.status, 200);
      assert.match(await res.text(), /no longer receive “newsletter” emails/);
      const rows = await subscriptions('form');
      assert.deepEqual(
        rows.map((r) => [r.channel, r.topic, r.status, r.source]),
        [['email', 'newsletter', 'unsubscribed', 'unsubscribe_link']],
      );
      const run = await server.waymark.store.runs.get(WS, runId);
      assert.deepEqual(run?.state.messages.email?.outcomes, ['unsubscribed']);
      // The page now says so.
      assert.match(await (await page(token)).text(), /\(already stopped\)/);
    });

    it('unsubscribes from the whole channel when chosen', async () => {
      const { token } = await sent('channel');
      assert.equal((await page(token, form('scope=channel'))).status, 200);
      const rows = await subscriptions('channel');
      assert.deepEqual(
        rows.map((r) => [r.topic, r.status]),
        [['', 'unsubscribed']],
      );
      assert.match(await (await page(token)).text(), /You are unsubscribed/);
    });

    it('answers a one-click POST (RFC 8058) with 200 and no page', async () => {
      const { token } = await sent('oneclick');
      const res = await page(token, form('List-Unsubscribe=One-Click'));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '');
      assert.deepEqual(
        (await subscriptions('oneclick')).map((r) => [r.topic, r.status, r.source]),
        [['newsletter', 'unsubscribed', 'unsubscribe_link']],
      );
      // multipart/form-data, which RFC 8058 also allows.
      const other = await sent('multipart');
      const body = new FormData();
      body.set('List-Unsubscribe', 'One-Click');
      const multi = await page(other.token, { method: 'POST', body });
      assert.equal(multi.status, 200);
      assert.equal((await subscriptions('multipart')).length, 1);
    });

    it('answers a forged or altered token with a 404 page and records nothing', async () => {
      const { token, profileId } = await sent('forged');
      const forged = server.waymark.deps.secrets.sign('click', {
        w: WS,
        p: profileId,
        c: 'email',
        t: '',
        m: 'x',
      });
      const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
      for (const t of [forged, altered, 'nonsense']) {
        const get = await page(t);
        assert.equal(get.status, 404);
        assert.match(await get.text(), /This link is not valid/);
        assert.equal((await page(t, form('List-Unsubscribe=One-Click'))).status, 404);
      }
      assert.deepEqual(await subscriptions('forged'), []);
    });

    it('sets and reads subscriptions through the API, naming bad fields', async () => {
      await server.track('/v1/identify', { userId: 'api-sub', traits: { email: 'a@example.com' } });
      const put = await server.admin<Items<SubscriptionRow>>(
        'PUT',
        '/api/profiles/api-sub/subscriptions',
        [
          { channel: 'sms', status: 'unsubscribed' },
          { channel: 'email', topic: 'offers', status: 'unsubscribed' },
        ],
      );
      assert.equal(put.status, 200);
      assert.deepEqual(put.body.items.map((r) => [r.channel, r.topic, r.status, r.source]).sort(), [
        ['email', 'offers', 'unsubscribed', 'api'],
        ['sms', '', 'unsubscribed', 'api'],
      ]);
      const bad = await server.admin('PUT', '/api/profiles/api-sub/subscriptions', [
        { channel: 'fax', status: 'unsubscribed' },
      ]);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error?.details[0]?.path, 'body.0.channel');
      const missing = await server.admin('GET', '/api/profiles/nobody/subscriptions');
      assert.equal(missing.status, 404);
    });

    it('adds, lists and lifts suppressions, normalising addresses', async () => {
      const add = await server.admin<{ suppression: SuppressionRow }>('POST', '/api/suppressions', {
        channel: 'email',
        address: ' Bob@Example.COM ',
      });
      assert.equal(add.status, 201);
      assert.equal(add.body.suppression.address, 'bob@example.com');
      assert.equal(add.body.suppression.reason, 'manual');
      const phone = await server.admin<{ suppression: SuppressionRow }>(
        'POST',
        '/api/suppressions',
        {
          channel: 'sms',
          address: '+351 912 345 678',
          reason: 'complaint',
        },
      );
      assert.equal(phone.body.suppression.address, '+351912345678');
      const list = await server.admin<Items<SuppressionRow>>(
        'GET',
        '/api/suppressions?channel=email',
      );
      assert.ok(list.body.items.some((s) => s.address === 'bob@example.com'));
      const del = await server.admin(
        'DELETE',
        '/api/suppressions?channel=email&address=BOB@example.com',
      );
      assert.equal(del.status, 200);
      const again = await server.admin(
        'DELETE',
        '/api/suppressions?channel=email&address=bob@example.com',
      );
      assert.equal(again.status, 404);
      const bad = await server.admin('POST', '/api/suppressions', {
        channel: 'email',
        address: '',
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error?.details[0]?.path, 'body.address');
    });

    it('suppresses the address of a hard bounce or complaint reported through the outcomes API', async () => {
      const hard = await sent('bounce');
      const soft = await sent('soft');
      const outboxOf = async (runId: string) =>
        (await server.admin<Outbox>('GET', `/api/outbox?run=${runId}`)).body.items[0]!;
      const softMessage = await outboxOf(soft.runId);
      await server.admin('POST', `/api/messages/${softMessage.id}/outcomes`, {
        type: 'bounced',
        data: { bounceType: 'soft', status: '4.2.2' },
      });
      const hardMessage = await outboxOf(hard.runId);
      await server.admin('POST', `/api/messages/${hardMessage.id}/outcomes`, {
        type: 'bounced',
        data: { diagnostic: '550 5.1.1 user unknown' },
      });
      const list = await server.admin<Items<SuppressionRow>>(
        'GET',
        '/api/suppressions?channel=email',
      );
      const addresses = list.body.items.map((s) => [s.address, s.reason]);
      assert.ok(addresses.some(([a, r]) => a === 'bounce@example.com' && r === 'hard_bounce'));
      assert.ok(!addresses.some(([a]) => a === 'soft@example.com'));
      const complained = await sent('complainer');
      await server.admin(
        'POST',
        `/api/messages/${(await outboxOf(complained.runId)).id}/outcomes`,
        { type: 'complained' },
      );
      const profile = await server.admin<{ suppressions: SuppressionRow[] }>(
        'GET',
        '/api/profiles/complainer',
      );
      assert.deepEqual(
        profile.body.suppressions.map((s) => s.reason),
        ['complaint'],
      );
    });

    it('handles SMS STOP, START and HELP through POST /api/inbound', async () => {
      const from = '+351 913 000 111';
      const inbound = (body: string, messageId?: string) =>
        server.admin<{ profileId: string; keyword: string | null }>('POST', '/api/inbound', {
          channel: 'sms',
          from,
          to: '+351300000000',
          body,
          ...(messageId ? { messageId } : {}),
        });
      const stop = await inbound('  Stop! ');
      assert.equal(stop.status, 200);
      assert.equal(stop.body.keyword, 'stop');
      const ref = stop.body.profileId;
      assert.deepEqual(
        (await subscriptions(ref)).map((r) => [r.channel, r.topic, r.status, r.source]),
        [['sms', '', 'unsubscribed', 'sms_stop']],
      );
      // A keyword is stored as its own event, never as an inbound message a keyword journey or a
      // waiting run would take.
      const events = async () =>
        (await server.admin<Items<Event>>('GET', `/api/profiles/${ref}/events`)).body.items;
      assert.deepEqual(
        (await events()).map((e) => [e.type, e.name]),
        [['track', 'sms_stop']],
      );
      // "stop by later" is not a keyword.
      assert.equal((await inbound('stop by later')).body.keyword, null);
      assert.equal((await events())[0]?.type, 'inbound');

      // YES re-subscribes an opted-out number, and is still an ordinary answer.
      const yes = await inbound('yes');
      assert.equal(yes.body.keyword, 'start');
      assert.equal((await subscriptions(ref))[0]?.status, 'subscribed');
      assert.equal((await subscriptions(ref))[0]?.source, 'sms_start');
      assert.deepEqual(
        [(await events())[0]?.type, (await events())[0]?.name],
        ['inbound', 'message_received'],
      );
      // …but only when it had opted out.
      assert.equal((await inbound('YES')).body.keyword, null);
      await inbound('STOPALL');
      assert.equal((await subscriptions(ref))[0]?.status, 'unsubscribed');
      await inbound('unstop');
      assert.equal((await subscriptions(ref))[0]?.status, 'subscribed');

      // HELP answers with a transactional text, once per inbound message.
      await inbound('HELP', 'SM-help-1');
      await inbound('HELP', 'SM-help-1');
      const outbox = await server.admin<Outbox>('GET', `/api/outbox?profile=${ref}&channel=sms`);
      assert.equal(outbox.body.items.length, 1);
      const reply = outbox.body.items[0]!;
      assert.equal(reply.recipient, '+351913000111');
      assert.equal(reply.kind, 'message');
      assert.deepEqual(reply.content, {
        transactional: true,
        body: 'Reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.',
        from: '+351300000000',
      });
    });
  });
}
