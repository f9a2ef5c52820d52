// The HTTP edge as a whole: the OpenAPI document covers every mounted route and resolves every
// reference, the status page and health check, and the one error shape for unknown routes, bad
// content types and unexpected failures. Runs on SQLite and, when DATABASE_URL is set, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppDeps } from '../app/deps.ts';
import { buildHttp, registeredRoutes } from './server.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { operationId: string; security: Array<Record<string, unknown>>; 'x-waymark-role'?: string }
    >
  >;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

for (const backend of testDatabaseUrls()) {
  describe(`HTTP server (${backend.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(backend);
    });
    after(() => server.close());

    it('serves an OpenAPI 3.1 document listing every route, without auth', async () => {
      const res = await fetch(`${server.address}/api/openapi.json`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as OpenApi;
      assert.equal(doc.openapi, '3.1.0');

      const app = buildHttp(server.waymark);
      await app.ready();
      const mounted = registeredRoutes(app);
      assert.ok(mounted.length >= 27, `${mounted.length} routes`);
      for (const { method, url } of mounted) {
        const path = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${url} is documented`);
      }
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
      assert.equal(documented.length, mounted.length);
      for (const type of ['identify', 'track', 'page', 'screen', 'group', 'alias', 'batch']) {
        assert.deepEqual(doc.paths[`/v1/${type}`]?.post?.security, [{ writeKey: [] }]);
      }
      // Operator routes: a Bearer token (admin or personal) or the app's session cookie.
      assert.deepEqual(doc.paths['/api/outbox']?.get?.security, [
        { adminToken: [] },
        { session: [] },
      ]);
      assert.equal(doc.paths['/api/outbox']?.get?.['x-waymark-role'], 'viewer');
      await app.close();
    });

    it('resolves every $ref to a component, including the journey document', async () => {
      const doc = (await (await fetch(`${server.address}/api/openapi.json`)).json()) as OpenApi;
      const refs = new Set(JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? []);
      for (const ref of refs) {
        const name = /^"\$ref":"#\/components\/schemas\/([^"#/]+)"$/.exec(ref)?.[1];
        assert.ok(name && doc.components.schemas[name], `${ref} resolves`);
      }
      const journey = doc.components.schemas.JourneyDocument;
      assert.ok(
        journey?.properties?.nodes && journey.properties.trigger && journey.properties.policies,
      );
      assert.ok(
        doc.components.schemas.Condition,
        'the recursive condition language is a component',
      );
    });

    it('serves a status page and a health check', async () => {
      const health = await fetch(`${server.address}/healthz`);
      assert.deepEqual([health.status, await health.json()], [200, { ok: true }]);

      await server.admin('POST', '/api/journeys', {
        schemaVersion: 1,
        id: 'hello',
        name: 'Hello',
        trigger: { type: 'manual' },
        start: 'done',
        nodes: { done: { type: 'exit' } },
      });
      const page = await fetch(`${server.address}/status`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.match(html, /version 0\.1\.0/);
      assert.match(html, /<strong>1<\/strong> draft/);
      assert.match(html, /href="\/api\/openapi\.json"/);
      assert.match(html, new RegExp(`curl -u "\\$WAYMARK_WRITE_KEY:" ${server.address}/v1/track`));

      const app = buildHttp(server.waymark);
      const injected = await app.inject({
        url: '/status',
        headers: { host: '<script>x</script>' },
      });
      assert.doesNotMatch(injected.body, /<script>x/);
      await app.close();
    });

    it('answers unknown routes, bad content types and failures in the one error shape', async () => {
      const missing = await server.admin('GET', '/api/nothing-here');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error?.code, 'not_found');

      const xml = await fetch(`${server.address}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml', authorization: 'Basic eDo=' },
        body: '<track/>',
      });
      assert.equal(xml.status, 400);
      const xmlBody = (await xml.json()) as { error: { code: string; message: string } };
      assert.equal(xmlBody.error.code, 'invalid_input');
      assert.match(xmlBody.error.message, /content-type/);

      const failing: AppDeps['store'] = new Proxy(server.waymark.deps.store, {
        get(target, key, receiver) {
          if (key === 'journeys') throw new Error('disk on fire at /var/secret/path');
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      const logged: string[] = [];
      const app = buildHttp(
        { deps: { ...server.waymark.deps, store: failing } },
        { logStream: { write: (line) => void logged.push(line) } },
      );
      const res = await app.inject({ url: '/status' });
      assert.equal(res.statusCode, 500);
      assert.deepEqual(res.json(), {
        error: { code: 'internal', message: 'internal error; see the server log', details: [] },
      });
      assert.match(logged.join(''), /disk on fire/);
      await app.close();
    });
  });
}
