/**
 * Consent: subscriptions per profile, channel and topic (`''` = the whole channel); suppressed
 * addresses (hard bounces, complaints, manual); what the one-click unsubscribe links of messages
 * do (signed tokens, RFC 8058, made and read by links/unsubscribe.ts); SMS keywords
 * (STOP/START/HELP); and suppressing an address from a provider's bounce or complaint. What is
 * enforced at send time lives in `runtime/policies.ts`.
 */
import { CHANNELS, channelKind, type ConsentKeyword } from '@waymark/core';
import { AppError } from '../errors.ts';
import { readUnsubscribeToken, type UnsubscribeToken } from '../links/index.ts';
import { newMessage } from '../messages.ts';
import { normaliseAddress } from '../runtime/policies.ts';
import { countryOfZone } from '../runtime/recipient-zone.ts';
import type { MessageRow, Page, SubscriptionRow, SuppressionRow, Tx } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';
import { findProfileId } from './profiles.ts';

export type { SubscriptionRow, SuppressionRow } from '../storage/store.ts';

/** Default answer to an SMS HELP/INFO (override with SMS_HELP_TEXT). */
export const DEFAULT_SMS_HELP_TEXT =
  'Reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.';

const CHANNEL_NAMES = Object.keys(CHANNELS);

function checkChannel(channel: string, path: string): void {
  if (!channelKind(channel))
    throw new AppError('invalid_input', `${path}: unknown channel "${channel}"`, [
      { path, message: 'unknown channel', hint: `one of ${CHANNEL_NAMES.join(', ')}` },
    ]);
}

