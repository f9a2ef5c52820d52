/**
 * Website personalisation over HTTP: `GET /v1/personalize` (write key, like the Segment routes)
 * for a userId or anonymousId, the browser script `GET /waymark.js` (`assets/waymark.js`) and the
 * demo shop `GET /demo`; plus CORS for `/v1/*`, so pages of the configured origins
 * (WAYMARK_CORS_ORIGINS, and this server's own) can send events and ask for personalisation.
 */
import { readFileSync } from 'node:fs';
import { personalizationDemoPage } from '@waymark/web';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app/deps.ts';
import { personalize } from '../app/personalize.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { named } from './schemas.ts';

/** The browser script, read once. */
const WAYMARK_JS = readFileSync(new URL('./assets/waymark.js', import.meta.url), 'utf8');

const Personalization = named(
  z.object({
    profile: z.object({ known: z.boolean().describe('false for a visitor Waymark has not seen') }),
    interests: z
      .array(z.object({ name: z.string(), score: z.number() }))
      .describe('highest score first; windowed interests count only views inside their window'),
    lists: z.array(z.string()).describe('ids of the lists the profile is in'),
    flags: z
      .record(z.string(), z.union([z.boolean(), z.string(), z.number()]))
      .describe('site flags (`site_flag` nodes, interest thresholds)'),
  }),
  'Personalization',
);

const Visitor = z.object({
  userId: z.string().min(1).max(512).optional(),
  anonymousId: z.string().min(1).max(512).optional(),
});

/** The personalisation routes. */
export const personalizeRoutes: AnyRoute[] = [
  defineRoute({
    id: 'personalize',
    method: 'GET',
    url: '/v1/personalize',
    auth: 'write',
    tag: 'Personalisation',
    summary: "A visitor's interests, lists and site flags (userId or anonymousId)",
    description:
      'Authenticated with the write key (HTTP Basic user name). An unknown visitor gets ' +
      '`profile.known: false` and empty results. Answers are cached for up to a second.',
    query: Visitor,
    response: Personalization,
    errors: ['invalid_input', 'unauthorized'],
    async handler({ deps, workspaceId, query }) {
      return personalize(deps, workspaceId, query);
    },
  }),
  defineRoute({
    id: 'waymarkJs',
    method: 'GET',
    url: '/waymark.js',
    auth: 'none',
    tag: 'Personalisation',
    summary: 'The browser script: page views, events and personalisation for a site',
    response: z.string(),
    produces: 'text/javascript; charset=utf-8',
    async handler({ reply }) {
      reply.header('cache-control', 'public, max-age=300');
      return WAYMARK_JS;
    },
  }),
  defineRoute({
    id: 'personalizationDemo',
    method: 'GET',
    url: '/demo',
    auth: 'none',
    tag: 'Personalisation',
    summary: 'Demo shop whose content follows the visitor’s interests (HTML)',
    query: z.object({
      writeKey: z.string().optional(),
      category: z
        .string()
        .regex(/^[a-z0-9-]{1,32}$/, 'expected a category of lower-case letters, digits, -')
        .optional(),
    }),
    response: z.string(),
    produces: 'text/html; charset=utf-8',
    async handler({ query }) {
      return personalizationDemoPage({
        category: query.category ?? null,
        writeKey: query.writeKey || null,
      });
    },
  }),
];

/** Whether a page of `origin` may call `/v1/*`: this server's own origin and the configured ones. */
export function corsAllows(deps: Pick<AppDeps, 'publicUrl' | 'corsOrigins'>, origin: string) {
  const allowed = deps.corsOrigins ?? [];
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(deps.publicUrl).origin === origin;
  } catch {
    return false;
  }
}

function originOf(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin !== '' && origin !== 'null' ? origin : null;
}

/**
 * CORS for `/v1/*`: an allowed Origin is echoed (`Access-Control-Allow-Origin`, `Vary: Origin`)
 * on every answer, errors included; preflights (`OPTIONS`) answer 204 for an allowed origin and
 * 403 for another.
 */
export function registerCors(app: FastifyInstance, deps: AppDeps): void {
  // A hook, not a route: preflights are answered before routing, so the route table (and the
  // OpenAPI document made from it) lists only the API's own operations.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    reply.header('vary', 'Origin');
    const origin = originOf(request);
    const allowed = origin !== null && corsAllows(deps, origin);
    if (allowed) reply.header('access-control-allow-origin', origin);
    if (request.method !== 'OPTIONS') return;
    if (!allowed) {
      return reply.code(403).send({
        error: {
          code: 'forbidden',
          message: `origin ${origin ?? '(none)'} may not call this API from a browser`,
          details: [
            {
              path: 'headers.origin',
              message: 'origin not allowed',
              hint: 'add it to WAYMARK_CORS_ORIGINS',
            },
          ],
        },
      });
    }
    return reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'authorization, content-type')
      .header('access-control-max-age', '600')
      .send();
  });
}
