/**
 * The operator app at `/`: the single-page app `vite build` wrote into `packages/web/dist/`
 * (@waymark/web says where). `GET /` answers its `index.html`, never cached, so a new build is
 * picked up at the next load; `GET /assets/{file}` answers the hashed scripts and styles, cached
 * for a year (their names change with their content). The app's own pages (`/journeys`,
 * `/sign-in`, …) are routes of the browser: `appFallback` answers them the same `index.html`
 * from the not-found handler, for GET requests that accept HTML outside the API, the tracking
 * and form links and the other server pages. A checkout that was never built answers a page
 * saying how to build it.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_DIST, appMissingPage } from '@waymark/web';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { defineRoute, type AnyRoute } from './route.ts';

/** Paths the server answers itself: never the app's page, even to a browser. */
const SERVER_PREFIXES = [
  '/api',
  '/v1',
  '/t/',
  '/f/',
  '/u/',
  '/hooks',
  '/healthz',
  '/waymark.js',
  '/demo',
  '/status',
  '/assets/',
];

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** An asset's name: one path segment of Vite's `name-hash.ext` kind (no `..`, no folders). */
const AssetName = z
  .string()
  .regex(/^[\w-]+(\.[\w-]+)*$/, 'expected an asset file name')
  .describe('file name under dist/assets/');

/** Answers with a status and headers of its own (HEAD: the headers only). */
function send(
  reply: FastifyReply,
  status: number,
  headers: Record<string, string | number>,
  body: Buffer | string,
): string {
  reply.hijack();
  reply.raw.writeHead(status, headers);
  reply.raw.end(reply.request.method === 'HEAD' ? undefined : body);
  return '';
}

/** The app's routes and its fallback for client-side pages. */
export interface AppSite {
  routes: AnyRoute[];
  /**
   * Answers the app's page to a GET that accepts HTML outside the server's own paths (the app's
   * client-side pages); false, answering nothing, for any other request. For the not-found
   * handler.
   */
  fallback(request: FastifyRequest, reply: FastifyReply): boolean;
}

/** The operator app built into `dist` (a folder with `index.html` and `assets/`). */
export function appSite(dist: string): AppSite {
  /** The built `index.html`, read again when a build replaces it; null when not built. */
  let index: { mtimeMs: number; html: Buffer } | null = null;
  function indexHtml(): Buffer | null {
    const file = join(dist, 'index.html');
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return null;
    }
    if (index?.mtimeMs !== mtimeMs) index = { mtimeMs, html: readFileSync(file) };
    return index.html;
  }

  /** Answers the app's page, or how to build it. */
  function sendIndex(reply: FastifyReply): string {
    const html = indexHtml();
    const type = 'text/html; charset=utf-8';
    if (!html)
      return send(
        reply,
        503,
        { 'content-type': type, 'cache-control': 'no-store' },
        appMissingPage(),
      );
    return send(reply, 200, { 'content-type': type, 'cache-control': 'no-cache' }, html);
  }

  const routes = [
    defineRoute({
      id: 'app',
      method: 'GET',
      url: '/',
      auth: 'none',
      tag: 'meta',
      summary: 'The operator app (HTML); its pages (`/journeys`, `/sign-in`, …) answer the same',
      description:
        'Never cached. `503` with a page saying how to build it when `packages/web/dist/` is missing.',
      response: z.string(),
      produces: 'text/html; charset=utf-8',
      async handler({ reply }) {
        return sendIndex(reply);
      },
    }),
    defineRoute({
      id: 'appAsset',
      method: 'GET',
      url: '/assets/:file',
      auth: 'none',
      tag: 'meta',
      summary: 'A hashed script or style of the operator app, cached for a year',
      params: z.object({ file: AssetName }),
      response: z.string(),
      produces: 'text/javascript; charset=utf-8',
      errors: ['invalid_input', 'not_found'],
      async handler({ params, reply }) {
        let body: Buffer;
        try {
          body = readFileSync(join(dist, 'assets', params.file));
        } catch {
          throw new AppError('not_found', `no asset ${params.file}`, [
            {
              path: 'params.file',
              message: 'no such asset',
              hint: 'reload the app: it was rebuilt',
            },
          ]);
        }
        return send(
          reply,
          200,
          {
            'content-type': CONTENT_TYPES[extname(params.file)] ?? 'application/octet-stream',
            'content-length': body.length,
            'cache-control': 'public, max-age=31536000, immutable',
          },
          body,
        );
      },
    }),
  ];

  function fallback(request: FastifyRequest, reply: FastifyReply): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (!(request.headers.accept ?? '').includes('text/html')) return false;
    const path = request.url.split('?')[0] ?? '';
    if (SERVER_PREFIXES.some((prefix) => path === prefix || path.startsWith(prefix))) return false;
    sendIndex(reply);
    return true;
  }

  return { routes, fallback };
}

/** The operator app of this checkout (`packages/web/dist/`). */
export const { routes: appRoutes, fallback: appFallback } = appSite(fileURLToPath(APP_DIST));
