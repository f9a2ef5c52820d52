/**
 * The route table's shape: one record per route says what it accepts (zod schemas for params,
 * query and body), what it answers, who may call it, and how. `registerRoutes` mounts the table on
 * Fastify; `openapi.ts` describes the same table, so the two cannot drift apart.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  authenticateBearer,
  authenticateSession,
  callerIn,
  csrfMatches,
  type Caller,
  type Principal,
} from '../app/access.ts';
import type { AppDeps } from '../app/deps.ts';
import { grants, type Role } from '../app/roles.ts';
import { authenticate } from '../app/workspaces.ts';
import { AppError, type ErrorCode, type ErrorDetail } from '../errors.ts';
import { securityEvent } from './security-log.ts';
import { clearSessionCookie, sessionCookieOf, setSessionCookie } from './session-cookie.ts';

/**
 * Who may call a route: Segment clients (write key); operators of a workspace (`admin`: a
 * session cookie, a personal token or the workspace's admin token, with at least the route's
 * `role`); any signed-in user or token, whatever their workspace (`user`); or anyone.
 */
export type Auth = 'write' | 'admin' | 'user' | 'none';

export type { Role };

/** HTTP methods the table uses. */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a handler receives: its parsed input, the caller and the caller's workspace. */
export interface RouteContext<A extends Auth, P, Q, B> {
  deps: AppDeps;
  /** The authenticated caller's workspace; null on public and `user` routes. */
  workspaceId: A extends 'write' | 'admin' ? string : null;
  /** Who calls an operator route, and their role in its workspace. */
  caller: A extends 'admin' ? Caller : null;
  /** Who calls an operator or `user` route (their session, when a browser). */
  principal: A extends 'admin' | 'user' ? Principal : null;
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One route of the table (without its role). */
interface RouteBase<
  A extends Auth,
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends z.ZodType,
> {
  /** OpenAPI operationId. */
  id: string;
  method: Method;
  /** Fastify path (`/api/journeys/:id`). */
  url: string;
  auth: A;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  /** Validates the body; absent when app/ parses the body itself (Segment calls). */
  body?: B;
  /** Documented request bodies per content type; default: `body` as JSON. */
  bodyDoc?: Record<string, z.ZodType>;
  /** Success status; default 200. */
  status?: number;
  /** The success response; the handler's return type is checked against it. */
  response: R;
  /** Content type of the success response; default JSON. */
  produces?:
    | 'application/json'
    | 'text/html; charset=utf-8'
    | 'image/gif'
    | 'text/javascript; charset=utf-8';
  /** Error codes the route answers with, besides the ones every route may give. */
  errors?: ErrorCode[];
  handler(ctx: RouteContext<A, z.output<P>, z.output<Q>, z.output<B>>): Promise<z.output<R>>;
}

/**
 * One route of the table. An operator route must name the least role that may call it
 * (app/roles.ts says which roles include which); other routes have none.
 */
export type RouteSpec<
  A extends Auth,
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends z.ZodType,
> = RouteBase<A, P, Q, B, R> & (A extends 'admin' ? { role: Role } : { role?: never });

/** A route of the table with its types erased. */
export type AnyRoute = RouteSpec<Auth, z.ZodType, z.ZodType, z.ZodType, z.ZodType>;

/** Declares a route; its handler is type-checked against its schemas. */
export function defineRoute<
  A extends Auth,
  R extends z.ZodType,
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<A, P, Q, B, R>): AnyRoute {
  return spec as unknown as AnyRoute;
}

/** Turns zod issues into an `invalid_input` error naming each field (`body.profile: …`). */
function inputError(where: string, error: z.ZodError): AppError {
  const details: ErrorDetail[] = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
    code: issue.code,
  }));
  return new AppError(
    'invalid_input',
    details.map((d) => `${d.path}: ${d.message}`).join('; '),
    details,
  );
}

function parse(where: string, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) throw inputError(where, result.error);
  return result.data;
}

/** The write key of a Segment request: HTTP Basic user name, else `writeKey` in the body. */
function writeKeyOf(request: FastifyRequest, body: unknown): string | undefined {
  const header = request.headers.authorization;
  const basic = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    if (user) return user;
  }
  if (typeof body === 'object' && body !== null && 'writeKey' in body) {
    const key = body.writeKey;
    if (typeof key === 'string' && key) return key;
  }
  return undefined;
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return bearer?.[1];
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/**
 * Segment clients in browsers send JSON as `text/plain` (no CORS preflight): write routes read a
 * text body as JSON.
 */
