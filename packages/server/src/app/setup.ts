/**
 * One-time links, stored as the SHA-256 hash of their token and valid 24 hours: the setup link
 * printed at first start (it creates the first admin, admin of every workspace) and password
 * links (their holder sets that user's password). Using one signs its holder in.
 */
import { AppError } from '../errors.ts';
import { newId, newSecret, sha256 } from '../ids.ts';
import type { SetupKind, Tx } from '../storage/store.ts';
import {
  auditForUser,
  checkPassword,
  sessionView,
  startSession,
  type SessionView,
} from './access.ts';
import type { Actor } from './audit.ts';
import type { AppDeps } from './deps.ts';
import { hashPassword } from './passwords.ts';

/** How long a setup or password link is valid. */
export const LINK_MS = 24 * 3600_000;

/** The page of the operator app where a link's holder sets a password. */
export function linkUrl(deps: AppDeps, token: string): string {
  return `${deps.publicUrl.replace(/\/+$/, '')}/setup/${token}`;
}

/** Makes a one-time link's token (inside `tx`). */
export async function createLink(
  tx: Tx,
  a: { kind: SetupKind; userId: string | null; now: number },
): Promise<string> {
  const token = newSecret('', 32);
  await tx.sessions.addSetupToken({
    hash: sha256(token),
    kind: a.kind,
    userId: a.userId,
    createdAt: a.now,
    expiresAt: a.now + LINK_MS,
    usedAt: null,
  });
  return token;
}

/**
 * At start: when the store has no user yet, a one-time link (valid 24 h) that creates the first
 * admin; null once there is a user.
 */
export async function firstStartLink(deps: AppDeps): Promise<string | null> {
  const now = deps.clock.now();
  const token = await deps.store.transaction(async (tx) =>
    (await tx.users.count()) > 0
      ? null
      : createLink(tx, { kind: 'first_admin', userId: null, now }),
  );
  return token === null ? null : linkUrl(deps, token);
}

const unknownLink = () =>
  new AppError('not_found', 'this link is unknown, used or expired', [
    { path: 'token', message: 'unknown, used or expired', hint: 'ask an admin for a new link' },
  ]);

/** What a link does, or `not_found` when it is unknown, used or expired. */
export async function describeLink(
  deps: AppDeps,
  token: string,
): Promise<{ kind: SetupKind; email?: string; expiresAt: number }> {
  const row = await deps.store.sessions.getSetupToken(sha256(token));
  if (!row || row.usedAt !== null || row.expiresAt <= deps.clock.now()) throw unknownLink();
  if (row.kind === 'first_admin') {
    if ((await deps.store.users.count()) > 0) throw unknownLink();
    return { kind: row.kind, expiresAt: row.expiresAt };
  }
  const user = row.userId ? await deps.store.users.get(row.userId) : null;
  if (!user) throw unknownLink();
  return { kind: row.kind, email: user.email, expiresAt: row.expiresAt };
}

/**
 * Uses a link: a `first_admin` link creates the first user (admin of every workspace), a
 * `password` link sets its user's password. Either signs the holder in.
 */
export async function useLink(
  deps: AppDeps,
  input: { token: string; email?: string | undefined; name?: string | undefined; password: string },
): Promise<{ sessionId: string; view: SessionView }> {
  const link = await describeLink(deps, input.token);
  checkPassword(input.password, 'body.password');
  if (link.kind === 'first_admin' && !input.email)
    throw new AppError('invalid_input', 'body.email: the first admin needs an email', [
      { path: 'body.email', message: 'required for the first admin' },
    ]);
  const hash = await hashPassword(input.password);
  const now = deps.clock.now();
  const { userId, sessionId } = await deps.store.transaction(async (tx) => {
    const row = await tx.sessions.getSetupToken(sha256(input.token));
    if (!row || !(await tx.sessions.useSetupToken(row.hash, now))) throw unknownLink();
    let id = row.userId ?? '';
    if (row.kind === 'first_admin') {
      if ((await tx.users.count()) > 0) throw unknownLink();
      id = newId(now);
      const email = (input.email ?? '').toLowerCase();
      await tx.users.create({
        id,
        email,
        name: input.name ?? null,
        passwordHash: hash,
        createdAt: now,
        updatedAt: now,
      });
      for (const ws of await tx.workspaces.list())
        await tx.users.setMembership({
          workspaceId: ws.id,
          userId: id,
          role: 'admin',
          createdAt: now,
        });
      const actor: Actor = { kind: 'user', id, email };
      await auditForUser(tx, {
        userId: id,
        at: now,
        actor,
        action: 'user.added',
        detail: { role: 'admin', setup: true },
      });
    } else {
      await tx.users.setPassword(id, hash, now);
      await tx.sessions.removeForUser(id);
      const user = await tx.users.get(id);
      const actor: Actor = { kind: 'user', id, email: user?.email };
      await auditForUser(tx, {
        userId: id,
        at: now,
        actor,
        action: 'user.password_changed',
        detail: { link: true },
      });
    }
    return { userId: id, sessionId: await startSession(tx, id, now) };
  });
  const user = await deps.store.users.get(userId);
  if (!user) throw unknownLink();
  return { sessionId, view: await sessionView(deps, user, sessionId) };
}
