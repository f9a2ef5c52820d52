/**
 * Sign-in and access under `/api/`: the session of the operator app (sign in with email and
 * password, who am I, sign out, change password), one-time setup and password links, personal
 * API tokens, and (users.routes.ts) members, workspaces and the audit log. The session is a
 * cookie (session-cookie.ts); writes made with it carry `X-CSRF-Token` (route.ts checks it).
 */
import { z } from 'zod';
import { changePassword, sessionView, signIn, signOut, userOf } from '../app/access.ts';
import { describeLink, useLink } from '../app/setup.ts';
import { createToken, deleteToken, listTokens } from '../app/users.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { named } from './schemas.ts';
import { clearSessionCookie, setSessionCookie } from './session-cookie.ts';
import { Millis, NoContent, RoleSchema, UserSchema, memberRoutes } from './users.routes.ts';

/** What a signed-in browser knows of itself. */
const SessionSchema = named(
  z.object({
    user: UserSchema,
    workspaces: z
      .array(z.object({ id: z.string(), name: z.string(), role: RoleSchema }))
      .describe('ordered by id; the first is used when Waymark-Workspace is absent'),
    csrfToken: z.string().describe('send as X-CSRF-Token on every request that is not GET'),
  }),
  'Session',
);

const Password = z.string().min(1).max(1024);
const TokenParam = z.object({ token: z.string().min(1).max(200) });
const ById = z.object({ id: z.string().min(1) });

const TokenSchema = named(
  z.object({ id: z.string(), name: z.string(), createdAt: Millis }),
  'PersonalToken',
);

const sessionRoutes: AnyRoute[] = [
  defineRoute({
    id: 'signIn',
    method: 'POST',
    url: '/api/session',
    auth: 'none',
    tag: 'access',
    summary: 'Sign in with email and password; sets the session cookie',
    description:
      'Wrong email and wrong password get the same 401. Ten failures per account or per client address within 15 minutes answer 429 with Retry-After.',
    body: z.object({ email: z.string().min(1).max(320), password: Password }),
    response: SessionSchema,
    errors: ['invalid_input', 'invalid_credentials', 'rate_limited'],
    async handler({ deps, body, request, reply }) {
      const { sessionId, view } = await signIn(deps, { ...body, address: request.ip });
      setSessionCookie(deps, request, reply, sessionId);
      return view;
    },
  }),
  defineRoute({
    id: 'getSession',
    method: 'GET',
    url: '/api/session',
    auth: 'user',
    tag: 'access',
    summary: 'The signed-in user, their workspaces and roles, and the CSRF token',
    response: SessionSchema,
    errors: ['forbidden'],
    async handler({ deps, principal }) {
      return sessionView(deps, await userOf(deps, principal), principal.session?.id ?? null);
    },
  }),
  defineRoute({
    id: 'signOut',
    method: 'DELETE',
    url: '/api/session',
    auth: 'user',
    tag: 'access',
    summary: 'Sign out: ends the session and clears its cookie',
    status: 204,
    response: NoContent,
    errors: ['csrf_failed'],
    async handler({ deps, principal, request, reply }) {
      await signOut(deps, principal);
      clearSessionCookie(deps, request, reply);
      return undefined;
    },
  }),
  defineRoute({
    id: 'changePassword',
    method: 'PUT',
    url: '/api/session/password',
    auth: 'user',
    tag: 'access',
    summary: "Change the signed-in user's password; their other sessions end",
    body: z.object({
      current: Password,
      password: Password.describe('at least 10 characters'),
    }),
    status: 204,
    response: NoContent,
    errors: ['invalid_input', 'forbidden', 'csrf_failed'],
    async handler({ deps, principal, body }) {
      await changePassword(deps, principal, body);
      return undefined;
    },
  }),
];

const setupRoutes: AnyRoute[] = [
  defineRoute({
    id: 'getSetupLink',
    method: 'GET',
    url: '/api/setup/:token',
    auth: 'none',
    tag: 'access',
    summary: 'What a one-time setup or password link does',
    params: TokenParam,
    response: z.object({
      kind: z.enum(['first_admin', 'password']),
      email: z.string().optional().describe('the user whose password a password link sets'),
      expiresAt: Millis,
    }),
    errors: ['not_found'],
    async handler({ deps, params }) {
      return describeLink(deps, params.token);
    },
  }),
  defineRoute({
    id: 'useSetupLink',
    method: 'POST',
    url: '/api/setup',
    auth: 'none',
    tag: 'access',
    summary: 'Use a one-time link: create the first admin, or set a password; signs in',
    body: z.object({
      token: z.string().min(1).max(200),
      email: z.string().email().max(320).optional().describe('required for the first admin'),
      name: z.string().min(1).max(200).optional(),
      password: Password.describe('at least 10 characters'),
    }),
    response: SessionSchema,
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, body, request, reply }) {
      const { sessionId, view } = await useLink(deps, body);
      setSessionCookie(deps, request, reply, sessionId);
      return view;
    },
  }),
];

const tokenRoutes: AnyRoute[] = [
  defineRoute({
    id: 'listTokens',
    method: 'GET',
    url: '/api/tokens',
    auth: 'user',
    tag: 'access',
    summary: "The caller's personal API tokens (never the tokens themselves)",
    response: z.object({ items: z.array(TokenSchema) }),
    errors: ['forbidden'],
    async handler({ deps, principal }) {
      return { items: await listTokens(deps, principal) };
    },
  }),
  defineRoute({
    id: 'createToken',
    method: 'POST',
    url: '/api/tokens',
    auth: 'user',
    tag: 'access',
    summary: 'Create a personal API token (shown this once); it acts as you, with your roles',
    description: 'Send it as `Authorization: Bearer wm_pat_…`, with `Waymark-Workspace: <id>`.',
    body: z.object({ name: z.string().min(1).max(100) }),
    status: 201,
    response: TokenSchema.extend({ token: z.string().describe('wm_pat_…; shown once') }),
    errors: ['invalid_input', 'forbidden', 'csrf_failed'],
    async handler({ deps, principal, body }) {
      return createToken(deps, principal, body.name);
    },
  }),
  defineRoute({
    id: 'deleteToken',
    method: 'DELETE',
    url: '/api/tokens/:id',
    auth: 'user',
    tag: 'access',
    summary: 'Delete one of your personal API tokens',
    params: ById,
    status: 204,
    response: NoContent,
    errors: ['not_found', 'forbidden', 'csrf_failed'],
    async handler({ deps, principal, params }) {
      await deleteToken(deps, principal, params.id);
      return undefined;
    },
  }),
];

/** The access routes, in the order they are documented. */
export const accessRoutes: AnyRoute[] = [
  ...sessionRoutes,
  ...setupRoutes,
  ...tokenRoutes,
  ...memberRoutes,
];
