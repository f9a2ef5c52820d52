/**
 * Inbound messages (an SMS to a virtual number, a reply): stored as an `inbound` event of the
 * profile that owns the sender's number, creating that profile when the number is new. The worker
 * then applies it like any event: inbound-keyword triggers start runs, waiting runs see it.
 * Provider webhooks (Twilio's inbound format) call this.
 */
import { AppError } from '../errors.ts';
import { newId, partitionOf } from '../ids.ts';
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
): Promise<{ profileId: string; duplicate: boolean }> {
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
    const inserted = await tx.events.insert([
      {
        workspaceId,
        profileId,
        messageId: m.messageId ?? newId(now),
        type: 'inbound',
        name: 'message_received',
        properties: { channel: m.channel, from: value, to: m.to, body: m.body },
        context: {},
        timestamp: now,
        receivedAt: now,
        partition: partitionOf(profileId, EVENT_PARTITIONS),
      },
    ]);
    return { profileId, duplicate: inserted.length === 0 };
  });
  if (!result.duplicate) deps.notify('events');
  return result;
}
