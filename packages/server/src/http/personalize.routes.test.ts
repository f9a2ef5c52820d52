// GET /v1/personalize over HTTP on both backends: the scenario 9 journeys (examples/journeys)
// turn page views and survey answers into interests, lists and site flags; write-key auth,
// unknown visitors, the cache's invalidation by the engine, and CORS for configured origins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { createWaymark } from '../waymark.ts';
import { SCENARIO_JOURNEYS } from './personalize.fixtures.ts';
import { startHttp } from './server.ts';
import {
  basicAuth,
  startTestServer,
  testDatabaseUrls,
  TEST_ADMIN_TOKEN,
  TEST_WRITE_KEY,
  type TestServer,
} from './testing.ts';

const START = Date.parse('2026-05-04T09:00:00Z');
const DAY = 24 * 3600_000;

interface Answer {
  profile: { known: boolean };
  interests: Array<{ name: string; score: number }>;
  lists: string[];
  flags: Record<string, unknown>;
}

for (const backend of testDatabaseUrls()) {
  describe(`GET /v1/personalize (${backend.name})`, () => {
    const clock = new ManualClock(START);
    let server: TestServer;
    before(async () => {
      server = await startTestServer(backend, { clock });
      for (const j of SCENARIO_JOURNEYS) {
        const applied = await server.admin('PUT', `/api/journeys/${j.id}`, j.yaml);
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
      }
    });
    after(() => server.close());

    const ask = async (query: string, auth: string | null = basicAuth(TEST_WRITE_KEY)) => {
      const res = await fetch(`${server.address}/v1/personalize?${query}`, {
        headers: auth ? { authorization: auth } : {},
      });
      return { status: res.status, body: (await res.json()) as Answer & { error?: never } };
    };
    const view = async (anonymousId: string, category: string) => {
      const r = await server.track('/v1/page', { anonymousId, name: category, category });
      assert.equal(r.status, 200);
    };

    it('needs the write key and a visitor', async () => {
      const none = await ask('anonymousId=a0', null);
      assert.equal(none.status, 401);
      const admin = await ask('anonymousId=a0', `Bearer ${TEST_ADMIN_TOKEN}`);
      assert.equal(admin.status, 401);
      const nobody = await fetch(`${server.address}/v1/personalize`, {
        headers: { authorization: basicAuth(TEST_WRITE_KEY) },
      });
      assert.equal(nobody.status, 400);
      const body = (await nobody.json()) as { error: { details: Array<{ path: string }> } };
      assert.equal(body.error.details[0]?.path, 'query.userId');
    });

    it('answers an unknown visitor with empty results', async () => {
      const r = await ask('anonymousId=never-seen');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { profile: { known: false }, interests: [], lists: [], flags: {} });
    });

    it('three views of shoes within 7 days: interest, list and banner flag', async () => {
      await view('anon-1', 'shoes');
      await view('anon-1', 'bags');
      await server.waymark.worker.drain();
      const first = await ask('anonymousId=anon-1');
      assert.deepEqual(first.body.profile, { known: true });
      assert.deepEqual(first.body.interests, [
        { name: 'bags', score: 1 },
        { name: 'shoes', score: 1 },
      ]);
      assert.deepEqual(first.body.flags, {});

      clock.advance(2 * DAY);
      await view('anon-1', 'Shoes');
      await server.waymark.worker.drain();
      // The cached answer was dropped when the engine changed the profile.
      assert.deepEqual((await ask('anonymousId=anon-1')).body.interests[0], {
        name: 'shoes',
        score: 2,
      });

      clock.advance(3 * DAY);
      await view('anon-1', 'shoes');
      await server.waymark.worker.drain();
      const third = await ask('anonymousId=anon-1');
      assert.deepEqual(third.body.interests, [
        { name: 'shoes', score: 3 },
        { name: 'bags', score: 1 },
      ]);
      assert.deepEqual(third.body.lists, ['interest-shoes']);
      assert.deepEqual(third.body.flags, { show_shoes_banner: true });

      // Identified later: the userId finds the same profile.
      await server.track('/v1/identify', { userId: 'ana', anonymousId: 'anon-1' });
      await server.waymark.worker.drain();
      const byUser = await ask('userId=ana');
      assert.deepEqual(byUser.body.lists, ['interest-shoes']);
    });

    it('views spread over more than 7 days do not reach the threshold', async () => {
      for (let i = 0; i < 3; i += 1) {
        await view('anon-2', 'hats');
        await server.waymark.worker.drain();
        clock.advance(4 * DAY);
      }
      const r = await ask('anonymousId=anon-2');
      assert.deepEqual(r.body.interests, [{ name: 'hats', score: 1 }]);
      assert.deepEqual([r.body.lists, r.body.flags], [[], {}]);
    });

    it('a low survey score sets offer_live_chat; a good one does not', async () => {
      const answer = async (who: string, score: number) => {
        await server.track('/v1/track', {
          anonymousId: who,
          event: 'survey_answered',
          properties: { score },
        });
        await server.waymark.worker.drain();
        return (await ask(`anonymousId=${who}`)).body;
      };
      assert.deepEqual((await answer('happy', 5)).flags, {});
      const unhappy = await answer('unhappy', 2);
      assert.deepEqual(unhappy.flags, { offer_live_chat: true });
      assert.deepEqual(unhappy.lists, ['high-touch']);
    });
  });
}

