/**
 * `GET /status`: the status page (rendered by @waymark/web from the journeys of the default
 * workspace; the operator app has `/`), and `GET /healthz` for load balancers.
 */
import { readFileSync } from 'node:fs';
import { statusPage } from '@waymark/web';
import { z } from 'zod';
import { listJourneys } from '../app/journeys.ts';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import { defineRoute, type AnyRoute } from './route.ts';

/** Version of the server package. */
export const SERVER_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** The status page and health check. */
export const statusRoutes: AnyRoute[] = [
  defineRoute({
    id: 'statusPage',
    method: 'GET',
    url: '/status',
    auth: 'none',
    tag: 'meta',
    summary: 'Status page (HTML): version, journeys, quick start',
    response: z.string(),
    produces: 'text/html; charset=utf-8',
    async handler({ deps, request }) {
      const counts: Record<string, number> = {};
      for (const j of await listJourneys(deps, DEFAULT_WORKSPACE))
        counts[j.status] = (counts[j.status] ?? 0) + 1;
      return statusPage({
        version: SERVER_VERSION,
        base: `${request.protocol}://${request.host}`,
        journeys: counts,
      });
    },
  }),
  defineRoute({
    id: 'health',
    method: 'GET',
    url: '/healthz',
    auth: 'none',
    tag: 'meta',
    summary: 'Health check',
    response: z.object({ ok: z.literal(true) }),
    async handler() {
      return { ok: true as const };
    },
  }),
];
