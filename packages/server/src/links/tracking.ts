/**
 * Tracking links of a message: the open pixel `{publicUrl}/t/o/{token}.gif` and click redirects
 * `{publicUrl}/t/c/{token}`. A click token carries the original URL and the link's index, signed
 * with the server's key: the redirect target is never read from anywhere else, so the route
 * (app/tracking.ts) is not an open redirect. Putting the links into rendered content is
 * rewrite.ts's job.
 */
import type { Secrets } from '../secrets.ts';
import { linkRoot } from './base.ts';

/** Signing purpose of open tokens. */
export const OPEN_PURPOSE = 'open';
/** Signing purpose of click tokens. */
export const CLICK_PURPOSE = 'click';

/** The payload of an open token. */
export interface OpenToken {
  w: string;
  m: string;
}

/** The payload of a click token: the original URL and the link's index in the message. */
export interface ClickToken {
  w: string;
  m: string;
  u: string;
  i: number;
}

/** The message tracking links are made for. */
export interface TrackedMessage {
  publicUrl: string;
  secrets: Secrets;
  workspaceId: string;
  messageId: string;
}

/** Longest token put in a link: the HTTP server accepts path segments up to 2048 characters. */
const MAX_TOKEN = 2000;

/** The open pixel's URL of a message. */
export function openPixelUrl(t: TrackedMessage): string {
  const payload: OpenToken = { w: t.workspaceId, m: t.messageId };
  return `${linkRoot(t.publicUrl)}/t/o/${t.secrets.sign(OPEN_PURPOSE, payload)}.gif`;
}

/** The click redirect of one link, or null when its token would be too long. */
export function clickUrl(t: TrackedMessage, url: string, index: number): string | null {
  const payload: ClickToken = { w: t.workspaceId, m: t.messageId, u: url, i: index };
  const token = t.secrets.sign(CLICK_PURPOSE, payload);
  return token.length > MAX_TOKEN ? null : `${linkRoot(t.publicUrl)}/t/c/${token}`;
}

/**
 * The payload of an open token (the part of `/t/o/{token}.gif` before `.gif`), or null when it is
 * forged or names no message. The workspace is checked where the message is looked up.
 */
export function readOpenToken(secrets: Secrets, token: string): OpenToken | null {
  const payload = secrets.verify<OpenToken>(OPEN_PURPOSE, token);
  return payload && typeof payload.m === 'string' ? payload : null;
}

/**
 * The payload of a click token, or null when it is forged or does not carry a message, an
 * `http(s)` URL that parses and an integer link index.
 */
export function readClickToken(secrets: Secrets, token: string): ClickToken | null {
  const payload = secrets.verify<ClickToken>(CLICK_PURPOSE, token);
  if (
    !payload ||
    typeof payload.m !== 'string' ||
    typeof payload.u !== 'string' ||
    !/^https?:\/\//i.test(payload.u) ||
    !URL.canParse(payload.u) ||
    !Number.isInteger(payload.i)
  )
    return null;
  return payload;
}
