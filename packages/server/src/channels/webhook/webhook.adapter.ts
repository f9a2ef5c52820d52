/**
 * The webhook adapter: delivers `webhook` rows (a journey's webhook node: method, headers, JSON
 * body) and `alert` rows on the `webhook` channel (a staff alert as JSON) to their URL, signed
 * (see signature.ts), with a timeout. It classifies the answer; the delivery engine retries:
 * - 2xx → `sent`, data `{ status, body }` (body: parsed JSON, else text; capped);
 * - 408, 425, 429, 5xx, timeouts, connection errors → `retryable`, honouring `Retry-After`;
 * - any other status (other 4xx, 3xx: redirects are not followed) → `permanent`, data
 *   `{ status, body }`.
 */
import type { AfterCrash, ChannelAdapter, Clock, MessageRow, SendResult } from '../sdk/index.ts';
import { MESSAGE_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './signature.ts';

/**
 * Most bytes of a response body kept (and parsed); the rest is cut off and flagged `truncated`. The
 * answer lands in the run's state (`last.data`), so it is kept small.
 */
export const RESPONSE_BODY_LIMIT = 16 * 1024;
/** Longest `Retry-After` honoured; a longer one is clamped to it. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/**
 * Headers a node may not set: ours (signature, timestamp, ids), the body's framing, and hop-by-hop
 * headers. Anything starting with `waymark-` is ours too.
 */
const RESERVED_HEADERS = new Set([
  'idempotency-key',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'host',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
]);

/** Options of a webhook adapter. */
export interface WebhookAdapterOptions {
  /** HMAC key of the signature. */
  signingSecret: string;
  /** Whole exchange (connect, send, read the answer), milliseconds. */
  timeoutMs: number;
  maxPerSecond?: number | undefined;
  maxConcurrency?: number | undefined;
  /** What becomes of a call the receiver had when the sender died (default `resend`). */
  afterCrash?: AfterCrash | undefined;
  clock: Clock;
}

/** The request a row turns into. */
interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** What an alert row on the webhook channel posts. */
function alertPayload(m: MessageRow): Record<string, unknown> {
  const { subject, body, html: _html, ...rest } = m.content;
  return {
    type: 'alert',
    messageId: m.id,
    journeyId: m.journeyId,
    runId: m.runId,
    nodeId: m.nodeId,
    profileId: m.profileId,
    template: m.template,
    ...(subject !== undefined ? { subject } : {}),
    text: body ?? null,
    ...rest,
  };
}

function outgoing(m: MessageRow): Outgoing {
  if (m.kind === 'alert') return { method: 'POST', headers: {}, body: alertPayload(m) };
  const { method, headers, body } = m.content;
  const safeHeaders: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (typeof value === 'string') safeHeaders[name] = value;
    }
  }
  return {
    method: typeof method === 'string' ? method.toUpperCase() : 'POST',
    headers: safeHeaders,
    body: body ?? null,
  };
}

function isReserved(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('waymark-') || RESERVED_HEADERS.has(lower);
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** Reads at most `limit` bytes of a response body; cancels the rest. */
async function readCapped(res: Response, limit: number): Promise<{ text: string; cut: boolean }> {
  if (!res.body) return { text: '', cut: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = limit - size;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      size = limit;
      cut = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), cut };
}

/** The answer as data a run can branch on: `{ status, body }`, body parsed when it is JSON. */
async function responseData(res: Response): Promise<Record<string, unknown>> {
  const { text, cut } = await readCapped(res, RESPONSE_BODY_LIMIT);
  if (cut) return { status: res.status, body: text, truncated: true };
  const type = res.headers.get('content-type') ?? '';
  const looksJson = /\bjson\b/i.test(type) || /^\s*[[{]/.test(text);
  if (looksJson && text.trim() !== '') {
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  return { status: res.status, body: text };
}

function snippet(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (!text) return '';
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

/** Why a fetch failed, for the outbox row's error. */
function failure(err: unknown, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `request failed: ${e.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
}

/** Makes the webhook adapter. */
export function webhookAdapter(o: WebhookAdapterOptions): ChannelAdapter {
  return {
    name: 'webhook',
    maxPerSecond: o.maxPerSecond,
    maxConcurrency: o.maxConcurrency,
    afterCrash: o.afterCrash ?? 'resend',
    async send(message: MessageRow, idempotencyKey: string): Promise<SendResult> {
      let url: URL;
      try {
        url = new URL(message.recipient ?? '');
      } catch {
        return { kind: 'permanent', error: `not a URL: ${JSON.stringify(message.recipient)}` };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return { kind: 'permanent', error: `only http and https URLs are called, not ${url.href}` };

      const req = outgoing(message);
      const raw = JSON.stringify(req.body);
      const timestamp = Math.floor(o.clock.now() / 1000);
      const headers: Record<string, string> = { 'User-Agent': 'Waymark-Webhook/1' };
      for (const [name, value] of Object.entries(req.headers))
        if (!isReserved(name)) headers[name] = value;
      Object.assign(headers, {
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyKey,
        [MESSAGE_ID_HEADER]: message.id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(o.signingSecret, timestamp, raw),
      });

      const abort = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, o.timeoutMs);
      try {
        const res = await fetch(url, {
          method: req.method,
          headers,
          body: raw,
          redirect: 'manual',
          signal: abort.signal,
        });
        const data = await responseData(res);
        const status = res.status;
        if (status >= 200 && status < 300)
          return { kind: 'sent', providerMessageId: `webhook:${message.id}`, data };
        const error = `HTTP ${status}${snippet(data.body)}`;
        if (status >= 500 || RETRYABLE_STATUSES.has(status))
          return {
            kind: 'retryable',
            error,
            retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), o.clock.now()),
          };
        if (status >= 300 && status < 400)
          return { kind: 'permanent', error: `${error} (redirects are not followed)`, data };
        return { kind: 'permanent', error, data };
      } catch (err) {
        return { kind: 'retryable', error: failure(err, o.timeoutMs, timedOut) };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
