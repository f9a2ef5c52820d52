/**
 * The lanes of the delivery engine (`delivery.ts`): one per adapter instance, holding the rows
 * claimed for it and counting the ones active (handed to the provider, result not recorded), at
 * most the adapter's `maxConcurrency`, paced by a token bucket at its `maxPerSecond`.
 */
import type { ChannelAdapter, SendResult } from '../channels/sdk/index.ts';
import type { MessageRow } from '../storage/store.ts';
import type { DeliveryOptions } from './delivery-options.ts';

/** A token bucket: `rate` tokens a second, holding at most `burst`. */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #at = performance.now();
  #lastSent = -Infinity;

  constructor(rate: number) {
    this.#rate = rate;
    // A twentieth of a second's worth (at least one): timers cannot space sends finer than ~1 ms.
    this.#burst = Math.max(1, Math.ceil(rate / 20));
    this.#tokens = 1;
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
  }

  /** Takes a token when one is there. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next send may go out (0: now). */
  gap(): number {
    return Math.max(0, Math.ceil(this.#lastSent + 1000 / this.#rate - performance.now()));
  }

  /** Notes that a send went out now. */
  sent(): void {
    this.#lastSent = performance.now();
  }

  /** Milliseconds until the next token. */
  wait(): number {
    this.#refill();
    return Math.max(1, Math.ceil(((1 - this.#tokens) / this.#rate) * 1000));
  }
}

/** The sends of one adapter instance. */
export interface Lane {
  adapter: ChannelAdapter;
  /** Claimed rows not handed to the provider yet. */
  queue: MessageRow[];
  /** Rows being marked, in flight, or with a result not recorded yet: at most `limit`. */
  active: number;
  /** Of `active`, the rows whose result waits to be recorded. */
  finished: number;
  limit: number;
  bucket: TokenBucket | null;
  /** Most rows the lane holds (waiting + active) before handing rows back. */
  cap: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** A row on its way to the provider, with its lane. */
export interface Start {
  row: MessageRow;
  lane: Lane;
}

/** A send's result waiting to be recorded. */
export interface Finished {
  row: MessageRow;
  lane: Lane;
  result: SendResult;
  /** Clock time the result came. */
  at: number;
}

/** A new lane for an adapter, sized by its limits and the engine's. */
export function newLane(
  adapter: ChannelAdapter,
  o: Pick<DeliveryOptions, 'adapterConcurrency' | 'concurrency' | 'laneSeconds' | 'maxQueued'>,
): Lane {
  const limit = Math.max(
    1,
    Math.min(adapter.maxConcurrency ?? o.adapterConcurrency, o.concurrency),
  );
  const rate = adapter.maxPerSecond;
  const paced = rate !== undefined && rate > 0 ? Math.ceil(rate * o.laneSeconds) : null;
  return {
    adapter,
    queue: [],
    active: 0,
    finished: 0,
    limit,
    bucket: rate !== undefined && rate > 0 ? new TokenBucket(rate) : null,
    cap: Math.max(limit, Math.min(o.maxQueued, paced ?? o.maxQueued)),
    timer: null,
  };
}

/** Takes a row out of the lane queue holding it; false when it is in none (it is active). */
export function removeFrom(lanes: ReadonlyMap<ChannelAdapter, Lane>, row: MessageRow): boolean {
  for (const lane of lanes.values()) {
    const i = lane.queue.indexOf(row);
    if (i >= 0) {
      lane.queue.splice(i, 1);
      return true;
    }
  }
  return false;
}

/** Rows waiting in the lanes. */
export function queuedIn(lanes: ReadonlyMap<ChannelAdapter, Lane>): number {
  let n = 0;
  for (const lane of lanes.values()) n += lane.queue.length;
  return n;
}
