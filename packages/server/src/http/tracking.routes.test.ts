// Email tracking over real HTTP, on SQLite and (with DATABASE_URL) PostgreSQL: the open pixel and
// click redirects a rendered email carries move the run waiting on them before the response
// returns; duplicates are counted but recorded once; forged and altered tokens record nothing;
// machine opens and clicks are flagged, and a journey that ignores them keeps waiting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import type { listOutbox } from '../app/outbox.ts';
import type { TrackingCounts } from '../app/tracking.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { ManualClock } from '../clock.ts';
import { Secrets } from '../secrets.ts';
import { PIXEL_GIF } from './tracking.routes.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

const journey = (id: string, ignoreMachine: boolean) => `
schemaVersion: 1
id: ${id}
name: Basket ${id}
trigger: { type: manual }
policies: { reentry: { mode: concurrent } }
start: email
nodes:
  email: { type: send, channel: email, template: basket, next: wait }
  wait:
    type: wait_for
    outcome: { node: email, is: [opened], ignoreMachine: ${ignoreMachine} }
    timeout: 12h
    onTimeout: sms
    next: done
  sms: { type: send, channel: sms, template: hurry, next: done }
  done: { type: exit }
templates:
  basket:
    channel: email
    subject: "Your basket"
    html: |
      <html><body>
      <p>Hi {{ profile.traits.first_name }}, <a href="https://shop.example.com/cart?id=7&amp;src=email">your cart</a></p>
      <p><a href="https://shop.example.com/help">help</a> <a href="mailto:help@shop.example.com">mail us</a> <a href='https://shop.example.com/shoes'>shoes</a></p>
      <p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
      </body></html>
  hurry: { channel: sms, body: "Your basket is waiting" }
`;

type MessageRow = Awaited<ReturnType<typeof listOutbox>>['items'][number];
type RunTraceRow = { detail: string };

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';

