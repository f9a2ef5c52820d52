/**
 * Twilio's request signature (`X-Twilio-Signature`): base64 HMAC-SHA1, keyed with the account's
 * auth token, over the full URL Twilio called followed by every POST parameter as name + value,
 * sorted by name. Used to verify Twilio's webhooks and, by the local Twilio peer, to sign them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Form parameters as Twilio posts them: a name may repeat. */
export type FormParams = Record<string, string | string[]>;

/** Parses an `application/x-www-form-urlencoded` body, keeping repeated names. */
export function parseForm(body: string): FormParams {
  const out: FormParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const prior = out[name];
    if (prior === undefined) out[name] = value;
    else out[name] = Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

/** The first value of a form parameter, or undefined. */
export function formValue(params: FormParams, name: string): string | undefined {
  const v = params[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The signature Twilio sends for a request to `url` with `params` (the POST body). */
export function twilioSignature(authToken: string, url: string, params: FormParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    if (Array.isArray(value)) for (const v of [...new Set(value)].sort()) data += name + v;
    else data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** `url` with the scheme's default port written out (`https://h/x` → `https://h:443/x`). */
function withPort(url: string): string {
  const m = /^(https?:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!m || /:\d+$/.test(m[2]!)) return url;
  return `${m[1]}${m[2]}${m[1]!.toLowerCase() === 'https://' ? ':443' : ':80'}${m[3]}`;
}

/** `url` without a port. */
function withoutPort(url: string): string {
  return url.replace(/^(https?:\/\/[^/?#:]*):\d+/i, '$1');
}

/**
 * True when `signature` is Twilio's for this request. Like Twilio's own helpers, the URL is tried
 * as given, without its port and with the default port, since proxies differ in what they pass on.
 */
export function verifyTwilioSignature(a: {
  authToken: string;
  signature: string | undefined;
  url: string;
  params: FormParams;
}): boolean {
  if (!a.signature) return false;
  const given = Buffer.from(a.signature);
  return [...new Set([a.url, withoutPort(a.url), withPort(a.url)])].some((url) => {
    const expected = Buffer.from(twilioSignature(a.authToken, url, a.params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
