// The operator app as the server serves it: its page at `/` (never cached) and at its own pages
// for a browser, its hashed assets (cached for a year, with their content types), the server's
// own paths never answered with the app, and a page saying how to build it when it is not built.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { ensureAppBuilt } from '../testing/app-build.ts';
import { appSite } from './app.routes.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the operator app, served', () => {
  const [backend] = testDatabaseUrls();
  let server: TestServer;
  before(async () => {
    ensureAppBuilt();
    server = await startTestServer(backend!);
  });
  after(() => server?.close());

  it('answers its page at / never cached, and its hashed assets cached for a year', async () => {
    const page = await fetch(`${server.address}/`, { headers: HTML });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    assert.match(html, /<title>Waymark<\/title>/);
    assert.match(html, /<div id="root"><\/div>/);

    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /<link rel="stylesheet" crossorigin href="(\/assets\/[^"]+\.css)"/.exec(
      html,
    )?.[1];
    assert.ok(script && style, 'the page names its script and stylesheet');
    for (const [path, type] of [
      [script, 'text/javascript; charset=utf-8'],
      [style, 'text/css; charset=utf-8'],
    ] as const) {
      const res = await fetch(`${server.address}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.ok((await res.arrayBuffer()).byteLength > 0);
    }
  });

  it("answers the app's own pages to a browser, and nothing else of the server", async () => {
    const index = await (await fetch(`${server.address}/`, { headers: HTML })).text();
    for (const path of ['/journeys', '/sign-in?next=%2Fjourneys', '/setup/abc']) {
      const res = await fetch(`${server.address}${path}`, { headers: HTML });
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), index, path);
    }
    // A client that does not ask for HTML, a write, and the server's own paths: the one 404.
    const notFound = [
      fetch(`${server.address}/journeys`),
      fetch(`${server.address}/journeys`, { method: 'POST', headers: HTML }),
      fetch(`${server.address}/api/nothing`, { headers: HTML }),
      fetch(`${server.address}/v1/nothing`, { headers: HTML }),
      fetch(`${server.address}/t/x/y`, { headers: HTML }),
      fetch(`${server.address}/hooks/nothing`, { headers: HTML }),
      fetch(`${server.address}/assets/missing.js`, { headers: HTML }),
    ];
    for (const res of await Promise.all(notFound)) {
      assert.equal(res.status, 404, res.url);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
    }
    const status = await fetch(`${server.address}/status`, { headers: HTML });
    assert.match(await status.text(), /customer-journey engine · version/);
  });

  it('serves only files of its assets folder', async () => {
    for (const path of [
      '/assets/..%2F..%2Fpackage.json',
      '/assets/.env',
      '/assets/%2Fetc%2Fpasswd',
    ]) {
      const res = await fetch(`${server.address}${path}`);
      assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
      assert.doesNotMatch(await res.text(), /"name"|root:/);
    }
  });
});

describe('the operator app, not built', () => {
  const empty = mkdtempSync(join(tmpdir(), 'waymark-no-dist-'));
  after(() => rmSync(empty, { recursive: true, force: true }));

  it('says how to build it', async () => {
    const site = appSite(empty);
    const app = Fastify();
    app.setNotFoundHandler((request, reply) => {
      if (!site.fallback(request, reply)) void reply.code(404).send('not found');
    });
    const res = await app.inject({ url: '/journeys', headers: HTML });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /The operator app is not built/);
    assert.match(res.body, /npm run build -w @waymark\/web/);
    assert.equal(res.headers['cache-control'], 'no-store');
    await app.close();
  });
});
