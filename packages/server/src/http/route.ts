/**
 * The route table's shape: one record per route says what it accepts (zod schemas for params,
 * query and body), what it answers, who may call it, and how. `registerRoutes` mounts the table on
 * Fastify; `openapi.ts` describes the same table, so the two cannot drift apart.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AppDeps } from '../app/deps.ts';
import { authenticate } from '../app/workspaces.ts';
import { AppError, type ErrorCode, type ErrorDetail } from '../errors.ts';
import { securityEvent } from './security-log.ts';

/** Who may call a route: Segment clients (write key), operators (admin token), or anyone. */
export type Auth = 'write' | 'admin' | 'none';

/** HTTP methods the table uses. */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a handler receives: its parsed input and the caller's workspace. */
export interface RouteContext<A extends Auth, P, Q, B> {
  deps: AppDeps;
  /** The authenticated caller's workspace; null on public routes. */
  workspaceId: A extends 'none' ? null : string;
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One route of the table. */
export interface RouteSpec<
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

function adminTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return bearer?.[1];
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

async function workspaceOf(
  deps: AppDeps,
  auth: Auth,
  request: FastifyRequest,
  body: unknown,
): Promise<string | null> {
  if (auth === 'none') return null;
  const secret = auth === 'write' ? writeKeyOf(request, body) : adminTokenOf(request);
  try {
    return await authenticate(deps, auth, secret);
  } catch (err) {
    // A refused key is a security event: logged with the reason, never the key.
    if (err instanceof AppError && err.code === 'unauthorized')
      securityEvent(request, { kind: 'key_refused', key: auth, reason: err.message });
    throw err;
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
        const workspaceId = await workspaceOf(deps, route.auth, request, raw);
        const result = await route.handler({
          deps,
          workspaceId,
          params: parse('params', route.params, request.params),
          query: parse('query', route.query, request.query),
          body: parse('body', route.body, raw),
          request,
          reply,
        });
        reply.code(route.status ?? 200);
        if (route.produces) reply.type(route.produces);
        return result;
      },
    });
  }
}
