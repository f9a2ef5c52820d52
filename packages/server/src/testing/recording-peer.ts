/**
 * One recording HTTP peer for tests: a real `node:http` server on 127.0.0.1 that stands in for
 * whatever Waymark calls out to (a webhook receiver, an SMS gateway, a manager's alert endpoint).
 * It records every request as it arrived — method, path, headers, raw body — and answers each
 * with the response its route says: a status, a body, headers, after a delay, or whatever a
 * function of the request returns (which may wait, to hold a request open). Used only by tests.
 *
 * Real HTTP rather than a stubbed `fetch`, so what is tested is what crosses the wire: headers the
 * adapter cannot fake, signatures over the exact bytes, timeouts and refused connections.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the peer received. */
export interface RecordedRequest {
  method: string;
  /** The request target as sent: path and query (`/hooks/a?x=1`). */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body's exact bytes (what a signature is computed over). */
  raw: Buffer;
  /** The body as UTF-8 text. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** `performance.now()` when the request had fully arrived (for measured spacing). */
  at: number;
}

/** How the peer answers one request. */
export interface PeerResponse {
  /** Default 200. */
  status?: number;
  /** A string or Buffer is sent as is; anything else as JSON; undefined sends no body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow provider; longer than a client's timeout). */
  delayMs?: number;
}

/** A fixed answer, or one computed from the request (it may wait before it resolves). */
export type PeerRoute =
  PeerResponse | ((req: RecordedRequest) => PeerResponse | Promise<PeerResponse>);

/** Options of `startRecordingPeer`. */
export interface RecordingPeerOptions {
  /**
   * Answers by `"METHOD /path"` or `"/path"` (the path without its query), tried in that order;
   * `"*"` answers the rest. Without a matching route the peer answers 200 `{"ok":true}`.
   */
  routes?: Record<string, PeerRoute>;
}

/** A running recording peer. */
export interface RecordingPeer {
  /** Base URL, `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** Every request received, in order of arrival. */
  requests: RecordedRequest[];
  /** The routes; change them between steps of a test to script the next answers. */
  routes: Record<string, PeerRoute>;
  /** Requests being answered right now, and the most there ever were at once. */
  inflight(): { now: number; max: number };
  /** Stops listening and drops open connections (held requests included). */
  close(): Promise<void>;
}

const DEFAULT_ANSWER: PeerResponse = { status: 200, body: { ok: true } };

/** Starts a recording peer on a free port of 127.0.0.1. */
export async function startRecordingPeer(
  options: RecordingPeerOptions = {},
): Promise<RecordingPeer> {
  const requests: RecordedRequest[] = [];
  const routes: Record<string, PeerRoute> = { ...options.routes };
  let now = 0;
  let max = 0;

  function routeOf(req: RecordedRequest): PeerRoute {
    const path = req.path.split('?')[0]!;
    return routes[`${req.method} ${path}`] ?? routes[path] ?? routes['*'] ?? DEFAULT_ANSWER;
  }

  const server: Server = createServer((req, res) => {
    now += 1;
    max = Math.max(max, now);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined; // not JSON: kept as raw and text
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        raw,
        text,
        json,
        at: performance.now(),
      };
      requests.push(recorded);
      void answer(recorded).then(
        (a) => {
          const body =
            a.body === undefined || typeof a.body === 'string' || Buffer.isBuffer(a.body)
              ? a.body
              : JSON.stringify(a.body);
          const json = body !== a.body ? { 'content-type': 'application/json' } : {};
          res.writeHead(a.status ?? 200, { ...json, ...a.headers }).end(body);
        },
        () => res.writeHead(500).end(),
      );
    });
    res.on('close', () => (now -= 1));
  });

  async function answer(req: RecordedRequest): Promise<PeerResponse> {
    const route = routeOf(req);
    const a = typeof route === 'function' ? await route(req) : route;
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    return a;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    routes,
    inflight: () => ({ now, max }),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