for (const backend of testDatabaseUrls()) {
  describe(`email tracking over HTTP (${backend.name})`, () => {
    let server: TestServer;
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));

    before(async () => {
      server = await startTestServer(backend, { clock });
      await applyJourney(server.waymark.deps, WS, checkJourney(journey('basket', false)));
      await applyJourney(server.waymark.deps, WS, checkJourney(journey('strict', true)));
    });
    after(() => server.close());

    let seq = 0;
    /** A profile enrolled into `journeyId`: its run and the email message, sent a minute ago. */
    async function sent(journeyId = 'basket'): Promise<{ runId: string; message: MessageRow }> {
      seq += 1;
      const userId = `u${seq}`;
      await server.track('/v1/identify', {
        userId,
        traits: { email: `${userId}@example.com`, first_name: 'Ana' },
      });
      const profile = await server.admin<{ profile: { id: string } }>(
        'GET',
        `/api/profiles/${userId}`,
      );
      const run = await server.waymark.deps.engine.enrol({
        workspaceId: WS,
        journeyId,
        profileId: profile.body.profile.id,
      });
      assert.ok(!('skipped' in run));
      const message = (await messages(run.id))[0]!;
      // Sent a minute ago: clicks are not "on arrival".
      await server.waymark.store.messages.update(WS, message.id, {
        status: 'sent',
        sentAt: clock.now() - 60_000,
      });
      return { runId: run.id, message };
    }

    const messages = async (runId: string) =>
      (await server.admin<{ items: MessageRow[] }>('GET', `/api/outbox?run=${runId}`)).body.items;
    const emailOf = async (runId: string) =>
      (await messages(runId)).find((m) => m.channel === 'email')!;
    const run = async (runId: string) =>
      (
        await server.admin<{ run: { status: string; node: string | null }; trace: RunTraceRow[] }>(
          'GET',
          `/api/runs/${runId}`,
        )
      ).body;
    const counts = async (runId: string) =>
      (await emailOf(runId)).content.tracking as TrackingCounts | undefined;
    const pixelOf = (m: MessageRow) => {
      const src = /<img src="([^"]+\/t\/o\/[^"]+\.gif)"/.exec(String(m.content.html))?.[1];
      assert.ok(src, 'the email has an open pixel');
      return src.replace(server.waymark.deps.publicUrl, server.address);
    };
    const linksOf = (m: MessageRow) =>
      [...String(m.content.html).matchAll(/href="([^"]+\/t\/c\/[^"]+)"/g)].map((x) =>
        x[1]!.replace(server.waymark.deps.publicUrl, server.address),
      );
    const get = (url: string, ua = BROWSER, method = 'GET') =>
      fetch(url, { method, headers: { 'user-agent': ua }, redirect: 'manual' });
    const outcomesIn = (trace: RunTraceRow[], what: RegExp) =>
      trace.filter((t) => what.test(t.detail)).length;

    it('the email carries the pixel and signed click links; unsubscribe and mailto stay', async () => {
      const { message } = await sent();
      const html = String(message.content.html);
      assert.equal(linksOf(message).length, 3, 'cart, help and shoes');
      assert.ok(html.includes('href="mailto:help@shop.example.com"'));
      assert.ok(html.includes(`href="${String(message.content.unsubscribeUrl)}"`));
      assert.doesNotMatch(html, /shop\.example\.com\/cart/);
      assert.match(
        String(message.content.body),
        /your cart \[https:\/\/shop\.example\.com\/cart\?id=7&src=email\]/,
        'the text part keeps readable links',
      );
    });

    it('the pixel answers a no-cache GIF and moves the waiting run before it returns', async () => {
      const { runId, message } = await sent();
      assert.equal((await run(runId)).run.status, 'waiting');
      const res = await get(pixelOf(message));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/gif');
      assert.match(res.headers.get('cache-control') ?? '', /no-store/);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), PIXEL_GIF);
      // Checked right after the response: no worker runs in this server (role api).
      const after = await run(runId);
      assert.equal(after.run.status, 'exited');
      assert.equal(outcomesIn(after.trace, /opened of email received/), 1);
      assert.deepEqual(
        (await messages(runId)).map((m) => m.channel),
        ['email'],
        'no SMS',
      );
    });

    it('the same pixel again is counted, not recorded again', async () => {
      const { runId, message } = await sent();
      for (let i = 0; i < 3; i++) assert.equal((await get(pixelOf(message))).status, 200);
      const c = await counts(runId);
      assert.equal(c?.opens, 3);
      assert.deepEqual(c?.recorded, ['opened']);
      const trace = (await run(runId)).trace;
      assert.equal(outcomesIn(trace, /opened of email/), 1, 'one opened line in the history');
    });

    it('a forged or altered pixel token still gets the GIF, and records nothing', async () => {
      const { runId, message } = await sent();
      const url = pixelOf(message);
      const token = /\/t\/o\/(.+)\.gif$/.exec(url)![1]!;
      const [body, mac] = token.split('.') as [string, string];
      // Signed with another key: what a forger who guessed the format would make.
      const forged = new Secrets(Buffer.alloc(32, 1)).sign('open', { w: WS, m: message.id });
      for (const bad of [
        `${server.address}/t/o/${forged}.gif`,
        `${server.address}/t/o/${body}.${mac.slice(0, -2)}AA.gif`,
        `${server.address}/t/o/garbage.gif`,
      ]) {
        const res = await get(bad);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/gif');
      }
      assert.equal(await counts(runId), undefined);
      assert.equal((await run(runId)).run.status, 'waiting');
    });

    it('a click redirects to the signed URL, records clicked with it, and implies the open', async () => {
      const { runId, message } = await sent();
      const [cart] = linksOf(message);
      // A query parameter cannot steer the redirect.
      const res = await get(`${cart!}?url=https://evil.example/&u=https://evil.example/`);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'https://shop.example.com/cart?id=7&src=email');
      const r = await run(runId);
      assert.equal(r.run.status, 'exited', 'the implied open ended the wait');
      const c = await counts(runId);
      assert.deepEqual(c?.recorded, ['clicked', 'opened']);
      assert.deepEqual(c?.links, { '0': 1 });
      // Clicking again: counted only.
      clock.advance(5_000);
      assert.equal((await get(cart!)).status, 302);
      const again = await counts(runId);
      assert.equal(again?.clicks, 2);
      assert.deepEqual(again?.recorded, ['clicked', 'opened']);
      assert.equal(outcomesIn((await run(runId)).trace, /clicked of email/), 1);
    });

    it('a forged or altered click token gets a 404 page and records nothing', async () => {
      const { runId, message } = await sent();
      const token = /\/t\/c\/(.+)$/.exec(linksOf(message)[0]!)![1]!;
      const mac = token.slice(token.lastIndexOf('.') + 1);
      const evil = Buffer.from(
        JSON.stringify({ w: WS, m: message.id, u: 'https://evil.example/', i: 0 }),
      ).toString('base64url');
      const forged = new Secrets(Buffer.alloc(32, 1)).sign('click', {
        w: WS,
        m: message.id,
        u: 'https://evil.example/',
        i: 0,
      });
      for (const bad of [`${evil}.${mac}`, forged, `${token}x`, 'nonsense']) {
        const res = await get(`${server.address}/t/c/${bad}`);
        assert.equal(res.status, 404, bad);
        assert.equal(res.headers.get('location'), null);
        assert.match(await res.text(), /This link is not valid/);
      }
      // An open token is not a click token.
      const open = /\/t\/o\/(.+)\.gif$/.exec(pixelOf(message))![1]!;
      assert.equal((await get(`${server.address}/t/c/${open}`)).status, 404);
      assert.equal(await counts(runId), undefined);
      assert.equal((await run(runId)).run.status, 'waiting');
    });

    it('an Apple privacy-proxy open is flagged machine: it counts unless the journey ignores it', async () => {
      const counted = await sent('basket');
      await get(pixelOf(counted.message), 'Mozilla/5.0');
      assert.equal((await run(counted.runId)).run.status, 'exited');
      assert.deepEqual((await counts(counted.runId))?.recorded, ['opened:machine']);

      const strict = await sent('strict');
      await get(pixelOf(strict.message), 'Mozilla/5.0');
      const waiting = await run(strict.runId);
      assert.equal(waiting.run.status, 'waiting', 'ignoreMachine: the proxy open does not count');
      assert.match(
        waiting.trace.at(-1)?.detail ?? '',
        /machine opened of email recorded; this wait ignores machine outcomes/,
      );
      // The person opens later (Gmail's proxy is a person): recorded, and the run moves.
      await get(
        pixelOf(strict.message),
        'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      );
      assert.equal((await run(strict.runId)).run.status, 'exited');
      const c = await counts(strict.runId);
      assert.deepEqual(c?.recorded, ['opened:machine', 'opened']);
      assert.equal(c?.machineOpens, 1);
      assert.equal(c?.opens, 1);
    });

    it('link scanners: HEAD, scanner agents, clicks on arrival and bursts are machine clicks', async () => {
      const strict = await sent('strict');
      const [cart, help] = linksOf(strict.message);
      const head = await get(cart!, BROWSER, 'HEAD');
      assert.equal(head.status, 302, 'HEAD gets the same answer');
      await get(help!, 'Mozilla/5.0 (compatible; Barracuda Sentinel)');
      const c = await counts(strict.runId);
      assert.deepEqual(c?.recorded, ['clicked:machine', 'opened:machine']);
      assert.equal(c?.machineClicks, 2);
      assert.equal((await run(strict.runId)).run.status, 'waiting');

      // Clicked within seconds of the send.
      const fresh = await sent('strict');
      await server.waymark.store.messages.update(WS, fresh.message.id, {
        sentAt: clock.now() - 2_000,
      });
      await get(linksOf(fresh.message)[0]!);
      assert.deepEqual((await counts(fresh.runId))?.recorded, [
        'clicked:machine',
        'opened:machine',
      ]);

      // Three links of one message within one second (same instant on the manual clock).
      const burst = await sent('strict');
      const links = linksOf(burst.message);
      const unsub = String(burst.message.content.unsubscribeUrl);
      assert.ok(!links.some((l) => l.includes(unsub)));
      await get(links[0]!);
      await get(links[1]!);
      assert.deepEqual(
        (await counts(burst.runId))?.recorded,
        ['clicked', 'opened'],
        'two links at once: still a person',
      );
      await get(links[2]!);
      const c3 = await counts(burst.runId);
      assert.equal(c3?.clicks, 2);
      assert.equal(c3?.machineClicks, 1, 'the third link within a second is a scanner');
    });
  });
}
