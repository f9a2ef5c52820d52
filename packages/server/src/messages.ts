/**
 * New outbox rows: every message starts pending, unsent and unclaimed, with a fresh id; callers
 * give what is theirs (workspace, profile, key, kind, channel, recipient, content, run, node).
 * The engine, staff escalations, SMS keyword replies and channel test sends all start here.
 */
import { newId } from './ids.ts';
import type { MessageRow } from './storage/store.ts';

/** What a caller must give; every other field may be given too. */
type Required = Pick<
  MessageRow,
  'workspaceId' | 'profileId' | 'idempotencyKey' | 'kind' | 'channel'
>;

/** A new outbox row, due at `at`. */
export function newMessage(at: number, m: Required & Partial<MessageRow>): MessageRow {
  return {
    id: newId(at),
    runId: null,
    journeyId: null,
    nodeId: null,
    recipient: null,
    template: null,
    content: {},
    status: 'pending',
    attempts: 0,
    availableAt: at,
    leaseUntil: null,
    providerMessageId: null,
    error: null,
    createdAt: at,
    updatedAt: at,
    sentAt: null,
    ...m,
  };
}
