/**
 * A lean HTTP client for provider APIs (Twilio, generic SMS gateways): one keep-alive agent per
 * adapter, requests to one fixed origin, a time limit per request, and the classification of
 * transport failures and status codes into the adapter contract's results.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { SendResult } from './adapter.ts';

/** A provider's answer. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Keep-alive requests to one origin (`https://api.twilio.com`). */
export class HttpClient {
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;
  readonly #host: string;
  readonly #port: number;
  readonly #basePath: string;
  readonly #timeoutMs: number;

  /** `base` is the origin and optional path prefix every request path is appended to. */
  constructor(base: string, opts: { maxSockets?: number; timeoutMs?: number } = {}) {
    const url = new URL(base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`${base}: only http and https URLs are supported`);
    const secure = url.protocol === 'https:';
    const agentOpts = {
      keepAlive: true,
      maxSockets: opts.maxSockets ?? 64,
      scheduling: 'lifo' as const,
    };
    this.#agent = secure ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
    this.#request = secure ? https.request : http.request;
    this.#host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.#port = url.port ? Number(url.port) : secure ? 443 : 80;
    this.#basePath = url.pathname.replace(/\/$/, '');
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
  }

  /** Sends a request; rejects on transport failures (refused, reset, timed out). */
  request(a: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
  }): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const req = this.#request(
        {
          host: this.#host,
          port: this.#port,
          path: this.#basePath + a.path,
          method: a.method,
          headers:
            a.body === undefined
              ? a.headers
              : { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)) },
          agent: this.#agent,
          timeout: this.#timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on('error', reject);
      req.end(a.body);
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/** Milliseconds a `Retry-After` header asks to wait (seconds or an HTTP date), if any. */
export function retryAfterMs(
  header: string | string[] | undefined,
  now: number,
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A transport failure (refused, reset, timed out): the provider may not have it; retry. */
export function transportFailure(provider: string, err: unknown): SendResult {
  const e = err as NodeJS.ErrnoException;
  return {
    kind: 'retryable',
    error: `${provider} unreachable: ${e.code ? `${e.code} ` : ''}${e.message}`.trim(),
  };
}

/**
 * Classifies an unsuccessful status: 429 and 5xx are retryable (honouring Retry-After), any other
 * status is permanent. `detail` is the provider's own error text.
 */
export function statusFailure(a: {
  provider: string;
  response: HttpResponse;
  detail: string;
  now: number;
  data?: Record<string, unknown>;
}): SendResult {
  const { status } = a.response;
  const error = `${a.provider} ${status}: ${a.detail}`;
  if (status === 429 || status >= 500)
    return {
      kind: 'retryable',
      error,
      retryAfterMs: retryAfterMs(a.response.headers['retry-after'], a.now),
    };
  return { kind: 'permanent', error, ...(a.data ? { data: a.data } : {}) };
}

/** The JSON value of a provider's answer, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
