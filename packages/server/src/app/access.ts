/**
 * Who an operator request comes from, and sign-in. A browser holds a session (a random 32-byte
 * id in the `waymark_session` cookie, stored only as its SHA-256 hash, valid 14 days and pushed
 * back at most once an hour while in use) and sends its CSRF token (an HMAC of the session id)
 * on writes; scripts send a personal token (`wm_pat_…`, acting as its user) or a workspace's
 * admin token (acting as `admin` of that workspace). Failed sign-ins are counted in the store,
 * per account and per client address, so every process of a fleet refuses the same guesser.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';
import { sha256 } from '../ids.ts';
import type { Tx, UserRow } from '../storage/store.ts';
import { recordAudit, type Actor } from './audit.ts';
import type { AppDeps } from './deps.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyNothing, verifyPassword } from './passwords.ts';
import type { Role } from './roles.ts';
import { authenticate } from './workspaces.ts';

/** The cookie holding a browser's session id. */
export const SESSION_COOKIE = 'waymark_session';
/** How long a session lasts unused. */
export const SESSION_MS = 14 * 24 * 3600_000;
/** A session in use is renewed at most this often. */
const RENEW_MS = 3600_000;
/** The sign-in rate limit: failures per account or client address within the window. */
export const SIGN_IN_LIMIT = { failures: 10, windowMs: 15 * 60_000 };
/** Prefix of personal API tokens. */
export const PERSONAL_TOKEN_PREFIX = 'wm_pat_';

/** Who is calling, before a workspace is chosen. */
export interface Principal {
  kind: 'user' | 'token' | 'adminToken';
  /** The user (sessions and personal tokens). */
  userId?: string | undefined;
  email?: string | undefined;
  /** An admin token's workspace. */
  workspaceId?: string | undefined;
  /** A cookie session: its id, its CSRF token, and whether it was just renewed. */
  session?: { id: string; csrfToken: string; renewed: boolean } | undefined;
}

/** The caller of an operator route: who, and their role in the route's workspace. */
export interface Caller {
  kind: Principal['kind'];
  userId?: string | undefined;
  email?: string | undefined;
  role: Role;
}

/** What a signed-in browser learns about itself (`GET /api/session`). */
export interface SessionView {
  user: { id: string; email: string; name: string | null };
  workspaces: Array<{ id: string; name: string; role: Role }>;
  csrfToken: string;
}

/** The audit actor of a principal. */
export function actorOf(principal: Principal | Caller): Actor {
  return { kind: principal.kind, id: principal.userId, email: principal.email };
}

/** A session's CSRF token: an HMAC of its id with the server's `csrf` key. */
export function csrfTokenOf(deps: AppDeps, sessionId: string): string {
  return deps.secrets.mac('csrf', sessionId);
}

/** Whether a sent CSRF token is the session's (constant-time). */
export function csrfMatches(deps: AppDeps, sessionId: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const expected = Buffer.from(csrfTokenOf(deps, sessionId));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Checks a new password's length; errors name `path`. */
export function checkPassword(password: string, path: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new AppError('invalid_input', `${path}: at least ${MIN_PASSWORD_LENGTH} characters`, [
      { path, message: `shorter than ${MIN_PASSWORD_LENGTH} characters`, hint: 'use a passphrase' },
    ]);
}

/** Writes an entry in every workspace the user belongs to (user-wide events: sign-in, tokens). */
export async function auditForUser(
  tx: Tx,
  a: {
    userId: string;
    at: number;
    actor: Actor;
    action: string;
    target?: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  for (const m of await tx.users.memberships(a.userId))
    await recordAudit(tx, {
      workspaceId: m.workspaceId,
      at: a.at,
      actor: a.actor,
      action: a.action,
      target: a.target ?? `user:${a.userId}`,
      ...(a.detail ? { detail: a.detail } : {}),
    });
}

/** Starts a session for a user (inside `tx`); returns its id (the cookie's value). */
export async function startSession(tx: Tx, userId: string, now: number): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await tx.sessions.create({
    idHash: sha256(id),
    userId,
    createdAt: now,
    expiresAt: now + SESSION_MS,
    renewedAt: now,
  });
  return id;
}

/** The session view of a user. */
export async function sessionView(
  deps: AppDeps,
  user: UserRow,
  /** Null for a personal token (no session, no CSRF token: its csrfToken is ''). */
  sessionId: string | null,
): Promise<SessionView> {
  const memberships = await deps.store.users.memberships(user.id);
  const workspaces: SessionView['workspaces'] = [];
  for (const m of memberships) {
    const ws = await deps.store.workspaces.get(m.workspaceId);
    if (ws) workspaces.push({ id: ws.id, name: ws.name, role: m.role });
  }
  return {
    user: { id: user.id, email: user.email, name: user.name },
    workspaces,
    csrfToken: sessionId === null ? '' : csrfTokenOf(deps, sessionId),
  };
}

async function limited(deps: AppDeps, keys: string[], now: number): Promise<void> {
  // A failure counts for the window from its time: [at, at + window).
  const since = now - SIGN_IN_LIMIT.windowMs + 1;
  for (const key of keys) {
    const { count, oldest } = await deps.store.sessions.signInFailures(key, since);
    if (count >= SIGN_IN_LIMIT.failures) {
      const retryAfter = Math.max(
        1,
        Math.ceil(((oldest ?? now) + SIGN_IN_LIMIT.windowMs - now) / 1000),
      );
      throw new AppError(
        'rate_limited',
        `too many failed sign-ins; try again in ${retryAfter} s`,
        [],
        { retryAfter },
      );
    }
  }
}

/**
 * Signs in with email and password; returns the new session's id and view. Unknown emails and
 * wrong passwords get the same answer after the same work (an scrypt run either way).
 */
export async function signIn(
  deps: AppDeps,
  input: { email: string; password: string; address: string },
): Promise<{ sessionId: string; view: SessionView }> {
  const now = deps.clock.now();
  const emailKey = `email:${input.email.toLowerCase()}`;
  const keys = [emailKey, `address:${input.address}`];
  await limited(deps, keys, now);
  const user = await deps.store.users.getByEmail(input.email);
  const ok = user?.passwordHash
    ? await verifyPassword(input.password, user.passwordHash)
    : await verifyNothing(input.password);
  if (!user || !ok) {
    await deps.store.sessions.pruneSignInFailures(now - SIGN_IN_LIMIT.windowMs);
    await deps.store.sessions.addSignInFailure(keys, now);
    throw new AppError('invalid_credentials', 'wrong email or password');
  }
  const sessionId = await deps.store.transaction(async (tx) => {
    await tx.sessions.clearSignInFailures(emailKey);
    const id = await startSession(tx, user.id, now);
    const actor: Actor = { kind: 'user', id: user.id, email: user.email };
    await auditForUser(tx, { userId: user.id, at: now, actor, action: 'session.signed_in' });
    return id;
  });
  return { sessionId, view: await sessionView(deps, user, sessionId) };
}

/** Ends a session (signing out). */
export async function signOut(deps: AppDeps, principal: Principal): Promise<void> {
  const { session, userId } = principal;
  if (!session || !userId) return;
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.sessions.remove(sha256(session.id));
    await auditForUser(tx, {
      userId,
      at: now,
      actor: actorOf(principal),
      action: 'session.signed_out',
    });
  });
}

