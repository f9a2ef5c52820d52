/**
 * Inbound messages (an SMS to a virtual number, a reply), matched to the profile that owns the
 * sender's number or address (created when the number is new), then routed — in one transaction,
 * so a provider's retry (same message id) records nothing twice:
 *
 * 1. SMS consent keywords (STOP, START, HELP: `consent.ts`) change consent or answer;
 * 2. else the most recent run of the profile waiting for a reply to a message sent to that
 *    number on that channel gets a `replied` outcome — preferring the messages sent from the
 *    number written to (the delivery records the sender in `content.from`), never one recorded
 *    as sent from another number; messages without a recorded sender are the fallback — with
 *    the reply's understanding (`understandReply`) and steps at once; the message is kept as a
 *    `reply_received` event;
 * 3. else it is stored as an `inbound` event `message_received`: the worker starts
 *    inbound-keyword journeys on it, and it stays in the profile's history with its
 *    understanding either way.
 *
 * Provider webhooks (Twilio's inbound format, `channels/twilio/hooks.ts`) and `POST /api/inbound`
 * call this.
 */
import { replyExpectation, understandReply, type Awaiting, type ReplyFact } from '@waymark/core';
import type { ProviderRequest } from '../channels/sdk/index.ts';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { AppError } from '../errors.ts';
import { EVENT_PARTITIONS, newId, partitionOf } from '../ids.ts';
import { normaliseAddress } from '../runtime/policies.ts';
import { countryOfZone } from '../runtime/recipient-zone.ts';
import type { MessageRow, RunRow, Tx } from '../storage/store.ts';
import { applySmsKeyword, DEFAULT_SMS_HELP_TEXT, smsKeyword, type SmsKeyword } from './consent.ts';
import type { AppDeps } from './deps.ts';

/** An inbound message as a provider reports it. */
export interface InboundMessage {
  channel: 'sms' | 'whatsapp' | 'email';
  /** Sender: a phone number (E.164) or an email address. */
  from: string;
  /** The number or address written to. */
  to: string;
  body: string;
  /** The provider's message id (Twilio's MessageSid): a retried webhook is recorded once. */
  messageId?: string | undefined;
}

/** Where an inbound message went. */
export type InboundRoute = 'consent' | 'run' | 'inbound';

/** What `receiveInbound` did. */
export interface InboundResult {
  profileId: string;
  /** True when this message id was received before: nothing was recorded this time. */
  duplicate: boolean;
  /** The consent keyword applied (`stop`, `start`, `help`), else null. */
  keyword: SmsKeyword | null;
  /**
   * `consent`: a consent keyword only; `run`: the reply of a waiting run; `inbound`: an inbound
   * event (inbound-keyword journeys start on it, else it is only recorded).
   */
  route: InboundRoute;
  /** The run that got the reply (route `run`), else null. */
  runId: string | null;
  /** What the text means. */
  reply: ReplyFact;
}

type ReplyAwaiting = Extract<Awaiting, { kind: 'reply' }>;

/** An address without spaces, dashes or brackets, lower-cased. */
function compact(value: string): string {
  return value.replace(/[\s()-]/g, '').toLowerCase();
}

/**
 * The identity values a sender may be stored under, most exact first: profiles keep the phone
 * trait as it was typed (`912 345 678`, `+351 912 345 678`), so an E.164 sender is also looked
 * up in its national and international spellings.
 */
function identityCandidates(kind: 'phone' | 'email', value: string): string[] {
  if (kind === 'email') return [value];
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed) return [value];
  const national = parsed.formatNational();
  return [
    ...new Set([
      value,
      parsed.formatInternational(),
      national,
      national.replace(/[\s()-]/g, ''),
      `00${value.replace(/^\+/, '')}`,
    ]),
  ];
}

/**
 * The run of the profile waiting for a reply to a message sent on `channel` to `from`, with that
 * message: the most recent one sent from `to`, else the most recent one that records no sender
 * (a messaging service, an older row). A message recorded as sent from another number is not
 * answered by this one.
 */
