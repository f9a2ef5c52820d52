/**
 * Inbound messages (an SMS to a virtual number, a reply): stored as an `inbound` event of the
 * profile that owns the sender's number, creating that profile when the number is new. The worker
 * then applies it like any event: inbound-keyword triggers start runs, waiting runs see it.
 * SMS consent keywords (STOP, START, HELP: `consent.ts`) change consent or answer instead.
 * Provider webhooks (Twilio's inbound format) call this.
 */
import { AppError } from '../errors.ts';
import { newId, partitionOf } from '../ids.ts';
import { applySmsKeyword, DEFAULT_SMS_HELP_TEXT, smsKeyword, type SmsKeyword } from './consent.ts';
import type { AppDeps } from './deps.ts';
import { EVENT_PARTITIONS } from './ingest.ts';

/** An inbound message as a provider reports it. */
export interface InboundMessage {
  channel: 'sms' | 'whatsapp' | 'email';
  /** Sender: a phone number (E.164) or an email address. */
  from: string;
  /** The number or address written to. */
  to: string;
  body: string;
  /** The provider's message id, used to store a retried webhook once. */
  messageId?: string | undefined;
}

/** Stores an inbound message as an event; returns the profile it was matched to. */
export async function receiveInbound(
  deps: AppDeps,
  workspaceId: string,
  m: InboundMessage,
): Promise<{ profileId: string; duplicate: boolean; keyword: SmsKeyword | null }> {
  const from = m.from.trim();
  if (!from)
    throw new AppError('invalid_input', 'from: the sender is required', [
      { path: 'from', message: 'required' },
    ]);
  const kind = m.channel === 'email' ? 'email' : 'phone';
  const value = kind === 'email' ? from.toLowerCase() : from.replace(/[\s()-]/g, '');
  const now = deps.clock.now();
  const result = await deps.store.transaction(async (tx) => {
    let profileId = (await tx.profiles.resolve(workspaceId, [{ kind, value }])).get(
      `${kind}:${value}`,
    );
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
    const properties = { channel: m.channel, from: value, to: m.to, body: m.body };
    // A keyword (STOP, START, HELP) is stored as an `sms_<keyword>` event: it never starts an
    // inbound-keyword journey nor answers a waiting run; YES is also an ordinary answer.
    const match = m.channel === 'sms' ? smsKeyword(m.body) : null;
    const asKeyword = match !== null && !match.alsoReply;
    const inserted = await tx.events.insert([
      {
        workspaceId,
        profileId,
        messageId,
        type: asKeyword ? 'track' : 'inbound',
        name: asKeyword ? `sms_${match.keyword}` : 'message_received',
        properties: asKeyword ? { ...properties, keyword: match.keyword } : properties,
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
    return { profileId, duplicate, keyword };
  });
  if (!result.duplicate) deps.notify('events');
  if (result.keyword === 'help') deps.notify('outbox');
  return result;
}