/** The signed-in user of a principal, or `forbidden` (an admin token is nobody's). */
export async function userOf(deps: AppDeps, principal: Principal): Promise<UserRow> {
  const user = principal.userId ? await deps.store.users.get(principal.userId) : null;
  if (!user)
    throw new AppError('forbidden', 'this needs a signed-in user or a personal token', [
      { path: 'authorization', message: 'an admin token acts for no user' },
    ]);
  return user;
}

/** Changes the caller's password; every other session of theirs ends. */
export async function changePassword(
  deps: AppDeps,
  principal: Principal,
  input: { current: string; password: string },
): Promise<void> {
  const user = await userOf(deps, principal);
  if (!user.passwordHash || !(await verifyPassword(input.current, user.passwordHash)))
    throw new AppError('invalid_input', 'body.current: not your current password', [
      { path: 'body.current', message: 'wrong password' },
    ]);
  checkPassword(input.password, 'body.password');
  const hash = await hashPassword(input.password);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.users.setPassword(user.id, hash, now);
    const keep = principal.session ? sha256(principal.session.id) : undefined;
    await tx.sessions.removeForUser(user.id, keep);
    await auditForUser(tx, {
      userId: user.id,
      at: now,
      actor: actorOf(principal),
      action: 'user.password_changed',
    });
  });
}

/** The principal of a session cookie, or null when unknown or expired (renewed when due). */
export async function authenticateSession(
  deps: AppDeps,
  sessionId: string,
): Promise<Principal | null> {
  const idHash = sha256(sessionId);
  const session = await deps.store.sessions.get(idHash);
  const now = deps.clock.now();
  if (!session) return null;
  if (session.expiresAt <= now) {
    await deps.store.sessions.remove(idHash);
    return null;
  }
  const user = await deps.store.users.get(session.userId);
  if (!user) return null;
  const renewed = now - session.renewedAt >= RENEW_MS;
  if (renewed) await deps.store.sessions.renew(idHash, now + SESSION_MS, now);
  return {
    kind: 'user',
    userId: user.id,
    email: user.email,
    session: { id: sessionId, csrfToken: csrfTokenOf(deps, sessionId), renewed },
  };
}

/** The principal of a Bearer token: a personal token (`wm_pat_…`) or a workspace admin token. */
export async function authenticateBearer(deps: AppDeps, token: string): Promise<Principal> {
  if (!token.startsWith(PERSONAL_TOKEN_PREFIX))
    return { kind: 'adminToken', workspaceId: await authenticate(deps, 'admin', token) };
  const row = await deps.store.users.findToken(sha256(token));
  const user = row ? await deps.store.users.get(row.userId) : null;
  if (!user) throw new AppError('unauthorized', 'unknown personal token');
  return { kind: 'token', userId: user.id, email: user.email };
}

/**
 * The workspace an operator request acts on and the caller's role there: the one named by the
 * `Waymark-Workspace` header, else the user's first (by id); an admin token's own.
 */
export async function callerIn(
  deps: AppDeps,
  principal: Principal,
  named: string | undefined,
): Promise<{ workspaceId: string; caller: Caller }> {
  const refuse = (message: string) =>
    new AppError('forbidden', message, [{ path: 'headers.waymark-workspace', message }]);
  const base = { kind: principal.kind, userId: principal.userId, email: principal.email };
  if (principal.kind === 'adminToken') {
    const own = principal.workspaceId ?? '';
    if (named !== undefined && named !== own)
      throw refuse(`this admin token is not for workspace ${named}`);
    return { workspaceId: own, caller: { ...base, role: 'admin' } };
  }
  const memberships = await deps.store.users.memberships(principal.userId ?? '');
  const m = named === undefined ? memberships[0] : memberships.find((x) => x.workspaceId === named);
  if (!m)
    throw refuse(
      named === undefined
        ? 'you are a member of no workspace'
        : `you are not a member of workspace ${named}`,
    );
  return { workspaceId: m.workspaceId, caller: { ...base, role: m.role } };
}