/** A workspace's default country (national phone numbers are read in it), from its zone. */
async function defaultCountry(tx: Pick<Tx, 'workspaces'>, workspaceId: string) {
  const ws = await tx.workspaces.get(workspaceId);
  return countryOfZone(ws?.timezone ?? 'UTC');
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

/** A profile's subscription rows (channels and topics it opted in or out of). */
export async function getSubscriptions(
  deps: AppDeps,
  workspaceId: string,
  ref: string,
): Promise<SubscriptionRow[]> {
  const profileId = await findProfileId(deps, workspaceId, ref);
  return deps.store.subscriptions.forProfile(workspaceId, profileId);
}

/** One consent change: a channel (and topic; none = the whole channel) and the new status. */
export interface SubscriptionChange {
  channel: string;
  topic?: string | undefined;
  status: SubscriptionRow['status'];
}

/** Sets consent of a profile; returns its rows afterwards. */
export async function setSubscriptions(
  deps: AppDeps,
  workspaceId: string,
  a: { profile: string; changes: SubscriptionChange[]; source?: string | undefined },
): Promise<SubscriptionRow[]> {
  a.changes.forEach((c, i) => checkChannel(c.channel, `body.${i}.channel`));
  const profileId = await findProfileId(deps, workspaceId, a.profile);
  const now = deps.clock.now();
  const rows: SubscriptionRow[] = a.changes.map((c) => ({
    workspaceId,
    profileId,
    channel: c.channel,
    topic: c.topic ?? '',
    status: c.status,
    source: a.source ?? 'api',
    updatedAt: now,
  }));
  await deps.store.transaction((tx) => tx.subscriptions.set(rows));
  return deps.store.subscriptions.forProfile(workspaceId, profileId);
}

// ---------------------------------------------------------------------------------------------
// Suppressions

/** Suppressed addresses, a page at a time. */
export async function listSuppressions(
  deps: AppDeps,
  workspaceId: string,
  opts: { limit: number; cursor?: string | undefined; channel?: string | undefined },
): Promise<Page<SuppressionRow>> {
  return deps.store.suppressions.list(workspaceId, opts);
}

/** Suppresses an address on a channel (kept as it is when already suppressed); returns the row. */
export async function addSuppression(
  deps: AppDeps,
  workspaceId: string,
  a: {
    channel: string;
    address: string;
    reason?: SuppressionRow['reason'] | undefined;
    detail?: string | null | undefined;
  },
): Promise<SuppressionRow> {
  checkChannel(a.channel, 'body.channel');
  if (a.address.trim() === '')
    throw new AppError('invalid_input', 'body.address: required', [
      { path: 'body.address', message: 'required' },
    ]);
  return deps.store.transaction(async (tx) => {
    const address = normaliseAddress(a.channel, a.address, await defaultCountry(tx, workspaceId));
    await tx.suppressions.add({
      workspaceId,
      channel: a.channel,
      address,
      reason: a.reason ?? 'manual',
      detail: a.detail ?? null,
      createdAt: deps.clock.now(),
    });
    const row = await tx.suppressions.get(workspaceId, a.channel, address);
    if (!row) throw new Error(`suppression of ${address} was not stored`);
    return row;
  });
}

/** Lifts a suppression; not_found when the address was not suppressed. */
export async function removeSuppression(
  deps: AppDeps,
  workspaceId: string,
  a: { channel: string; address: string },
): Promise<void> {
  checkChannel(a.channel, 'channel');
  const removed = await deps.store.transaction(async (tx) =>
    tx.suppressions.remove(
      workspaceId,
      a.channel,
      normaliseAddress(a.channel, a.address, await defaultCountry(tx, workspaceId)),
    ),
  );
  if (!removed)
    throw new AppError('not_found', `${a.address} is not suppressed on ${a.channel}`, [
      { path: 'address', message: 'not suppressed' },
    ]);
}

/**
 * True when a `bounced` outcome is a hard (permanent) bounce. A bounce is hard unless its data
 * says otherwise: `bounceType`/`type` `soft`, `transient`, `temporary` or `undetermined`, or an
 * SMTP status of class 4 (`4.2.2`, `421`). Providers report deferrals apart, so an unqualified
 * bounce (`POST /api/messages/:id/outcomes {type: bounced}`) is permanent.
 */
export function isHardBounce(data: Record<string, unknown> | undefined): boolean {
  if (data?.hard === false || data?.permanent === false) return false;
  const kind = data?.bounceType ?? data?.bounce_type ?? data?.type;
  if (typeof kind === 'string' && /^(soft|transient|temporary|undetermined)$/i.test(kind))
    return false;
  const status = data?.status ?? data?.smtpStatus ?? data?.code;
  if ((typeof status === 'string' || typeof status === 'number') && /^4/.test(String(status)))
    return false;
  return true;
}

/**
 * Suppresses the message's recipient when a provider (or the outcomes API) reports a hard bounce
 * or a complaint; returns the suppression made, or null when the outcome suppresses nothing.
 */
export async function suppressFromOutcome(
  deps: AppDeps,
  a: {
    message: Pick<MessageRow, 'workspaceId' | 'channel' | 'recipient' | 'id'>;
    type: string;
    data?: Record<string, unknown> | undefined;
  },
): Promise<SuppressionRow | null> {
  const { message } = a;
  const reason =
    a.type === 'complained'
      ? 'complaint'
      : a.type === 'bounced' && isHardBounce(a.data)
        ? 'hard_bounce'
        : null;
  if (!reason || !message.recipient) return null;
  const detail = a.data?.diagnostic ?? a.data?.reason ?? a.data?.error;
  const row: SuppressionRow = {
    workspaceId: message.workspaceId,
    channel: message.channel,
    address: '',
    reason,
    detail: `message ${message.id}${typeof detail === 'string' ? `: ${detail}` : ''}`,
    createdAt: deps.clock.now(),
  };
  await deps.store.transaction(async (tx) => {
    row.address = normaliseAddress(
      message.channel,
      message.recipient!,
      await defaultCountry(tx, message.workspaceId),
    );
    await tx.suppressions.add(row);
  });
  return row;
}

// ---------------------------------------------------------------------------------------------
// Unsubscribe links

/** What the unsubscribe page shows: the channel, the topic, and the current consent. */
export interface UnsubscribeView {
  payload: UnsubscribeToken;
  /** Unsubscribed from the whole channel already. */
  channelOff: boolean;
  /** Unsubscribed from the link's topic already. */
  topicOff: boolean;
}

/** The state behind an unsubscribe link; null for a forged token or an unknown profile. */
export async function unsubscribeView(
  deps: AppDeps,
  token: string,
): Promise<UnsubscribeView | null> {
  const payload = readUnsubscribeToken(deps.secrets, token);
  if (!payload) return null;
  const profile = await deps.store.profiles.get(payload.w, payload.p);
  if (!profile) return null;
  const rows = await deps.store.subscriptions.forProfile(
    payload.w,
    profile.mergedInto ?? profile.id,
  );
  const off = (topic: string) =>
    rows.some((r) => r.channel === payload.c && r.topic === topic && r.status === 'unsubscribed');
  return { payload, channelOff: off(''), topicOff: payload.t !== '' && off(payload.t) };
}

/**
 * Unsubscribes through a link: from the link's topic, or from the whole channel when `scope` is
 * `channel` (or the link has no topic). Recorded as a subscription row (source `unsubscribe_link`)
 * and as an `unsubscribed` outcome of the message on its run. Null for a forged token.
 */
export async function unsubscribeByToken(
  deps: AppDeps,
  a: { token: string; scope?: 'topic' | 'channel' | undefined },
): Promise<{ payload: UnsubscribeToken; topic: string } | null> {
  const payload = readUnsubscribeToken(deps.secrets, a.token);
  if (!payload) return null;
  const profile = await deps.store.profiles.get(payload.w, payload.p);
  if (!profile) return null;
  const topic = a.scope === 'channel' ? '' : payload.t;
  const now = deps.clock.now();
  await deps.store.transaction((tx) =>
    tx.subscriptions.set([
      {
        workspaceId: payload.w,
        profileId: profile.mergedInto ?? profile.id,
        channel: payload.c,
        topic,
        status: 'unsubscribed',
        source: 'unsubscribe_link',
        updatedAt: now,
      },
    ]),
  );
  if (payload.m) {
    await deps.engine.outcome({
      workspaceId: payload.w,
      messageId: payload.m,
      outcome: { type: 'unsubscribed', at: now, data: { topic } },
    });
  }
  return { payload, topic };
}

// ---------------------------------------------------------------------------------------------
// SMS keywords

/** What an SMS keyword does. */
export type SmsKeyword = ConsentKeyword;

/** An SMS keyword found in a message. */
export interface SmsKeywordMatch {
  keyword: SmsKeyword;
  /**
   * True for `YES`: also an ordinary answer ("did it arrive?" → "yes"), so the message still
   * reaches waiting runs; it re-subscribes only a profile that had opted out.
   */
  alsoReply: boolean;
}

/**
 * The SMS keyword a message is, or null. As carriers do, the whole message must be the keyword
 * (any case, surrounding spaces and punctuation ignored): "stop" opts out, "stop by later" does not.
 */
export function smsKeyword(body: string): SmsKeywordMatch | null {
  const word = smsWord(body);
  const keyword = CHANNELS.sms.consentWords[word];
  return keyword ? { keyword, alsoReply: word === 'yes' } : null;
}

/**
 * Applies an SMS keyword of a profile inside the inbound message's transaction: STOP → SMS
 * unsubscribed (source `sms_stop`), START/UNSTOP/YES → subscribed (`sms_start`), HELP/INFO → an
 * auto-reply written as a transactional outbox message. `YES` re-subscribes only a profile that
 * had opted out (otherwise it is an ordinary answer). Returns whether the keyword was applied.
 */
export async function applySmsKeyword(
  tx: Tx,
  a: {
    workspaceId: string;
    profileId: string;
    match: SmsKeywordMatch;
    /** The sender (E.164) and the number written to, which answers. */
    from: string;
    to: string;
    /** The inbound message's id (the auto-reply's idempotency key derives from it). */
    messageId: string;
    now: number;
    helpText: string;
  },
): Promise<boolean> {
  const { workspaceId, profileId, now } = a;
  const { keyword } = a.match;
  if (keyword === 'help') {
    const reply = newMessage(now, {
      workspaceId,
      profileId,
      idempotencyKey: `sms-help:${a.messageId}`,
      kind: 'message',
      channel: 'sms',
      recipient: a.from,
      content: { transactional: true, body: a.helpText, from: a.to },
    });
    await tx.messages.insert([reply]);
    return true;
  }
  if (a.match.alsoReply) {
    const rows = await tx.subscriptions.forProfile(workspaceId, profileId);
    const optedOut = rows.some(
      (r) => r.channel === 'sms' && r.topic === '' && r.status === 'unsubscribed',
    );
    if (!optedOut) return false;
  }
  await tx.subscriptions.set([
    {
      workspaceId,
      profileId,
      channel: 'sms',
      topic: '',
      status: keyword === 'stop' ? 'unsubscribed' : 'subscribed',
      source: keyword === 'stop' ? 'sms_stop' : 'sms_start',
      updatedAt: now,
    },
  ]);
  return true;
}

function smsWord(body: string): string {
  return body
    .trim()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .toLowerCase();
}
