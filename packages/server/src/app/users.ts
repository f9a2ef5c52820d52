/**
 * Operator users: members of a workspace and their roles (never fewer than one admin),
 * personal API tokens, and the workspaces a user sees and creates. Changes are audited in their
 * own transaction.
 */
import { AppError } from '../errors.ts';
import { newId, newSecret, sha256 } from '../ids.ts';
import type { Tx, UserRow } from '../storage/store.ts';
import { createLink, linkUrl } from './setup.ts';
import { actorOf, auditForUser, PERSONAL_TOKEN_PREFIX, userOf, type Principal } from './access.ts';
import { recordAudit, SYSTEM_ACTOR, type Actor } from './audit.ts';
import type { AppDeps } from './deps.ts';
import type { Role } from './roles.ts';
import { ensureWorkspaceIn, type GeneratedKeys } from './workspaces.ts';

/** A user as the API shows it. */
export interface UserView {
  id: string;
  email: string;
  name: string | null;
}

const view = (u: UserRow): UserView => ({ id: u.id, email: u.email, name: u.name });

/** A member of a workspace. */
export interface MemberView extends UserView {
  role: Role;
}

/** The members of a workspace with their roles. */
export async function listMembers(deps: AppDeps, workspaceId: string): Promise<MemberView[]> {
  return (await deps.store.users.members(workspaceId)).map((m) => ({
    ...view(m.user),
    role: m.role,
  }));
}

/**
 * Adds a user to a workspace with a role: a new user is created without a password and gets a
 * one-time password link; an existing one is only added (passwordUrl null), unless `link`.
 */
export async function addMember(
  deps: AppDeps,
  a: {
    workspaceId: string;
    email: string;
    name?: string | undefined;
    role: Role;
    actor: Actor;
    /** Make a password link for an existing user too (`waymark users create`). */
    link?: boolean;
  },
): Promise<{ user: UserView; role: Role; passwordUrl: string | null }> {
  const now = deps.clock.now();
  const r = await deps.store.transaction(async (tx) => {
    if (!(await tx.workspaces.get(a.workspaceId)))
      throw new AppError('not_found', `workspace ${a.workspaceId} not found`, [
        { path: 'workspace', message: 'no such workspace' },
      ]);
    let user = await tx.users.getByEmail(a.email);
    const created = !user;
    if (!user) {
      user = {
        id: newId(now),
        email: a.email.toLowerCase(),
        name: a.name ?? null,
        passwordHash: null,
        createdAt: now,
        updatedAt: now,
      };
      await tx.users.create(user);
    }
    const prior = await tx.users.membership(a.workspaceId, user.id);
    if (prior && prior.role !== a.role) await lastAdminGuard(tx, a.workspaceId, user.id, a.role);
    await tx.users.setMembership({
      workspaceId: a.workspaceId,
      userId: user.id,
      role: a.role,
      createdAt: now,
    });
    await recordAudit(tx, {
      workspaceId: a.workspaceId,
      at: now,
      actor: a.actor,
      action: 'user.added',
      target: `user:${user.id}`,
      detail: { email: user.email, role: a.role },
    });
    const token =
      created || a.link ? await createLink(tx, { kind: 'password', userId: user.id, now }) : null;
    return { user, token };
  });
  return {
    user: view(r.user),
    role: a.role,
    passwordUrl: r.token === null ? null : linkUrl(deps, r.token),
  };
}

/** Refuses leaving a workspace without an admin (removing or demoting its last one). */
async function lastAdminGuard(
  tx: Tx,
  workspaceId: string,
  userId: string,
  next: Role | null,
): Promise<void> {
  const current = await tx.users.membership(workspaceId, userId);
  if (current?.role !== 'admin' || next === 'admin') return;
  if ((await tx.users.countRole(workspaceId, 'admin')) <= 1)
    throw new AppError('conflict', 'a workspace keeps at least one admin', [
      {
        path: 'params.id',
        message: 'the last admin of this workspace',
        hint: 'make another member admin first',
      },
    ]);
}

function notMember(userId: string): AppError {
  return new AppError('not_found', `user ${userId} is not a member of this workspace`, [
    { path: 'params.id', message: 'no such member' },
  ]);
}

/** Changes a member's role. */
export async function changeRole(
  deps: AppDeps,
  a: { workspaceId: string; userId: string; role: Role; actor: Actor },
): Promise<MemberView> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const current = await tx.users.membership(a.workspaceId, a.userId);
    const user = await tx.users.get(a.userId);
    if (!current || !user) throw notMember(a.userId);
    await lastAdminGuard(tx, a.workspaceId, a.userId, a.role);
    await tx.users.setMembership({ ...current, role: a.role });
    await recordAudit(tx, {
      workspaceId: a.workspaceId,
      at: now,
      actor: a.actor,
      action: 'user.role_changed',
      target: `user:${a.userId}`,
      detail: { from: current.role, to: a.role },
    });
    return { ...view(user), role: a.role };
  });
}

/** Removes a member from the workspace (the user remains, with their other memberships). */
export async function removeMember(
  deps: AppDeps,
  a: { workspaceId: string; userId: string; actor: Actor },
): Promise<void> {
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await lastAdminGuard(tx, a.workspaceId, a.userId, null);
    if (!(await tx.users.removeMembership(a.workspaceId, a.userId))) throw notMember(a.userId);
    await recordAudit(tx, {
      workspaceId: a.workspaceId,
      at: now,
      actor: a.actor,
      action: 'user.removed',
      target: `user:${a.userId}`,
    });
  });
}

