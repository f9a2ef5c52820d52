/**
 * Webhook signatures: every request Waymark sends to a webhook carries
 * `Waymark-Timestamp: <unix seconds>` and `Waymark-Signature: v1=<hex HMAC-SHA256(secret,
 * "<timestamp>.<raw body>")>`. Receivers check them with `verifyWebhookSignature` (or the same few
 * lines of their own: see docs/channels.md). Imports nothing of ours, so a receiver can copy it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature(s): `v1=<hex>`; several, space- or comma-separated, on rotation. */
export const SIGNATURE_HEADER = 'Waymark-Signature';
/** Header carrying the signing time, unix seconds. */
export const TIMESTAMP_HEADER = 'Waymark-Timestamp';
/** Header carrying Waymark's id of the message (stable across retries). */
export const MESSAGE_ID_HEADER = 'Waymark-Message-Id';
/** Default tolerance between the signing time and the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. */
export function signWebhook(
  secret: string,
  timestampSeconds: number | string,
  rawBody: string | Buffer,
): string {
  const mac = createHmac('sha256', secret)
    .update(`${timestampSeconds}.`)
    .update(rawBody)
    .digest('hex');
  return `v1=${mac}`;
}

/** Headers as Node (`IncomingMessage.headers`) or the Fetch API (`Headers`) give them. */
export type HeaderBag =
  { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof headers.get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * True when the request was signed by Waymark with `secret`, over exactly `rawBody` (the bytes
 * received, before any JSON parsing), less than `toleranceSeconds` from `nowMs` (replay guard).
 */
export function verifyWebhookSignature(
  secret: string,
  headers: HeaderBag,
  rawBody: string | Buffer,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
  nowMs: number = Date.now(),
): boolean {
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signatures = header(headers, SIGNATURE_HEADER);
  if (!timestamp || !signatures || !/^\d{1,15}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody), 'utf8');
  return signatures
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((candidate) => {
      const got = Buffer.from(candidate, 'utf8');
      return got.length === expected.length && timingSafeEqual(got, expected);
    });
}
