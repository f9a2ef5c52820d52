// Every operator route of the table refuses the roles its minimum does not grant, and lets a
// granted one through: real requests with real sessions of users of each role. Also: anonymous
// requests are 401, cookie writes without the CSRF token are 403 csrf_failed, and a user of one
// workspace naming another is 403. SQLite and, with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { grants, ROLES, type Role } from '../app/roles.ts';
import { ensureWorkspace } from '../app/workspaces.ts';
import { browser, firstAdmin, member, type Browser } from './access.fixtures.ts';
import { routeTable } from './server.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

const operatorRoutes = routeTable().filter((r) => r.auth === 'admin');

/** A route's path with every parameter filled. */
const pathOf = (url: string) => url.replace(/:(\w+)/g, 'x');
const bodyOf = (method: string) => (method === 'GET' ? undefined : {});

for (const backend of testDatabaseUrls()) {
  describe(`roles of the route table (${backend.name})`, () => {
    let server: TestServer;
    const as = {} as Record<Role, Browser>;

    before(async () => {
      server = await startTestServer(backend);
      as.admin = await firstAdmin(server);
      for (const role of ROLES)
        if (role !== 'admin') as[role] = await member(server, as.admin, role);
    });
    after(async () => {
      await server?.close();
    });

    it('every operator route names its least role', () => {
      assert.ok(operatorRoutes.length > 40);
      for (const r of operatorRoutes) assert.ok(r.role, `${r.method} ${r.url} names no role`);
    });

    it('refuses every role the route does not grant, and lets its own role through', async () => {
      for (const route of operatorRoutes) {
        const need = route.role ?? 'admin';
        for (const role of ROLES) {
          const res = await as[role].call(route.method, pathOf(route.url), bodyOf(route.method));
          const what = `${role} ${route.method} ${route.url}: ${res.status} ${JSON.stringify(res.body)}`;
          if (grants(role, need)) {
            if (role === need) assert.ok(![401, 403].includes(res.status), what);
          } else {
            assert.equal(res.status, 403, what);
            assert.equal(res.body.error?.code, 'forbidden', what);
          }
        }
      }
    });

    it('answers 401 to anonymous requests and csrf_failed to cookie writes without the token', async () => {
      const anonymous = browser(server.address);
      for (const route of operatorRoutes) {
        const path = pathOf(route.url);
        const res = await anonymous.call(route.method, path, bodyOf(route.method));
        assert.equal(res.status, 401, `${route.method} ${route.url}`);
        if (route.method === 'GET') continue;
        const forged = await as.admin.call(route.method, path, {}, { csrf: false });
        assert.equal(forged.status, 403, `${route.method} ${route.url}`);
        assert.equal(forged.body.error?.code, 'csrf_failed');
        const wrong = await as.admin.call(
          route.method,
          path,
          {},
          {
            csrf: false,
            headers: { 'x-csrf-token': `${as.admin.csrf}x` },
          },
        );
        assert.equal(wrong.body.error?.code, 'csrf_failed');
      }
    });

    it('refuses a workspace the user is not a member of, and shows nothing of it', async () => {
      await ensureWorkspace(server.waymark.deps, { id: 'other', name: 'Other' });
      for (const path of ['/api/journeys', '/api/users', '/api/audit', '/api/tasks']) {
        const res = await as.admin.call('GET', path, undefined, {
          headers: { 'waymark-workspace': 'other' },
        });
        assert.equal(res.status, 403, path);
        assert.equal(res.body.error?.code, 'forbidden');
      }
      const mine = await as.admin.call<{ items: Array<{ id: string }> }>('GET', '/api/workspaces');
      assert.deepEqual(
        mine.body.items.map((w) => w.id),
        ['default'],
      );
      // The admin token of `default` cannot name `other` either.
      const token = await server.admin('GET', '/api/journeys');
      assert.equal(token.status, 200);
      const res = await fetch(`${server.address}/api/journeys`, {
        headers: { authorization: 'Bearer wa_test_admin_token', 'waymark-workspace': 'other' },
      });
      assert.equal(res.status, 403);
    });
  });
}
