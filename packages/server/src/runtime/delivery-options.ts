/**
 * The delivery engine's tunables and the policy it asks before a message goes out
 * (`delivery.ts` runs the machine; `policies.ts` makes the policy).
 */
import type { PolicyDecision } from '../channels/sdk/index.ts';
import type { MessageRow, Tx } from '../storage/store.ts';

/**
 * Decides, just before a `message` row goes out, whether to send, skip or hold it. `prepare`, when
 * given, is called once per claim with all its rows first, so the policy can read what it needs
 * for the batch in a few queries instead of a few per message.
 */
export type DeliveryPolicy = ((
  tx: Tx,
  message: MessageRow,
  now: number,
) => Promise<PolicyDecision>) & {
  prepare?: (tx: Tx, rows: readonly MessageRow[]) => Promise<void>;
};

/** Tunables of the delivery engine. */
export interface DeliveryOptions {
  /** Most rows active at once (handed to a provider, result not recorded), all providers. */
  concurrency: number;
  /** Most rows active per adapter that declares no `maxConcurrency`. */
  adapterConcurrency: number;
  /** Rows claimed per claim. */
  batchSize: number;
  /** Rows held in memory at once (waiting in lanes or in flight). */
  maxQueued: number;
  /** Attempts before a retryable failure becomes `dead`. */
  maxAttempts: number;
  /** First retry delay ceiling; doubles per attempt. */
  baseDelayMs: number;
  /** Largest retry delay. */
  maxDelayMs: number;
  /** How long a claim holds a row; renewed while the row waits or is in flight. */
  leaseMs: number;
  /** Most results one commit records. */
  flushSize: number;
  /**
   * How long a result may wait for others to be committed with it (ms); less when half of a full
   * lane's slots wait on their record.
   */
  flushMs: number;
  /** Seconds of sends at an adapter's `maxPerSecond` its lane may hold before handing rows back. */
  laneSeconds: number;
  /** Random numbers in [0, 1) for the jitter (tests pin it). */
  random: () => number;
}

/** Defaults of the delivery engine. */
export const DELIVERY_DEFAULTS: DeliveryOptions = {
  concurrency: 64,
  adapterConcurrency: 16,
  batchSize: 500,
  maxQueued: 2_000,
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 3_600_000,
  leaseMs: 60_000,
  flushSize: 500,
  flushMs: 10,
  laneSeconds: 10,
  random: Math.random,
};

/**
 * The retry delay after `attempts` failed attempts: full jitter over an exponential ceiling
 * (`random × min(cap, base × 2^(attempts−1))`), never less than the provider's retry-after.
 */
export function backoffDelay(
  attempts: number,
  o: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'> & { retryAfterMs?: number },
): number {
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.max(o.retryAfterMs ?? 0, Math.floor(o.random() * ceiling));
}
