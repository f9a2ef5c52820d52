/**
 * Links put into messages that come back to this server. The one-click unsubscribe page
 * (`GET|POST {publicUrl}/u/{token}`) verifies the token signed here; the token says who
 * unsubscribes from what, so the page needs no lookup to know it.
 */
import type { Secrets } from '../secrets.ts';

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
  w: string;
  p: string;
  c: string;
  t: string;
  m: string;
}

/** The signed one-click unsubscribe URL: `{publicUrl}/u/{token}` (RFC 8058 for email). */
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
  return `${publicUrl.replace(/\/+$/, '')}/u/${secrets.sign('unsubscribe', payload)}`;
}
