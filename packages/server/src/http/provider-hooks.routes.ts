/**
 * Provider webhooks (`/hooks/…`): the routes each provider declares (`ProviderFactory.hooks`,
 * listed by channels/providers.ts), mounted the same way for every vendor, so http/ names none.
 * Each route lives in a Fastify scope whose parser keeps its body raw (the provider's signature
 * covers those bytes); the workspace's adapter verifies the request before anything is recorded,
 * and a request it rejects is answered with its status and a line in the security log
 * (`<provider> webhook rejected`).
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app/deps.ts';
import { receiveProviderInbound } from '../app/inbound.ts';
import { receiveProviderHook } from '../app/provider-hooks.ts';
import { providerHooks } from '../channels/index.ts';
import {
  WebhookRejected,
  type AnyHookRoute,
  type HookServices,
  type ProviderHooks,
} from '../channels/sdk/index.ts';
import { AppError } from '../errors.ts';
import { defineRoute, registerRoutes, type AnyRoute, type RouteContext } from './route.ts';
import { securityEvent } from './security-log.ts';

type Ctx = RouteContext<'none', unknown, unknown, unknown>;

/** A `WebhookRejected` as the AppError answered, in the security log; other errors as they are. */
function rejected(ctx: Ctx, hooks: ProviderHooks, err: unknown): unknown {
  if (!(err instanceof WebhookRejected)) return err;
  securityEvent(ctx.request, {
    kind: 'webhook_rejected',
    provider: hooks.provider,
    status: err.status,
    reason: err.message,
  });
  const code =
    err.status === 404 ? 'not_found' : err.status === 400 ? 'invalid_input' : 'forbidden';
  const path = err.status === 400 ? 'body' : hooks.signature.header;
  return new AppError(code, err.message, [
    {
      path,
      message: err.message,
      ...(path === hooks.signature.header ? { hint: hooks.signature.hint } : {}),
    },
  ]);
}

/** The use-cases a hook reaches, refusing what the adapter rejects. */
function services(ctx: Ctx, hooks: ProviderHooks): HookServices {
  return {
    async recordOutcomes({ workspaceId, channel, request }) {
      try {
        return await receiveProviderHook(ctx.deps, workspaceId, channel, request);
      } catch (err) {
        throw rejected(ctx, hooks, err);
      }
    },
    async receiveInbound({ workspaceId, channel, request }) {
      try {
        return await receiveProviderInbound(ctx.deps, workspaceId, channel, request);
      } catch (err) {
        throw rejected(ctx, hooks, err);
      }
    },
    log: (fields, message) => ctx.request.log.info(fields, message),
  };
}

function toRoute(hooks: ProviderHooks, hook: AnyHookRoute): AnyRoute {
  return defineRoute({
    id: hook.id,
    method: hook.method,
    url: hook.path,
    auth: 'none',
    tag: 'Provider webhooks',
    summary: hook.summary,
    description: hook.description,
    params: hook.params,
    ...(hook.query ? { query: hook.query } : {}),
    bodyDoc: { [hook.body.contentType]: hook.body.doc },
    response: hook.response,
    errors: ['forbidden', 'not_found', 'invalid_input'],
    handler: async (ctx) => {
      const answer = await hook.handle(
        {
          // The request as the provider signed it: the public URL and the raw body.
          method: ctx.request.method,
          url: ctx.deps.publicUrl + ctx.request.url,
          headers: ctx.request.headers,
          rawBody: Buffer.isBuffer(ctx.body) ? ctx.body : Buffer.alloc(0),
          params: ctx.params,
        },
        services(ctx, hooks),
      );
      ctx.reply.type(answer.contentType);
      return answer.body;
    },
  });
}

const mounted = providerHooks.flatMap((hooks) =>
  hooks.routes.map((hook) => ({ route: toRoute(hooks, hook), contentType: hook.body.contentType })),
);

/** Every provider's webhook routes, for the route table (mounted by `registerProviderHooks`). */
export const providerHookRoutes: AnyRoute[] = mounted.map((m) => m.route);

/**
 * Mounts `providerHookRoutes`, each in its own scope where its body's content type is kept raw
 * (a Buffer) for the signature check instead of parsed.
 */
export function registerProviderHooks(app: FastifyInstance, deps: AppDeps): void {
  for (const { route, contentType } of mounted) {
    void app.register(async (scope) => {
      if (scope.hasContentTypeParser(contentType)) scope.removeContentTypeParser(contentType);
      scope.addContentTypeParser(contentType, { parseAs: 'buffer' }, (_request, body, done) =>
        done(null, body),
      );
      registerRoutes(scope, deps, [route]);
    });
  }
}
