/**
 * One-click unsubscribe links: `{publicUrl}/u/{token}` (RFC 8058 for email). The token says who
 * unsubscribes from what, so the unsubscribe page (app/consent.ts) needs no lookup to know it.
 */
import type { Secrets } from '../secrets.ts';
import { linkRoot } from './base.ts';

/** Purpose of unsubscribe tokens (`Secrets.sign('unsubscribe', payload)`). */
export const UNSUBSCRIBE_PURPOSE = 'unsubscribe';

/** Who unsubscribes from what, as the unsubscribe token carries it. */
export interface UnsubscribeTarget {
  workspaceId: string;
  profileId: string;
  /** The channel of the message (`email`, `sms`). */
  channel: string;
  /** The marketing topic of the send; absent: the whole channel. */
  topic?: string | null | undefined;
  /** The message the link was in (reports count unsubscribes per message). */
  messageId: string;
}

/** The payload of an unsubscribe token (short keys: the token is in every marketing email). */
export interface UnsubscribeToken {
  /** Workspace. */
  w: string;
  /** Profile. */
  p: string;
  /** Channel. */
  c: string;
  /** Topic; `''` = the whole channel. */
  t: string;
  /** The message the link was in. */
  m: string;
}

/** The signed one-click unsubscribe URL: `{publicUrl}/u/{token}`. */
export function unsubscribeUrl(
  publicUrl: string,
  secrets: Secrets,
  target: UnsubscribeTarget,
): string {
  const payload: UnsubscribeToken = {
    w: target.workspaceId,
    p: target.profileId,
    c: target.channel,
    t: target.topic ?? '',
    m: target.messageId,
  };
  return `${linkRoot(publicUrl)}/u/${secrets.sign(UNSUBSCRIBE_PURPOSE, payload)}`;
}

/**
 * The payload of an unsubscribe token, or null when it is forged or malformed. A missing topic or
 * message reads as `''` (the whole channel; no message to record the outcome on).
 */
export function readUnsubscribeToken(secrets: Secrets, token: string): UnsubscribeToken | null {
  const p = secrets.verify<Partial<UnsubscribeToken>>(UNSUBSCRIBE_PURPOSE, token);
  if (!p || typeof p !== 'object') return null;
  const { w, p: profile, c, t, m } = p;
  if (typeof w !== 'string' || typeof profile !== 'string' || typeof c !== 'string') return null;
  return { w, p: profile, c, t: typeof t === 'string' ? t : '', m: typeof m === 'string' ? m : '' };
}