async function waitingRun(
  tx: Tx,
  a: {
    workspaceId: string;
    profileId: string;
    channel: string;
    from: string;
    to: string;
    country: string | null;
    kind: 'phone' | 'email';
  },
): Promise<{ run: RunRow; awaiting: ReplyAwaiting; message: MessageRow } | null> {
  const same = (x: string, y: string) =>
    normaliseAddress(a.channel, x, a.country) === normaliseAddress(a.channel, y, a.country);
  // The recipient as the send stored it (the trait as typed, national or international).
  const spellings = new Set(identityCandidates(a.kind, a.from).map(compact));
  const isSender = (recipient: string) =>
    spellings.has(compact(recipient)) || same(recipient, a.from);
  let best: {
    run: RunRow;
    awaiting: ReplyAwaiting;
    message: MessageRow;
    /** Sent from the number written to (else: no sender recorded). */
    exact: boolean;
  } | null = null;
  for (const run of await tx.runs.activeForProfiles(a.workspaceId, [a.profileId])) {
    const awaiting = run.awaiting;
    if (run.status !== 'waiting' || awaiting?.kind !== 'reply' || !awaiting.messageKey) continue;
    const message = await tx.messages.getByKey(a.workspaceId, awaiting.messageKey);
    if (!message || message.channel !== a.channel) continue;
    if (!isSender(message.recipient ?? '')) continue;
    const sender = message.content.from;
    const recorded = typeof sender === 'string' && sender !== '' && a.to !== '';
    if (recorded && !same(sender, a.to)) continue;
    const better =
      !best ||
      (recorded && !best.exact) ||
      (recorded === best.exact &&
        (message.createdAt > best.message.createdAt ||
          (message.createdAt === best.message.createdAt && run.updatedAt > best.run.updatedAt)));
    if (better) best = { run, awaiting, message, exact: recorded };
  }
  return best && { run: best.run, awaiting: best.awaiting, message: best.message };
}