function jsonFromText(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw new AppError('invalid_input', `body is not valid JSON: ${(err as Error).message}`, [
      { path: 'body', message: 'not valid JSON', hint: 'send the call as a JSON object' },
    ]);
  }
}

/** Refused keys are security events: logged with the reason, never the key. */
async function logged<T>(
  request: FastifyRequest,
  key: 'write' | 'admin',
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && err.code === 'unauthorized')
      securityEvent(request, { kind: 'key_refused', key, reason: err.message });
    throw err;
  }
}

/**
 * Who calls a `user` or operator route: a Bearer token (personal or admin), else the session
 * cookie; a cookie-authenticated write must carry the session's CSRF token.
 */
async function principalOf(
  deps: AppDeps,
  route: AnyRoute,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Principal> {
  const bearer = bearerOf(request);
  const cookie = bearer === undefined ? sessionCookieOf(request) : undefined;
  if (bearer === undefined && cookie === undefined && route.auth === 'user')
    throw new AppError('unauthorized', 'not signed in', [
      { path: 'cookie', message: 'no session', hint: 'POST /api/session, or send a Bearer token' },
    ]);
  if (cookie === undefined)
    return logged(request, 'admin', async () =>
      bearer === undefined
        ? { kind: 'adminToken', workspaceId: await authenticate(deps, 'admin', undefined) }
        : authenticateBearer(deps, bearer),
    );
  const principal = await authenticateSession(deps, cookie);
  if (!principal?.session) {
    clearSessionCookie(deps, request, reply);
    throw new AppError('unauthorized', 'your session has ended; sign in again', [
      { path: 'cookie', message: 'unknown or expired session', hint: 'POST /api/session' },
    ]);
  }
  if (
    request.method !== 'GET' &&
    request.method !== 'HEAD' &&
    !csrfMatches(deps, principal.session.id, headerOf(request, 'x-csrf-token'))
  )
    throw new AppError('csrf_failed', 'missing or wrong X-CSRF-Token header', [
      {
        path: 'headers.x-csrf-token',
        message: 'must be the csrfToken of GET /api/session',
        hint: 'send it on every request that is not GET',
      },
    ]);
  if (principal.session.renewed) setSessionCookie(deps, request, reply, principal.session.id);
  return principal;
}

/** Authenticates a request for its route: workspace, caller and principal, per `auth`. */
async function who(
  deps: AppDeps,
  route: AnyRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
): Promise<{ workspaceId: string | null; caller: Caller | null; principal: Principal | null }> {
  switch (route.auth) {
    case 'none':
      return { workspaceId: null, caller: null, principal: null };
    case 'write': {
      const workspaceId = await logged(request, 'write', () =>
        authenticate(deps, 'write', writeKeyOf(request, body)),
      );
      return { workspaceId, caller: null, principal: null };
    }
    case 'user':
      return {
        workspaceId: null,
        caller: null,
        principal: await principalOf(deps, route, request, reply),
      };
    case 'admin': {
      const principal = await principalOf(deps, route, request, reply);
      const { workspaceId, caller } = await callerIn(
        deps,
        principal,
        headerOf(request, 'waymark-workspace'),
      );
      const need = route.role ?? 'admin';
      if (!grants(caller.role, need))
        throw new AppError('forbidden', `this needs the ${need} role; you are ${caller.role}`, [
          { path: 'role', message: `${caller.role} does not include ${need}` },
        ]);
      return { workspaceId, caller, principal };
    }
  }
}

/** Mounts the routes of the table: authenticate, parse input, call the handler, answer. */
export function registerRoutes(app: FastifyInstance, deps: AppDeps, routes: AnyRoute[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const raw = route.auth === 'write' ? jsonFromText(request.body) : request.body;
        const { workspaceId, caller, principal } = await who(deps, route, request, reply, raw);
        const result = await route.handler({
          deps,
          workspaceId,
          caller,
          principal,
          params: parse('params', route.params, request.params),
          query: parse('query', route.query, request.query),
          body: parse('body', route.body, raw),
          request,
          reply,
        });
        reply.code(route.status ?? 200);
        if (route.produces) reply.type(route.produces);
        // A 204 has no body: Fastify needs `send()` when a handler answers nothing.
        if (result === undefined && !reply.sent) return reply.send();
        return result;
      },
    });
  }
}
