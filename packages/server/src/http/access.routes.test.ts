// Sign-in over real HTTP: the first-start setup link, sessions in an httpOnly cookie (renewed
// while used, ended by sign-out, expiry or a password change), the same answer for an unknown
// email and a wrong password, and the sign-in rate limit per account and per client address.
// SQLite and, with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstStartLink } from '../app/setup.ts';
import { ensureWorkspace } from '../app/workspaces.ts';
import { ManualClock } from '../clock.ts';
import { browser, linkToken, PASSWORD, type Browser } from './access.fixtures.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

const START = Date.parse('2026-03-02T10:00:00.000Z');
const MIN = 60_000;
const DAY = 86_400_000;

type Session = {
  user: { id: string; email: string; name: string | null };
  workspaces: Array<{ id: string; name: string; role: string }>;
  csrfToken: string;
};

for (const backend of testDatabaseUrls()) {
  describe(`sign-in (${backend.name})`, () => {
    let server: TestServer;
    let clock: ManualClock;
    let admin: Browser;

    before(async () => {
      clock = new ManualClock(START);
      server = await startTestServer(backend, { clock });
      await ensureWorkspace(server.waymark.deps, { id: 'second', name: 'Second' });
    });
    after(async () => {
      await server?.close();
    });

    it('creates the first admin, of every workspace, through the one-time setup link', async () => {
      const url = await firstStartLink(server.waymark.deps);
      assert.ok(url?.startsWith(`${server.waymark.deps.publicUrl.replace(/\/+$/, '')}/setup/`));
      assert.ok(url);
      const token = linkToken(url);
      const anonymous = browser(server.address);
      const info = await anonymous.call('GET', `/api/setup/${token}`);
      assert.deepEqual(info.body, { kind: 'first_admin', expiresAt: START + DAY });
      const noEmail = await anonymous.call('POST', '/api/setup', { token, password: PASSWORD });
      assert.equal(noEmail.status, 400);
      const short = await anonymous.call('POST', '/api/setup', {
        token,
        email: 'Admin@Example.com',
        password: 'short',
      });
      assert.equal(short.body.error?.details[0]?.path, 'body.password');

      admin = browser(server.address);
      const made = await admin.call<Session>('POST', '/api/setup', {
        token,
        email: 'Admin@Example.com',
        name: 'Ada',
        password: PASSWORD,
      });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      assert.equal(made.body.user.email, 'admin@example.com');
      assert.deepEqual(
        made.body.workspaces.map((w) => [w.id, w.role]),
        [
          ['default', 'admin'],
          ['second', 'admin'],
        ],
      );
      const cookie = made.headers.getSetCookie().join('\n');
      assert.match(cookie, /waymark_session=[\w-]{43};/);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      assert.match(cookie, /Path=\//);
      assert.doesNotMatch(cookie, /Secure/i, 'plain http: not Secure');

      // The link is spent, and no other first-admin link is made once there is a user.
      assert.equal((await anonymous.call('GET', `/api/setup/${token}`)).status, 404);
      const again = await anonymous.call('POST', '/api/setup', {
        token,
        email: 'eve@example.com',
        password: PASSWORD,
      });
      assert.equal(again.status, 404);
      assert.equal(await firstStartLink(server.waymark.deps), null);
    });

    it('signs in and out; an unknown email and a wrong password get the same answer', async () => {
      const b = browser(server.address);
      const unknown = await b.call('POST', '/api/session', {
        email: 'nobody@example.com',
        password: PASSWORD,
      });
      const wrong = await b.call('POST', '/api/session', {
        email: 'admin@example.com',
        password: 'not the password',
      });
      assert.equal(unknown.status, 401);
      assert.deepEqual(unknown.body, wrong.body);
      assert.equal(wrong.body.error?.code, 'invalid_credentials');
      assert.equal((await b.call('GET', '/api/session')).status, 401);

      const signedIn = await b.call<Session>(
        'POST',
        '/api/session',
        { email: 'ADMIN@example.com', password: PASSWORD },
        { headers: { 'x-forwarded-proto': 'https' } },
      );
      assert.equal(signedIn.status, 200);
      assert.match(signedIn.headers.getSetCookie().join('\n'), /Secure/i, 'https: Secure');
      const me = await b.call<Session>('GET', '/api/session');
      assert.equal(me.body.user.email, 'admin@example.com');
      assert.equal(me.body.csrfToken, signedIn.body.csrfToken);

      const noCsrf = await b.call('DELETE', '/api/session', undefined, { csrf: false });
      assert.equal(noCsrf.body.error?.code, 'csrf_failed');
      const cookie = b.cookie;
      const out = await b.call('DELETE', '/api/session');
      assert.equal(out.status, 204);
      assert.equal(b.cookie, null, 'the cookie is cleared');
      b.cookie = cookie;
      assert.equal((await b.call('GET', '/api/session')).status, 401, 'the session is gone');
    });

    it('renews a session in use at most once an hour and ends it 14 days after last use', async () => {
      const b = browser(server.address);
      await b.call('POST', '/api/session', { email: 'admin@example.com', password: PASSWORD });
      clock.advance(30 * MIN);
      const early = await b.call('GET', '/api/journeys');
      assert.equal(early.status, 200);
      assert.equal(early.headers.getSetCookie().length, 0, 'not renewed within the hour');
      clock.advance(31 * MIN);
      const renewed = await b.call('GET', '/api/journeys');
      assert.match(renewed.headers.getSetCookie().join(''), /waymark_session=/);
      clock.advance(13 * DAY);
      assert.equal((await b.call('GET', '/api/journeys')).status, 200, 'still valid: renewed');
      clock.advance(14 * DAY);
      const expired = await b.call('GET', '/api/journeys');
      assert.equal(expired.status, 401);
      assert.equal(b.cookie, null, 'the stale cookie is cleared');
    });

    it('changes the password and ends the other sessions', async () => {
      const other = browser(server.address);
      await other.call('POST', '/api/session', { email: 'admin@example.com', password: PASSWORD });
      await admin.call('POST', '/api/session', { email: 'admin@example.com', password: PASSWORD });
      const wrong = await admin.call('PUT', '/api/session/password', {
        current: 'nope',
        password: 'a new long password',
      });
      assert.equal(wrong.body.error?.details[0]?.path, 'body.current');
      const short = await admin.call('PUT', '/api/session/password', {
        current: PASSWORD,
        password: 'short',
      });
      assert.equal(short.body.error?.details[0]?.path, 'body.password');
      const ok = await admin.call('PUT', '/api/session/password', {
        current: PASSWORD,
        password: 'a new long password',
      });
      assert.equal(ok.status, 204);
      assert.equal((await admin.call('GET', '/api/session')).status, 200, 'this one stays');
      assert.equal((await other.call('GET', '/api/session')).status, 401, 'the other ended');
      const old = await browser(server.address).call('POST', '/api/session', {
        email: 'admin@example.com',
        password: PASSWORD,
      });
      assert.equal(old.status, 401);
      await admin.call('PUT', '/api/session/password', {
        current: 'a new long password',
        password: PASSWORD,
      });
    });

    it('limits failed sign-ins per account, then per client address, for 15 minutes', async () => {
      // Every request of the test comes from 127.0.0.1: start after the earlier tests' window.
      clock.advance(16 * MIN);
      const b = browser(server.address);
      const signIn = (email: string, password: string) =>
        b.call('POST', '/api/session', { email, password });
      for (let i = 0; i < 10; i += 1)
        assert.equal((await signIn('admin@example.com', 'wrong')).status, 401, `attempt ${i}`);
      const limited = await signIn('admin@example.com', PASSWORD);
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error?.code, 'rate_limited');
      const retry = Number(limited.headers.get('retry-after'));
      assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After ${retry}`);
      clock.advance(15 * MIN);
      assert.equal((await signIn('admin@example.com', PASSWORD)).status, 200);

      // The address: failures on several accounts add up; a success elsewhere resets nothing.
      clock.advance(15 * MIN);
      for (let i = 0; i < 5; i += 1) await signIn(`guess${i}@example.com`, 'wrong');
      assert.equal((await signIn('admin@example.com', PASSWORD)).status, 200);
      for (let i = 5; i < 10; i += 1) await signIn(`guess${i}@example.com`, 'wrong');
      assert.equal((await signIn('admin@example.com', PASSWORD)).status, 429);
    });
  });
}
