/**
 * Members of a workspace and their roles (admins), the workspaces of the caller (and creating
 * one), and the audit log (admins). Part of the access routes (access.routes.ts).
 */
import { z } from 'zod';
import { actorOf } from '../app/access.ts';
import { listAudit } from '../app/audit.ts';
import { ROLES } from '../app/roles.ts';
import {
  addMember,
  changeRole,
  createWorkspace,
  listMembers,
  myWorkspaces,
  removeMember,
} from '../app/users.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { named, page } from './schemas.ts';

const Limit = z.coerce.number().int().min(1).max(500).default(50);

/** Epoch milliseconds. */
export const Millis = z.number().int().describe('epoch milliseconds');

/** Nothing: a 204 answer. */
export const NoContent = z.undefined();

/** A role of a member of a workspace. */
export const RoleSchema = named(z.enum(ROLES), 'Role');

/** A user, as others see them. */
export const UserSchema = named(
  z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
  'User',
);

const MemberSchema = named(UserSchema.extend({ role: RoleSchema }), 'Member');
const ById = z.object({ id: z.string().min(1) });

const WorkspaceSchema = named(
  z.object({ id: z.string(), name: z.string(), timezone: z.string(), role: RoleSchema }),
  'MyWorkspace',
);

const AuditEntrySchema = named(
  z.object({
    at: Millis,
    actor: z.object({
      kind: z.enum(['user', 'token', 'adminToken', 'system']),
      id: z.string().nullable(),
      email: z.string().nullable(),
    }),
    action: z.string().describe('`session.signed_in`, `journey.published`, `channel.changed`, …'),
    target: z.string().describe('`journey:welcome`, `user:<id>`, `channel:sms`, …'),
    detail: z.record(z.string(), z.unknown()),
  }),
  'AuditEntry',
);

/** Members, workspaces and the audit log. */
export const memberRoutes: AnyRoute[] = [
  defineRoute({
    id: 'listUsers',
    method: 'GET',
    url: '/api/users',
    auth: 'admin',
    role: 'admin',
    tag: 'access',
    summary: 'Members of the current workspace with their roles',
    response: z.object({ items: z.array(MemberSchema) }),
    async handler({ deps, workspaceId }) {
      return { items: await listMembers(deps, workspaceId) };
    },
  }),
  defineRoute({
    id: 'addUser',
    method: 'POST',
    url: '/api/users',
    auth: 'admin',
    role: 'admin',
    tag: 'access',
    summary: 'Add a user to the current workspace with a role',
    description:
      'A new user gets a one-time password link (24 h) to hand over; an existing user is only added (passwordUrl null).',
    body: z.object({
      email: z.string().email().max(320),
      name: z.string().min(1).max(200).optional(),
      role: RoleSchema,
    }),
    status: 201,
    response: z.object({ user: UserSchema, role: RoleSchema, passwordUrl: z.string().nullable() }),
    errors: ['invalid_input', 'conflict'],
    async handler({ deps, workspaceId, caller, body }) {
      return addMember(deps, { workspaceId, ...body, actor: actorOf(caller) });
    },
  }),
  defineRoute({
    id: 'changeUserRole',
    method: 'PUT',
    url: '/api/users/:id/role',
    auth: 'admin',
    role: 'admin',
    tag: 'access',
    summary: "Change a member's role (the last admin cannot be demoted)",
    params: ById,
    body: z.object({ role: RoleSchema }),
    response: MemberSchema,
    errors: ['invalid_input', 'not_found', 'conflict'],
    async handler({ deps, workspaceId, caller, params, body }) {
      return changeRole(deps, {
        workspaceId,
        userId: params.id,
        role: body.role,
        actor: actorOf(caller),
      });
    },
  }),
  defineRoute({
    id: 'removeUser',
    method: 'DELETE',
    url: '/api/users/:id',
    auth: 'admin',
    role: 'admin',
    tag: 'access',
    summary: 'Remove a member from the current workspace (not the last admin)',
    params: ById,
    status: 204,
    response: NoContent,
    errors: ['not_found', 'conflict'],
    async handler({ deps, workspaceId, caller, params }) {
      await removeMember(deps, { workspaceId, userId: params.id, actor: actorOf(caller) });
      return undefined;
    },
  }),
  defineRoute({
    id: 'listWorkspaces',
    method: 'GET',
    url: '/api/workspaces',
    auth: 'user',
    tag: 'access',
    summary: "The caller's workspaces with their role in each",
    response: z.object({ items: z.array(WorkspaceSchema) }),
    async handler({ deps, principal }) {
      return { items: await myWorkspaces(deps, principal) };
    },
  }),
  defineRoute({
    id: 'createWorkspace',
    method: 'POST',
    url: '/api/workspaces',
    auth: 'user',
    tag: 'access',
    summary: 'Create a workspace (admins of any workspace); its creator becomes its admin',
    description: "The new workspace's write key and admin token are answered this once.",
    body: z.object({
      id: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _')
        .optional(),
      name: z.string().min(1).max(200),
      timezone: z.string().min(1).max(100).optional(),
    }),
    status: 201,
    response: z.object({
      workspace: WorkspaceSchema,
      writeKey: z.string().describe('shown once'),
      adminToken: z.string().describe('shown once'),
    }),
    errors: ['invalid_input', 'forbidden', 'conflict', 'csrf_failed'],
    async handler({ deps, principal, body }) {
      const { workspace, keys } = await createWorkspace(deps, principal, body);
      return { workspace, ...keys };
    },
  }),
  defineRoute({
    id: 'listAudit',
    method: 'GET',
    url: '/api/audit',
    auth: 'admin',
    role: 'admin',
    tag: 'access',
    summary: "The current workspace's audit log, newest first",
    query: z.object({ limit: Limit, cursor: z.string().min(1).optional() }),
    response: page(AuditEntrySchema),
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, query }) {
      return listAudit(deps, workspaceId, query);
    },
  }),
];
