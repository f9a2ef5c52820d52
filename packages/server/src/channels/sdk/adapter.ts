/**
 * The adapter contract: `send(message, idempotencyKey)` answers `sent(providerMessageId)`,
 * `retryable(error, retryAfter?)` or `permanent(error)`; retryability is decided where the error
 * is born. Webhooks a provider receives are authenticated and normalised by its adapter
 * (`parseWebhook`, `parseInbound`) before anything is recorded.
 */
import type { MessageOutcomeType } from '@waymark/core';
import type { MessageRow } from '../../storage/store.ts';

/** The result of one delivery attempt. */
export type SendResult =
  | {
      kind: 'sent';
      providerMessageId: string;
      /** What the provider answered worth branching on (a webhook's status and JSON body). */
      data?: Record<string, unknown> | undefined;
    }
  | { kind: 'retryable'; error: string; retryAfterMs?: number | undefined }
  | { kind: 'permanent'; error: string; data?: Record<string, unknown> | undefined };

/** An HTTP request from a provider (status callback, bounce, inbound message), as received. */
export interface ProviderRequest {
  method: string;
  /** The full public URL the provider called (signatures cover it), query string included. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, exactly as received (signatures cover it). */
  rawBody: Buffer;
}

/** An outcome a provider reported, normalised; it reaches the run through the message row. */
export interface ProviderOutcome {
  /** Our message id when the provider echoes it (callback URL, header), else null. */
  messageId: string | null;
  /** The provider's id for the message, as returned by `send`. */
  providerMessageId: string | null;
  type: MessageOutcomeType;
  /** When it happened (epoch ms). */
  at: number;
  /** Provider detail worth keeping (status, error code, bounce diagnostic, duration). */
  data?: Record<string, unknown>;
}

/** An inbound message (an SMS reply) a provider posted, authenticated and normalised. */
export interface ProviderInbound {
  /** The sender's number or address, without a provider prefix (`whatsapp:`). */
  from: string;
  /** The number or address written to. */
  to: string;
  body: string;
  /** The provider's id of the message (Twilio's MessageSid): a retried webhook carries it again. */
  providerMessageId: string | null;
  /** URLs of attached media (MMS), if any. */
  media: string[];
}

/** What a channel does with a message left ambiguous by a crash (see `ChannelAdapter`). */
export type AfterCrash = 'resend' | 'hold';

/** A channel adapter. */
export interface ChannelAdapter {
  /** Name shown in the outbox (`dev`, `smtp`, `twilio`). */
  readonly name: string;
  /** Most sends per second this provider accepts (the delivery engine paces to it). */
  readonly maxPerSecond?: number;
  /** Most sends in flight at once to this provider. */
  readonly maxConcurrency?: number;
  /**
   * True when sending is only a write to our own store (the dev sink): it then happens inside the
   * claim's transaction, so it is exactly once. External providers are called after the claim
   * commits, and the result is recorded in a second transaction.
   */
  readonly local?: boolean;
  /**
   * What becomes of a message whose sender died while this provider had it (handed over, answer
   * not recorded: it may or may not have gone out): `resend` it with the same idempotency key (at
   * least once; right for providers that drop a repeated key), or `hold` it as `unknown` (at most
   * once; the default).
   */
  readonly afterCrash?: AfterCrash;
  send(message: MessageRow, idempotencyKey: string): Promise<SendResult>;
  /**
   * Parses and authenticates a provider webhook into outcomes; throws `WebhookRejected` when the
   * signature is missing or wrong (nothing is recorded then).
   */
  parseWebhook?(request: ProviderRequest): ProviderOutcome[];
  /**
   * Parses and authenticates a provider's inbound-message webhook (a customer's SMS); throws
   * `WebhookRejected` when the signature is missing or wrong, or the message has no sender.
   */
  parseInbound?(request: ProviderRequest): ProviderInbound;
  /** Releases pooled connections. */
  close?(): Promise<void>;
}

/** A provider request that failed authentication or parsing; answered with `status`. */
export class WebhookRejected extends Error {
  readonly status: number;
  constructor(message: string, status = 403) {
    super(message);
    this.name = 'WebhookRejected';
    this.status = status;
  }
}

/**
 * What delivery policies (consent, suppression, frequency caps, the send's skip condition) decide
 * for a message just before it goes out: send it, skip it for good, or hold it until a time.
 * The reason is recorded on the message and the run.
 */
export type PolicyDecision =
  | { kind: 'send' }
  | { kind: 'skip'; reason: string }
  | { kind: 'delay'; until: number; reason: string };
