/**
 * channels/ owns delivery to providers. The adapter contract: `send(message, idempotencyKey)`
 * answers `sent(providerMessageId)`, `retryable(error, retryAfter?)` or `permanent(error)`;
 * retryability is decided where the error is born. Until a provider is configured for a
 * channel, the dev sink takes its messages (they stay visible in the dev outbox).
 */
import type { MessageRow } from '../storage/store.ts';

/** The result of one delivery attempt. */
export type SendResult =
  | { kind: 'sent'; providerMessageId: string }
  | { kind: 'retryable'; error: string; retryAfterMs?: number | undefined }
  | { kind: 'permanent'; error: string };

/** A channel adapter. */
export interface ChannelAdapter {
  /** Name shown in the outbox (`dev`, `smtp`, `twilio`). */
  readonly name: string;
  /**
   * True when sending is only a write to our own store (the dev sink): it then happens inside the
   * claim's transaction, so it is exactly once. External providers are called after the claim
   * commits, and the result is recorded in a second transaction.
   */
  readonly local?: boolean;
  send(message: MessageRow, idempotencyKey: string): Promise<SendResult>;
}

/** Picks the adapter for a message. */
export interface ChannelRegistry {
  for(message: MessageRow): ChannelAdapter;
}

/** The dev sink: accepts everything; the outbox row itself is the captured message. */
export const devSink: ChannelAdapter = {
  name: 'dev',
  local: true,
  send: async (message) => ({ kind: 'sent', providerMessageId: `dev:${message.id}` }),
};

/** A registry with adapters per channel and the dev sink for the rest. */
export function channelRegistry(
  adapters: Partial<Record<string, ChannelAdapter>> = {},
): ChannelRegistry {
  return { for: (m) => adapters[m.channel] ?? devSink };
}
