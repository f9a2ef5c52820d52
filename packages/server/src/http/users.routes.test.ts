// Members, personal tokens, workspaces and the audit log over real HTTP: an admin adds users
// (each with a one-time password link), changes their roles but never leaves a workspace without
// an admin; a personal token acts as its user; a new workspace comes with its keys and its
// creator as admin; the audit log names who published a journey, configured a channel, signed
// in. SQLite and, with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstAdmin, member, PASSWORD, type Browser } from './access.fixtures.ts';
import { basicAuth, startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

const journey = {
  schemaVersion: 1,
  id: 'hello',
  name: 'Hello',
  trigger: { type: 'manual' },
  start: 'done',
  nodes: { done: { type: 'exit' } },
};

type Member = { id: string; email: string; role: string };
type Entry = {
  at: number;
  actor: { kind: string; id: string | null; email: string | null };
  action: string;
  target: string;
  detail: Record<string, unknown>;
};

for (const backend of testDatabaseUrls()) {
  describe(`users, tokens, workspaces and audit (${backend.name})`, () => {
    let server: TestServer;
    let admin: Browser;
    let editor: Browser & { id: string };

    before(async () => {
      server = await startTestServer(backend);
      admin = await firstAdmin(server);
    });
    after(async () => {
      await server?.close();
    });

    it('adds members with a password link, changes roles, keeps one admin', async () => {
      editor = await member(server, admin, 'viewer', 'Eddie@Example.com');
      const list = await admin.call<{ items: Member[] }>('GET', '/api/users');
      assert.deepEqual(
        list.body.items.map((m) => [m.email, m.role]),
        [
          ['admin@example.com', 'admin'],
          ['eddie@example.com', 'viewer'],
        ],
      );
      const again = await admin.call<{ passwordUrl: string | null }>('POST', '/api/users', {
        email: 'eddie@example.com',
        role: 'viewer',
      });
      assert.equal(again.status, 201);
      assert.equal(again.body.passwordUrl, null, 'an existing user gets no new link');

      assert.equal((await editor.call('POST', '/api/journeys', journey)).status, 403);
      const promoted = await admin.call<Member>('PUT', `/api/users/${editor.id}/role`, {
        role: 'editor',
      });
      assert.equal(promoted.body.role, 'editor');
      assert.equal((await editor.call('POST', '/api/journeys', journey)).status, 201);

      const me = list.body.items.find((m) => m.role === 'admin')!;
      const demote = await admin.call('PUT', `/api/users/${me.id}/role`, { role: 'editor' });
      assert.equal(demote.status, 409);
      assert.equal(demote.body.error?.code, 'conflict');
      assert.equal((await admin.call('DELETE', `/api/users/${me.id}`)).status, 409);
      assert.equal((await admin.call('DELETE', '/api/users/nobody')).status, 404);
    });

    it('lets a personal token act as its user, with their role, until deleted', async () => {
      const made = await editor.call<{ id: string; token: string; name: string }>(
        'POST',
        '/api/tokens',
        { name: 'ci' },
      );
      assert.equal(made.status, 201);
      assert.match(made.body.token, /^wm_pat_/);
      const listed = await editor.call<{ items: Array<Record<string, unknown>> }>(
        'GET',
        '/api/tokens',
      );
      assert.deepEqual(
        listed.body.items.map((t) => t.name),
        ['ci'],
      );
      assert.ok(!JSON.stringify(listed.body).includes(made.body.token), 'never shown again');

      const bearer = (method: string, path: string, body?: unknown) =>
        fetch(`${server.address}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${made.body.token}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
      assert.equal((await bearer('GET', '/api/journeys')).status, 200);
      assert.equal(
        (await bearer('POST', '/api/journeys/hello/publish', {})).status,
        200,
        'an editor publishes, no CSRF token needed',
      );
      assert.equal((await bearer('GET', '/api/users')).status, 403, 'not an admin');
      const removed = await editor.call('DELETE', `/api/tokens/${made.body.id}`);
      assert.equal(removed.status, 204);
      assert.equal((await bearer('GET', '/api/journeys')).status, 401);
    });

    it('creates a workspace with its keys; its creator is its admin; viewers may not', async () => {
      const created = await admin.call<{
        workspace: { id: string; role: string };
        writeKey: string;
        adminToken: string;
      }>('POST', '/api/workspaces', { id: 'shop', name: 'Shop', timezone: 'Europe/Paris' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.workspace.role, 'admin');
      const track = await fetch(`${server.address}/v1/track`, {
        method: 'POST',
        headers: {
          authorization: basicAuth(created.body.writeKey),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ userId: 'u1', event: 'hello' }),
      });
      assert.equal(track.status, 200);
      const duplicate = await admin.call('POST', '/api/workspaces', { id: 'shop', name: 'Shop' });
      assert.equal(duplicate.status, 409);
      const mine = await admin.call<{ items: Array<{ id: string; role: string }> }>(
        'GET',
        '/api/workspaces',
      );
      assert.deepEqual(
        mine.body.items.map((w) => [w.id, w.role]),
        [
          ['default', 'admin'],
          ['shop', 'admin'],
        ],
      );
      // The new workspace is empty and separate: the editor of `default` is not a member.
      const inShop = await admin.call<{ items: unknown[] }>('GET', '/api/journeys', undefined, {
        headers: { 'waymark-workspace': 'shop' },
      });
      assert.deepEqual(inShop.body.items, []);
      const denied = await editor.call('GET', '/api/journeys', undefined, {
        headers: { 'waymark-workspace': 'shop' },
      });
      assert.equal(denied.status, 403);
      const viewer = await member(server, admin, 'viewer', 'vera@example.com');
      assert.equal((await viewer.call('POST', '/api/workspaces', { name: 'Nope' })).status, 403);
    });

    it('records who did what, newest first', async () => {
      await server.admin('POST', '/api/journeys/hello/pause');
      const sms = await admin.call('PUT', '/api/channels/sms', {
        provider: 'http-sms',
        settings: { url: 'http://127.0.0.1:9/sms' },
      });
      assert.equal(sms.status, 200, JSON.stringify(sms.body));
      assert.equal((await admin.call('DELETE', '/api/channels/sms')).status, 200);
      await admin.call('POST', '/api/session', { email: 'admin@example.com', password: PASSWORD });
      const log = await admin.call<{ items: Entry[]; next: string | null }>(
        'GET',
        '/api/audit?limit=100',
      );
      assert.equal(log.status, 200);
      const actions = log.body.items.map((e) => e.action);
      for (const action of [
        'user.added',
        'user.role_changed',
        'token.created',
        'token.deleted',
        'journey.published',
        'journey.paused',
        'channel.created',
        'channel.deleted',
        'workspace.created',
        'session.signed_in',
      ])
        assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
      const times = log.body.items.map((e) => e.at);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first',
      );
      const paused = log.body.items.find((e) => e.action === 'journey.paused');
      assert.deepEqual(paused?.actor, { kind: 'adminToken', id: null, email: null });
      const published = log.body.items.find((e) => e.action === 'journey.published');
      assert.equal(published?.actor.kind, 'token');
      assert.equal(published?.actor.email, 'eddie@example.com');
      assert.equal(published?.target, 'journey:hello');
      const channel = log.body.items.find((e) => e.action === 'channel.created');
      assert.equal(channel?.actor.email, 'admin@example.com');
      assert.equal(channel?.target, 'channel:sms');
      const page = await admin.call<{ items: Entry[]; next: string | null }>(
        'GET',
        '/api/audit?limit=2',
      );
      assert.equal(page.body.items.length, 2);
      assert.ok(page.body.next);
      assert.equal((await editor.call('GET', '/api/audit')).status, 403);
    });
  });
}