describe('CORS for /v1/*', () => {
  const [backend] = testDatabaseUrls();
  let address = '';
  let close: () => Promise<void> = async () => {};
  before(async () => {
    const db = await backend!.create();
    const config = configFromEnv(
      { WAYMARK_CORS_ORIGINS: 'https://shop.example, https://www.shop.example/' },
      { databaseUrl: db.url, writeKey: TEST_WRITE_KEY, adminToken: TEST_ADMIN_TOKEN, role: 'api' },
    );
    const waymark = await createWaymark(config);
    const http = await startHttp(waymark, { port: 0, host: '127.0.0.1' });
    address = http.address;
    close = async () => {
      await http.close();
      await waymark.close();
      await db.drop();
    };
  });
  after(() => close());

  it('answers the preflight of a configured origin and refuses another', async () => {
    const preflight = (origin: string) =>
      fetch(`${address}/v1/personalize?anonymousId=x`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const ok = await preflight('https://www.shop.example');
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://www.shop.example');
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const no = await preflight('https://evil.example');
    assert.equal(no.status, 403);
    assert.equal(no.headers.get('access-control-allow-origin'), null);
    assert.match(((await no.json()) as { error: { message: string } }).error.message, /evil/);
  });

  it('echoes a configured origin on answers and errors, never another', async () => {
    const get = (origin: string, auth = true) =>
      fetch(`${address}/v1/personalize?anonymousId=x`, {
        headers: { origin, ...(auth ? { authorization: basicAuth(TEST_WRITE_KEY) } : {}) },
      });
    const ok = await get('https://shop.example');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://shop.example');
    assert.match(ok.headers.get('vary') ?? '', /Origin/i);
    const unauthorized = await get('https://shop.example', false);
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get('access-control-allow-origin'), 'https://shop.example');
    const other = await get('https://evil.example');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    // The Segment routes answer pages of the same origins.
    const page = await fetch(`${address}/v1/page`, {
      method: 'POST',
      headers: {
        origin: 'https://shop.example',
        'content-type': 'application/json',
        authorization: basicAuth(TEST_WRITE_KEY),
      },
      body: JSON.stringify({ anonymousId: 'x', properties: { category: 'shoes' } }),
    });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('access-control-allow-origin'), 'https://shop.example');
  });

  it('serves the browser script and the demo page', async () => {
    const js = await fetch(`${address}/waymark.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.match(await js.text(), /window\.waymark = \{/);
    const demo = await fetch(`${address}/demo?writeKey=${TEST_WRITE_KEY}&category=shoes`);
    const html = await demo.text();
    assert.match(html, /data-write-key="wk_test_write_key"/);
    assert.match(html, /<meta name="waymark:category" content="shoes">/);
    const bad = await fetch(`${address}/demo?category=%3Cscript%3E`);
    assert.equal(bad.status, 400);
  });
});