/**
 * `waymark users create`: adds the user to one workspace, or to every workspace when none is
 * named, and returns a one-time password link.
 */
export async function createUserFromCli(
  deps: AppDeps,
  a: { email: string; role: Role; workspaceId?: string | undefined; name?: string | undefined },
): Promise<{ user: UserView; passwordUrl: string }> {
  const ids = a.workspaceId
    ? [a.workspaceId]
    : (await deps.store.workspaces.list()).map((w) => w.id);
  if (ids.length === 0)
    throw new AppError('not_found', 'there is no workspace yet; run `waymark start` once');
  let last: { user: UserView; passwordUrl: string | null } | undefined;
  for (const [i, workspaceId] of ids.entries())
    last = await addMember(deps, {
      workspaceId,
      email: a.email,
      name: a.name,
      role: a.role,
      actor: SYSTEM_ACTOR,
      link: i === ids.length - 1,
    });
  if (!last?.passwordUrl) throw new AppError('internal', 'no password link was made');
  return { user: last.user, passwordUrl: last.passwordUrl };
}

/** A personal token as listed (the secret itself is shown only when created). */
export interface TokenView {
  id: string;
  name: string;
  createdAt: number;
}

/** The caller's personal tokens. */
export async function listTokens(deps: AppDeps, principal: Principal): Promise<TokenView[]> {
  const user = await userOf(deps, principal);
  return (await deps.store.users.tokens(user.id)).map(({ id, name, createdAt }) => ({
    id,
    name,
    createdAt,
  }));
}

/** Creates a personal token for the caller; the token is returned this once. */
export async function createToken(
  deps: AppDeps,
  principal: Principal,
  name: string,
): Promise<TokenView & { token: string }> {
  const user = await userOf(deps, principal);
  const now = deps.clock.now();
  const token = newSecret(PERSONAL_TOKEN_PREFIX, 32);
  const id = newId(now);
  await deps.store.transaction(async (tx) => {
    await tx.users.addToken({ id, userId: user.id, name, hash: sha256(token), createdAt: now });
    await auditForUser(tx, {
      userId: user.id,
      at: now,
      actor: actorOf(principal),
      action: 'token.created',
      target: `token:${id}`,
      detail: { name },
    });
  });
  return { id, name, token, createdAt: now };
}

/** Deletes one of the caller's personal tokens. */
export async function deleteToken(deps: AppDeps, principal: Principal, id: string): Promise<void> {
  const user = await userOf(deps, principal);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    if (!(await tx.users.removeToken(user.id, id)))
      throw new AppError('not_found', `no token ${id}`, [
        { path: 'params.id', message: 'no such token' },
      ]);
    await auditForUser(tx, {
      userId: user.id,
      at: now,
      actor: actorOf(principal),
      action: 'token.deleted',
      target: `token:${id}`,
    });
  });
}

/** A workspace as its member sees it. */
export interface MyWorkspace {
  id: string;
  name: string;
  timezone: string;
  role: Role;
}

/** The workspaces of the caller with their role (an admin token: its own, as admin). */
export async function myWorkspaces(deps: AppDeps, principal: Principal): Promise<MyWorkspace[]> {
  const roles =
    principal.kind === 'adminToken'
      ? [{ workspaceId: principal.workspaceId ?? '', role: 'admin' as const }]
      : await deps.store.users.memberships(principal.userId ?? '');
  const out: MyWorkspace[] = [];
  for (const m of roles) {
    const ws = await deps.store.workspaces.get(m.workspaceId);
    if (ws) out.push({ id: ws.id, name: ws.name, timezone: ws.timezone, role: m.role });
  }
  return out;
}

/**
 * Creates a workspace: any admin (of any workspace) may; a user creating it becomes its admin.
 * Its write key and admin token are returned this once.
 */
export async function createWorkspace(
  deps: AppDeps,
  principal: Principal,
  input: { id?: string | undefined; name: string; timezone?: string | undefined },
): Promise<{ workspace: MyWorkspace; keys: Required<GeneratedKeys> }> {
  const mine = await myWorkspaces(deps, principal);
  if (!mine.some((w) => w.role === 'admin'))
    throw new AppError('forbidden', 'only an admin of a workspace may create workspaces');
  const now = deps.clock.now();
  const id =
    input.id ??
    `ws_${newSecret('', 6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')}`;
  const actor = actorOf(principal);
  const keys = await deps.store.transaction(async (tx) => {
    if (await tx.workspaces.get(id))
      throw new AppError('conflict', `workspace ${id} exists`, [
        { path: 'body.id', message: 'taken' },
      ]);
    const made = await ensureWorkspaceIn(
      tx,
      { id, name: input.name, timezone: input.timezone },
      now,
    );
    if (principal.userId)
      await tx.users.setMembership({
        workspaceId: id,
        userId: principal.userId,
        role: 'admin',
        createdAt: now,
      });
    await recordAudit(tx, {
      workspaceId: id,
      at: now,
      actor,
      action: 'workspace.created',
      target: `workspace:${id}`,
      detail: { name: input.name },
    });
    for (const w of mine)
      if (w.role === 'admin')
        await recordAudit(tx, {
          workspaceId: w.id,
          at: now,
          actor,
          action: 'workspace.created',
          target: `workspace:${id}`,
          detail: { name: input.name },
        });
    return made;
  });
  if (!keys.writeKey || !keys.adminToken)
    throw new AppError('internal', 'workspace keys were not made');
  return {
    workspace: { id, name: input.name, timezone: input.timezone ?? 'UTC', role: 'admin' },
    keys: { writeKey: keys.writeKey, adminToken: keys.adminToken },
  };
}