/** Receives an inbound message: routes it (see the module header) and says where it went. */
export async function receiveInbound(
  deps: AppDeps,
  workspaceId: string,
  m: InboundMessage,
): Promise<InboundResult> {
  const from = m.from.trim();
  if (!from)
    throw new AppError('invalid_input', 'from: the sender is required', [
      { path: 'from', message: 'required' },
    ]);
  const kind = m.channel === 'email' ? 'email' : 'phone';
  const result = await deps.engine.withBatch(async (batch, tx, now) => {
    const workspace = await tx.workspaces.get(workspaceId);
    const country = countryOfZone(workspace?.timezone ?? 'UTC');
    const value = normaliseAddress(m.channel, from, country);
    const candidates = identityCandidates(kind, value);
    const found = await tx.profiles.resolve(
      workspaceId,
      candidates.map((v) => ({ kind, value: v })),
    );
    let profileId = candidates.map((v) => found.get(`${kind}:${v}`)).find((id) => id);
    if (!profileId) {
      profileId = newId(now);
      await tx.profiles.insert([
        {
          workspaceId,
          id: profileId,
          traits: { [kind]: value },
          createdAt: now,
          updatedAt: now,
          lastSeenAt: now,
          mergedInto: null,
        },
      ]);
      await tx.profiles.link([{ workspaceId, kind, value, profileId }]);
    } else {
      await tx.profiles.update(workspaceId, profileId, { lastSeenAt: now });
    }
    const messageId = m.messageId ?? newId(now);
    // A keyword (STOP, START, HELP) is stored as an `sms_<keyword>` event: it never starts an
    // inbound-keyword journey nor answers a waiting run; YES is also an ordinary answer.
    const match = m.channel === 'sms' ? smsKeyword(m.body) : null;
    const asKeyword = match !== null && !match.alsoReply;
    const waiting = asKeyword
      ? null
      : await waitingRun(tx, {
          workspaceId,
          profileId,
          channel: m.channel,
          from: value,
          to: m.to,
          country,
          kind,
        });
    let expect: ReturnType<typeof replyExpectation> = 'any';
    if (waiting) {
      const version = await tx.journeys.getVersion(
        workspaceId,
        waiting.run.journeyId,
        waiting.run.version,
      );
      if (version && waiting.run.node)
        expect = replyExpectation(version.definition, waiting.run.node);
    }
    const reply = understandReply(m.body, { expect });
    const properties = { channel: m.channel, from: value, to: m.to, body: m.body };
    const understanding = {
      intent: reply.intent,
      ...(reply.score !== undefined ? { score: reply.score } : {}),
      ...(reply.keyword !== undefined ? { keyword: reply.keyword } : {}),
    };
    const route: InboundRoute = asKeyword ? 'consent' : waiting ? 'run' : 'inbound';
    const inserted = await tx.events.insert([
      {
        workspaceId,
        profileId,
        messageId,
        // A reply taken by a run is a `track` event: inbound-keyword triggers never see it.
        type: route === 'inbound' ? 'inbound' : 'track',
        name:
          route === 'consent'
            ? `sms_${match!.keyword}`
            : route === 'run'
              ? 'reply_received'
              : 'message_received',
        properties:
          route === 'consent'
            ? { ...properties, keyword: match!.keyword }
            : route === 'run'
              ? {
                  ...properties,
                  reply: understanding,
                  runId: waiting!.run.id,
                  journeyId: waiting!.run.journeyId,
                  node: waiting!.awaiting.node,
                  messageId: waiting!.message.id,
                }
              : { ...properties, reply: understanding },
        context: {},
        timestamp: now,
        receivedAt: now,
        partition: partitionOf(profileId, EVENT_PARTITIONS),
      },
    ]);
    const duplicate = inserted.length === 0;
    const keyword =
      match !== null &&
      !duplicate &&
      (await applySmsKeyword(tx, {
        workspaceId,
        profileId,
        match,
        from: value,
        to: m.to,
        messageId,
        now,
        helpText: process.env.SMS_HELP_TEXT?.trim() || DEFAULT_SMS_HELP_TEXT,
      }))
        ? match.keyword
        : null;
    let runId: string | null = null;
    if (waiting && !duplicate) {
      // The run steps in this transaction: the event row above is the retry's dedup key.
      const [run] = await tx.runs.lock(workspaceId, [waiting.run.id]);
      if (run) {
        await batch.advance(run, {
          kind: 'outcome',
          outcome: {
            messageKey: waiting.message.idempotencyKey,
            nodeId: waiting.message.nodeId ?? waiting.awaiting.node,
            type: 'replied',
            at: now,
            reply,
            data: { from: value, to: m.to, providerMessageId: messageId },
          },
        });
        runId = run.id;
      }
    }
    return { profileId, duplicate, keyword, route, runId, reply };
  });
  if (!result.duplicate) deps.notify('events');
  if (result.runId || result.keyword === 'help') deps.notify('outbox');
  if (result.runId) deps.notify('runs');
  return result;
}

/**
 * Takes a provider's inbound-message webhook for `channel` (`sms`, `whatsapp`): the workspace's
 * adapter authenticates and reads it (throwing `WebhookRejected`: nothing is recorded), then it is
 * received like any inbound message, the provider's message id as the dedup key.
 */
export async function receiveProviderInbound(
  deps: AppDeps,
  workspaceId: string,
  channel: 'sms' | 'whatsapp',
  request: ProviderRequest,
): Promise<InboundResult> {
  const adapter = await deps.channels.get(workspaceId, channel);
  if (!adapter?.parseInbound)
    throw new AppError('not_found', `no ${channel} provider with inbound messages here`, [
      { path: 'channel', message: 'not configured', hint: 'configure it in /api/channels' },
    ]);
  const inbound = adapter.parseInbound(request);
  return receiveInbound(deps, workspaceId, {
    channel,
    from: inbound.from,
    to: inbound.to,
    body: inbound.body,
    messageId: inbound.providerMessageId ?? undefined,
  });
}
