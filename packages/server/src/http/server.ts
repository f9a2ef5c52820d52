/**
 * The Fastify instance: body parsers, the log (its level; the security log of refused requests),
 * the one error handler (AppError → its status and `{ error: { code, message, details } }`), and
 * the route table (the operator app, status page, Segment tracking API, admin API, OpenAPI
 * document), and the app's own pages answered from the not-found handler.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AppDeps } from '../app/deps.ts';
import { DEFAULT_LOG_LEVEL, type LogLevel } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Waymark } from '../waymark.ts';
import { accessRoutes } from './access.routes.ts';
import { adminRoutes } from './admin.routes.ts';
import { appFallback, appRoutes } from './app.routes.ts';
import { channelRoutes } from './channels.routes.ts';
import { clockRoutes } from './clock.routes.ts';
import { BODY_LIMIT, registerBodyParsers } from './body.ts';
import { consentRoutes, registerFormParsers } from './consent.routes.ts';
import { draftRoutes } from './drafts.routes.ts';
import { runRoutes } from './runs.routes.ts';
import { conversionRoutes } from './conversions.routes.ts';
import { formRoutes } from './forms.routes.ts';
import { openApiRoute } from './openapi.ts';
import { registerRoutes, type AnyRoute } from './route.ts';
import { reportRoutes } from './reports.routes.ts';
import { registerSecurityLog } from './security-log.ts';
import { segmentRoutes } from './segment.routes.ts';
import { personalizeRoutes, registerCors } from './personalize.routes.ts';
import { providerHookRoutes, registerProviderHooks } from './provider-hooks.routes.ts';
import { taskRoutes } from './tasks.routes.ts';
import { trackingRoutes } from './tracking.routes.ts';
import { statusRoutes } from './status.page.ts';
import { templateRoutes } from './templates.routes.ts';

/** Every route the server answers, in the order they are documented. */
export function routeTable(): AnyRoute[] {
  const routes: AnyRoute[] = [...appRoutes, ...statusRoutes, ...segmentRoutes, ...adminRoutes];
  routes.push(...taskRoutes);
  routes.push(...draftRoutes);
  routes.push(...runRoutes);
  routes.push(...consentRoutes);
  routes.push(...templateRoutes);
  routes.push(...providerHookRoutes);
  routes.push(...channelRoutes);
  routes.push(...conversionRoutes);
  routes.push(...reportRoutes);
  routes.push(...formRoutes);
  routes.push(...personalizeRoutes);
  routes.push(...trackingRoutes);
  routes.push(...clockRoutes);
  routes.push(...accessRoutes);
  routes.push(openApiRoute(() => routes));
  return routes;
}

const registered = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Method and path of every route mounted on an instance built by `buildHttp` (HEAD excluded). */
export function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  return registered.get(app) ?? [];
}

function isFastifyError(err: unknown): err is FastifyError {
  return (
    err instanceof Error && typeof (err as FastifyError).code === 'string' && 'statusCode' in err
  );
}

/** Maps any error to the catalogue: AppErrors as they are, Fastify's 4xx as invalid input. */
function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isFastifyError(err) && err.statusCode !== undefined && err.statusCode < 500) {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = `${BODY_LIMIT / 1024} KB (${BODY_LIMIT} bytes)`;
      return new AppError('payload_too_large', `request body is larger than ${limit}`, [
        {
          path: 'body',
          message: `larger than ${limit}`,
          hint: "Segment's limit is 500 KB a batch, 32 KB a call",
        },
      ]);
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = err.message.replace(/^Unsupported Media Type:\s*/i, '');
      return new AppError('invalid_input', `unsupported content-type: ${type}`, [
        {
          path: 'body',
          message: 'unsupported content-type',
          hint: 'send application/json (or YAML/plain text for journeys)',
        },
      ]);
    }
    const message =
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'body is not valid JSON' : err.message;
    return new AppError('invalid_input', message, [{ path: 'body', message }]);
  }
  return new AppError('internal', 'internal error; see the server log');
}

function errorBody(e: AppError) {
  return { error: { code: e.code, message: e.message, details: e.details } };
}

/** Options of `buildHttp`. */
export interface HttpOptions {
  /**
   * Lowest level logged (`WAYMARK_LOG_LEVEL`); default `warn`: refused requests (the security
   * log) and server errors. `info` adds a line per request.
   */
  level?: LogLevel;
  /** Where log lines go; default stdout. */
  logStream?: { write(line: string): void };
}

/** Builds the HTTP server of a Waymark instance (not listening yet). */
export function buildHttp(
  waymark: Pick<Waymark, 'deps'> | { deps: AppDeps },
  opts: HttpOptions = {},
): FastifyInstance {
  const app = Fastify({
    logger: {
      level: opts.level ?? DEFAULT_LOG_LEVEL,
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: BODY_LIMIT,
    // Signed link tokens (unsubscribe, click) travel as one path segment: longer than 100 chars.
    routerOptions: { maxParamLength: 2048 },
  });
  const routes: Array<{ method: string; url: string }> = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  registerSecurityLog(app);
  // Session cookies of the operator app (`waymark_session`, see session-cookie.ts).
  void app.register(fastifyCookie);
  registerBodyParsers(app);
  registerFormParsers(app);
  registerCors(app, waymark.deps);
  app.setErrorHandler((err, request, reply) => {
    const appError = toAppError(err);
    if (appError.code === 'internal') request.log.error({ err }, 'request failed');
    if (appError.retryAfter !== undefined) reply.header('retry-after', String(appError.retryAfter));
    return reply.code(appError.status).type('application/json').send(errorBody(appError));
  });
  app.setNotFoundHandler((request, reply) => {
    if (appFallback(request, reply)) return reply;
    const error = new AppError(
      'not_found',
      `no route ${request.method} ${request.url.split('?')[0]}`,
      [{ path: 'url', message: 'no such route', hint: 'see /api/openapi.json' }],
    );
    return reply.code(error.status).send(errorBody(error));
  });
  // Provider webhooks are mounted in their own scope (raw form bodies for signature checks).
  registerRoutes(
    app,
    waymark.deps,
    routeTable().filter((r) => !providerHookRoutes.includes(r)),
  );
  registerProviderHooks(app, waymark.deps);
  return app;
}

/** A listening HTTP server. */
export interface RunningHttp {
  /** `http://host:port` */
  address: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds the server and listens; `port: 0` picks a free port. */
export async function startHttp(
  waymark: Pick<Waymark, 'deps'>,
  opts: { port: number; host: string } & HttpOptions,
): Promise<RunningHttp> {
  const app = buildHttp(waymark, opts);
  await app.listen({ port: opts.port, host: opts.host });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { address: `http://${host}:${port}`, app, close: () => app.close() };
}
