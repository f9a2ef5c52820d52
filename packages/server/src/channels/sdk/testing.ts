/**
 * An outbox row as the engine writes it, claimed and ready for an adapter (`status: 'sending'`),
 * for adapter tests: every field a plain default, `over` for what a test cares about. Each call
 * gets its own id and idempotency key unless given.
 */
import type { MessageRow } from '../../storage/store.ts';

let sequence = 0;

/** A claimed outbox row of `over.channel` (default `sms`). */
export function outboxRow(over: Partial<MessageRow> = {}): MessageRow {
  sequence += 1;
  const channel = over.channel ?? 'sms';
  return {
    workspaceId: 'default',
    profileId: 'p1',
    id: `01JTESTMESSAGE${String(sequence).padStart(12, '0')}`,
    idempotencyKey: `run1:${channel}:${sequence}`,
    runId: 'run1',
    journeyId: 'j',
    nodeId: channel,
    kind: 'message',
    channel,
    recipient: null,
    template: 't',
    content: {},
    status: 'sending',
    attempts: 0,
    availableAt: 0,
    leaseUntil: null,
    providerMessageId: null,
    error: null,
    createdAt: 0,
    updatedAt: 0,
    sentAt: null,
    ...over,
  };
}
