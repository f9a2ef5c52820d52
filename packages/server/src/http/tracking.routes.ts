/**
 * Email tracking endpoints (public, no auth: the signed token is the credential):
 * - `GET /t/o/{token}.gif`: the open pixel. Always a 1×1 transparent GIF that no cache keeps,
 *   even for a forged token (which records nothing): a broken image in an email helps nobody.
 * - `GET /t/c/{token}`: the click redirect. A 302 to the URL signed into the token — never to
 *   anything read from the request, so it is not an open redirect; a forged or altered token
 *   gets a 404 page and records nothing. HEAD requests (link scanners) get the same answer and
 *   count as machine clicks.
 * The outcome is recorded before the answer goes out: the run waiting on it has moved by then.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LINK_NOT_FOUND_PAGE, redirectPage } from '@waymark/web';
import { z } from 'zod';
import { trackClick, trackOpen, type Hit } from '../app/tracking.ts';
import { defineRoute, type AnyRoute } from './route.ts';

/** The 1×1 transparent GIF (43 bytes). */
export const PIXEL_GIF = Buffer.from(
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  'base64',
);

const NO_CACHE = {
  'cache-control': 'no-store, no-cache, must-revalidate, max-age=0',
  pragma: 'no-cache',
  expires: '0',
};

function hitOf(request: FastifyRequest): Hit {
  return {
    method: request.method,
    userAgent: request.headers['user-agent'] ?? '',
    ip: request.ip,
  };
}

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

const Token = z.object({ token: z.string().min(1) });

/** The tracking routes: open pixel and click redirect. */
export const trackingRoutes: AnyRoute[] = [
  defineRoute({
    id: 'trackOpen',
    method: 'GET',
    url: '/t/o/:token',
    auth: 'none',
    tag: 'tracking',
    summary: 'Open pixel of an email (`{token}.gif`): records the open, answers a 1×1 GIF',
    description:
      'Always answers the GIF with no-cache headers; a forged token records nothing. The first ' +
      'open of a message is recorded as its `opened` outcome (machine opens flagged), later ones ' +
      'are only counted on the message (`content.tracking`).',
    params: Token,
    response: z.string(),
    produces: 'image/gif',
    async handler({ deps, params, request, reply }) {
      const token = params.token.replace(/\.gif$/i, '');
      await trackOpen(deps, token, hitOf(request));
      return send(
        reply,
        200,
        { 'content-type': 'image/gif', 'content-length': PIXEL_GIF.length, ...NO_CACHE },
        PIXEL_GIF,
      );
    },
  }),
  defineRoute({
    id: 'trackClick',
    method: 'GET',
    url: '/t/c/:token',
    auth: 'none',
    tag: 'tracking',
    summary: 'Click redirect of an email link: records the click, redirects to the signed URL',
    description:
      'A 302 to the URL inside the signed token (never one taken from the request). A forged or ' +
      'altered token answers a 404 page and records nothing. The first click records `clicked` ' +
      '(with `{ url }`) and, when no open was recorded, `opened`.',
    params: Token,
    status: 302,
    response: z.string(),
    produces: 'text/html; charset=utf-8',
    errors: ['not_found'],
    async handler({ deps, params, request, reply }) {
      const result = await trackClick(deps, params.token, hitOf(request));
      if (result.url === null)
        return send(
          reply,
          404,
          { 'content-type': 'text/html; charset=utf-8', ...NO_CACHE },
          LINK_NOT_FOUND_PAGE,
        );
      return send(
        reply,
        302,
        { location: result.url, 'content-type': 'text/html; charset=utf-8', ...NO_CACHE },
        redirectPage(result.url),
      );
    },
  }),
];
