/**
 * Test fixtures of sign-in over HTTP: a browser that keeps the session cookie and sends the CSRF
 * token on writes, the first admin made through the first-start setup link, and members of each
 * role made the way an admin makes them (`POST /api/users`, then the password link).
 */
import assert from 'node:assert/strict';
import { firstStartLink } from '../app/setup.ts';
import type { Role } from '../app/roles.ts';
import type { JsonResponse, TestServer } from './testing.ts';

/** A password the fixtures' users have. */
export const PASSWORD = 'correct horse battery staple';

/** A response with its headers. */
export type BrowserResponse<T> = JsonResponse<T> & { headers: Headers };

/** A browser of the operator app: its cookie, its CSRF token, and requests with both. */
export interface Browser {
  cookie: string | null;
  csrf: string;
  /** Sends a request with the cookie; writes carry X-CSRF-Token unless `csrf: false`. */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { headers?: Record<string, string>; csrf?: boolean },
  ): Promise<BrowserResponse<T>>;
}

/** The value of `waymark_session` a response sets; null when it clears it; undefined if untouched. */
export function sessionCookie(headers: Headers): string | null | undefined {
  for (const line of headers.getSetCookie()) {
    const m = /^waymark_session=([^;]*)/.exec(line);
    if (m) return m[1] ? m[1] : null;
  }
  return undefined;
}

/** A browser with no cookie yet. */
export function browser(address: string): Browser {
  const b: Browser = {
    cookie: null,
    csrf: '',
    async call<T>(
      method: string,
      path: string,
      body?: unknown,
      opts: { headers?: Record<string, string>; csrf?: boolean } = {},
    ) {
      const headers: Record<string, string> = { ...opts.headers };
      if (b.cookie) headers.cookie = `waymark_session=${b.cookie}`;
      if (method !== 'GET' && opts.csrf !== false && b.csrf) headers['x-csrf-token'] = b.csrf;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${address}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const set = sessionCookie(res.headers);
      if (set !== undefined) b.cookie = set;
      const text = await res.text();
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (typeof parsed === 'object' && parsed && 'csrfToken' in parsed) {
        if (typeof parsed.csrfToken === 'string') b.csrf = parsed.csrfToken;
      }
      return {
        status: res.status,
        body: parsed as BrowserResponse<T>['body'],
        headers: res.headers,
      };
    },
  };
  return b;
}

/** The token of a setup or password link (`…/setup/<token>`). */
export function linkToken(url: string): string {
  const token = /\/setup\/([^/?#]+)$/.exec(url)?.[1];
  assert.ok(token, `not a setup link: ${url}`);
  return token;
}

/** Creates the first admin through the first-start link; returns their signed-in browser. */
export async function firstAdmin(
  server: TestServer,
  email = 'admin@example.com',
): Promise<Browser> {
  const url = await firstStartLink(server.waymark.deps);
  assert.ok(url, 'the store already has users');
  const b = browser(server.address);
  const r = await b.call('POST', '/api/setup', {
    token: linkToken(url),
    email,
    password: PASSWORD,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return b;
}

/** Adds a member with `role` (as `admin` does) and signs them in with their password link. */
export async function member(
  server: TestServer,
  admin: Browser,
  role: Role,
  email = `${role}@example.com`,
  headers: Record<string, string> = {},
): Promise<Browser & { id: string }> {
  const added = await admin.call<{ user: { id: string }; passwordUrl: string }>(
    'POST',
    '/api/users',
    { email, role },
    { headers },
  );
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const b = browser(server.address);
  const r = await b.call('POST', '/api/setup', {
    token: linkToken(added.body.passwordUrl),
    password: PASSWORD,
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Object.assign(b, { id: added.body.user.id });
}
