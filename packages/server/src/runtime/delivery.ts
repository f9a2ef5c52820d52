/**
 * The delivery engine: hands outbox rows to channel adapters and records what became of them.
 *
 * - Claims due rows in batches (leased; SKIP LOCKED on PostgreSQL). For `message` rows the
 *   delivery policy (consent, suppression, caps, skip conditions) decides first: a skip ends the
 *   row (`skipped`), a delay puts it back to `pending` until the given time, attempts unchanged.
 *   Both are written on the run's history.
 * - Local adapters (the dev sink) send inside the claim's transaction: exactly once.
 * - External rows go to one lane per adapter instance: at most `maxConcurrency` in flight per
 *   adapter, paced by a token bucket at `maxPerSecond`, at most `concurrency` in flight overall.
 *   A slow provider fills only its own lane; a lane holding more than it can send soon hands the
 *   excess back to the outbox, so it never stops claims for the others.
 * - Results are recorded in batched transactions (up to `flushSize` results, at most `flushMs`
 *   after the first one), together with the outcome reported to the row's run (`sent`,
 *   `delivered` for a webhook's 2xx, `failed` for a dead or skipped send).
 * - Retryable results back off exponentially with full jitter (base 1 s, cap 1 h, never sooner
 *   than the provider's retry-after); after `maxAttempts` the row is dead with its last error.
 *   Permanent results are dead at once with their reason.
 * - Leases of rows waiting or in flight are renewed before they run out, and a row whose lease
 *   has run out is never sent (another worker may hold it).
 *
 * The guarantee (docs/operations.md): the one window where a message can go out twice is a crash
 * between a provider accepting it and the commit of the batch recording it; the row is then
 * claimed again after its lease and sent once more with the SAME idempotency key.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { OutcomeFact } from '@waymark/core';
import type {
  ChannelAdapter,
  ChannelRegistry,
  PolicyDecision,
  SendResult,
} from '../channels/channel.ts';
import type { Clock } from '../clock.ts';
import type { MessageRow, MessageRepo, RunTraceRow, Tx } from '../storage/store.ts';
import type { Batch } from './engine.ts';

const ambient = new AsyncLocalStorage<Tx>();

/**
 * The claim transaction under way in this async context, if any. The channel registry reads
 * channel configurations through it (on SQLite a read outside the open transaction would wait
 * for it to end).
 */
export function claimTransaction(): Tx | undefined {
  return ambient.getStore();
}

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
  /** Most sends in flight at once, all providers together. */
  concurrency: number;
  /** Most sends in flight per adapter that declares no `maxConcurrency`. */
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
  /** Record results once this many are waiting… */
  flushSize: number;
  /** …or once the oldest has waited this long (ms). */
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
  flushMs: 25,
  laneSeconds: 10,
  random: Math.random,
};

/** How long a row whose channel cannot be set up (bad stored secret…) is held before retrying. */
const CONFIG_HOLD_MS = 60_000;
/** How long a row handed back by a full lane waits before it can be claimed again. */
const HAND_BACK_MS = 1_000;

/** What the delivery engine needs. */
export interface DeliveryDeps {
  messages: Pick<MessageRepo, 'claim'>;
  clock: Clock;
  channels: ChannelRegistry;
  policy?: DeliveryPolicy | undefined;
  /** One transaction with an engine batch (runs advanced by outcomes are written with it). */
  withBatch<T>(fn: (batch: Batch, tx: Tx, now: number) => Promise<T>): Promise<T>;
  options?: Partial<DeliveryOptions> | undefined;
}

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

/** A token bucket: `rate` tokens a second, holding at most `burst`. */
class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #at = performance.now();

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

  /** Milliseconds until the next token. */
  wait(): number {
    this.#refill();
    return Math.max(1, Math.ceil(((1 - this.#tokens) / this.#rate) * 1000));
  }
}

/** The sends of one adapter instance. */
interface Lane {
  adapter: ChannelAdapter;
  queue: MessageRow[];
  inflight: number;
  limit: number;
  bucket: TokenBucket | null;
  /** Most rows the lane holds (waiting + in flight) before handing rows back. */
  cap: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** A send's result waiting to be recorded. */
interface Finished {
  row: MessageRow;
  result: SendResult;
  /** Clock time the result came. */
  at: number;
}

/** An outcome to report to a run. */
interface RunOutcome {
  row: MessageRow;
  outcome: Omit<OutcomeFact, 'messageKey' | 'nodeId'>;
}

/** Hands outbox rows to channel adapters; see the module header. */
export class Delivery {
  readonly #deps: DeliveryDeps;
  readonly #o: DeliveryOptions;
  readonly #lanes = new Map<ChannelAdapter, Lane>();
  /** Rows waiting in lanes or in flight, by id (lease renewal). */
  readonly #held = new Map<string, MessageRow>();
  #inflight = 0;
  #finished: Finished[] = [];
  #firstFinishedAt = 0;
  #waiters: Array<() => void> = [];
  #settling = false;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
    this.#o = { ...DELIVERY_DEFAULTS, ...deps.options };
  }

  /** Rows waiting in lanes or in flight, and results not recorded yet. */
  get pending(): number {
    return this.#held.size + this.#finished.length;
  }

  /**
   * One round: records finished sends when due, renews leases, claims and dispatches due rows.
   * Returns how much it did; while sends are in flight it waits for results (bounded by
   * `flushMs`) and returns at least 1, so a draining worker goes on until everything is recorded.
   */
  async deliver(): Promise<number> {
    let done = 0;
    if (this.#flushDue()) done += await this.#flush();
    await this.#renewLeases();
    // Refill in chunks of at least a quarter batch: a claim is a committed transaction, and one
    // per freed handful of slots would cost more than the sends it feeds.
    const room = Math.min(this.#o.batchSize, this.#o.maxQueued - this.#held.size);
    const chunk = Math.ceil(Math.min(this.#o.batchSize, this.#o.maxQueued) / 4);
    if (room >= chunk && !this.#settling) done += await this.#claim(room);
    if (done === 0 && this.pending > 0) {
      await this.#waitForFlush();
      done += await this.#flush();
      return Math.max(done, 1);
    }
    return done;
  }

  /**
   * Stops taking work: hands rows still waiting in lanes back to the outbox, waits for the sends
   * in flight and records every result (graceful shutdown).
   */
  async settle(): Promise<void> {
    this.#settling = true;
    try {
      const waiting: MessageRow[] = [];
      for (const lane of this.#lanes.values()) {
        if (lane.timer) clearTimeout(lane.timer);
        lane.timer = null;
        waiting.push(...lane.queue.splice(0));
      }
      for (const row of waiting) this.#held.delete(row.id);
      if (waiting.length)
        await this.#deps.withBatch(async (_batch, tx, now) => {
          for (const row of waiting) await handBack(tx, row, now);
        });
      while (this.#inflight > 0) await this.#nextResult();
      if (this.#finished.length) await this.#flush();
    } finally {
      this.#settling = false;
    }
  }

  #flushDue(): boolean {
    if (this.#finished.length === 0) return false;
    return (
      this.#finished.length >= this.#o.flushSize ||
      performance.now() - this.#firstFinishedAt >= this.#o.flushMs ||
      this.#held.size <= this.#finished.length
    );
  }

  /**
   * Waits until results are due for recording, at most `flushMs` (a slow provider must not hold
   * the worker's other phases).
   */
  async #waitForFlush(): Promise<void> {
    const deadline = performance.now() + Math.max(this.#o.flushMs, 5);
    while (!this.#flushDue() && this.#held.size > this.#finished.length) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await this.#nextResult(left);
    }
  }

  /** Resolves at the next finished send, or after `timeoutMs`. */
  #nextResult(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? null : setTimeout(done, timeoutMs);
      const waiter = (): void => done();
      function done(): void {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(waiter);
    });
  }

  /**
   * Claims due rows and, in the same transaction, applies the policy, sends to local adapters
   * (the dev sink's "send" is this commit: exactly once), holds rows whose channel is unusable and
   * hands back what a full lane cannot take. External sends start after the commit. The registry
   * is asked inside the transaction: `claimTransaction()` lets it read the store through it.
   */
  async #claim(limit: number): Promise<number> {
    const { policy, channels } = this.#deps;
    const out: Array<{ row: MessageRow; adapter: ChannelAdapter }> = [];
    const count = await this.#deps.withBatch((batch, tx, now) =>
      ambient.run(tx, async () => {
        const rows = await tx.messages.claim(now, limit, this.#o.leaseMs);
        if (policy?.prepare && rows.length > 0) await policy.prepare(tx, rows);
        const outcomes: RunOutcome[] = [];
        /** Rows the local adapter (dev sink) delivered in this transaction. */
        const local: MessageRow[] = [];
        const traces: RunTraceRow[] = [];
        const counts = new Map<ChannelAdapter, number>();
        for (const row of rows) {
          if (row.kind === 'message' && policy) {
            const decision = await policy(tx, row, now);
            if (decision.kind !== 'send') {
              await this.#decide(tx, { row, decision, now, outcomes, traces });
              continue;
            }
          }
          let adapter: ChannelAdapter;
          try {
            adapter = await channels.for(row);
          } catch (err) {
            // A channel that cannot be set up (a stored secret the key cannot decrypt, bad
            // settings) holds its rows, attempts unchanged, until an operator fixes it.
            await tx.messages.update(row.workspaceId, row.id, {
              status: 'pending',
              leaseUntil: null,
              availableAt: now + CONFIG_HOLD_MS,
              error: `channel ${row.channel} is not usable: ${errorText(err)}`,
              updatedAt: now,
            });
            continue;
          }
          if (adapter.local) {
            const result = await sendSafely(adapter, row);
            const recorded = this.#record({ row, result, at: now });
            local.push(recorded.row);
            outcomes.push(...recorded.outcomes);
            continue;
          }
          const lane = this.#lane(adapter);
          const held = lane.queue.length + lane.inflight + (counts.get(adapter) ?? 0);
          if (held >= lane.cap) {
            await handBack(tx, row, now);
            continue;
          }
          counts.set(adapter, (counts.get(adapter) ?? 0) + 1);
          out.push({ row, adapter });
        }
        if (local.length) await tx.messages.recordResults(local);
        if (traces.length) await tx.runs.appendTrace(traces);
        await reportOutcomes(batch, tx, outcomes);
        return rows.length;
      }),
    );
    // Providers are called only once the claim has committed.
    for (const { row, adapter } of out) {
      this.#held.set(row.id, row);
      this.#lane(adapter).queue.push(row);
    }
    if (out.length) this.#pump();
    return count;
  }

  /** Records a policy's skip or delay on the row and on the run's history. */
  async #decide(
    tx: Tx,
    a: {
      row: MessageRow;
      decision: Exclude<PolicyDecision, { kind: 'send' }>;
      now: number;
      outcomes: RunOutcome[];
      traces: RunTraceRow[];
    },
  ): Promise<void> {
    const { row, decision, now } = a;
    if (decision.kind === 'skip') {
      await tx.messages.update(row.workspaceId, row.id, {
        status: 'skipped',
        leaseUntil: null,
        error: decision.reason,
        updatedAt: now,
      });
      // A skipped send is reported to the run as `failed` (data.skipped), so a run waiting on
      // its outcome moves on at once instead of at its timeout.
      a.outcomes.push({
        row,
        outcome: {
          type: 'failed',
          at: now,
          data: { skipped: true, reason: decision.reason },
        },
      });
    } else {
      await tx.messages.update(row.workspaceId, row.id, {
        status: 'pending',
        leaseUntil: null,
        availableAt: decision.until,
        error: decision.reason,
        updatedAt: now,
      });
    }
    if (row.runId) {
      const what = `${row.channel} to ${row.recipient ?? '?'}`;
      a.traces.push({
        workspaceId: row.workspaceId,
        profileId: row.profileId,
        runId: row.runId,
        at: now,
        node: row.nodeId,
        what: decision.kind === 'skip' ? 'skipped' : 'waiting',
        detail:
          decision.kind === 'skip'
            ? `${what} not sent: ${decision.reason}`
            : `${what} held until ${new Date(decision.until).toISOString()}: ${decision.reason}`,
      });
    }
  }

  #lane(adapter: ChannelAdapter): Lane {
    let lane = this.#lanes.get(adapter);
    if (!lane) {
      const limit = Math.max(
        1,
        Math.min(adapter.maxConcurrency ?? this.#o.adapterConcurrency, this.#o.concurrency),
      );
      const rate = adapter.maxPerSecond;
      const paced = rate !== undefined && rate > 0 ? Math.ceil(rate * this.#o.laneSeconds) : null;
      lane = {
        adapter,
        queue: [],
        inflight: 0,
        limit,
        bucket: rate !== undefined && rate > 0 ? new TokenBucket(rate) : null,
        cap: Math.max(limit, Math.min(this.#o.maxQueued, paced ?? this.#o.maxQueued)),
        timer: null,
      };
      this.#lanes.set(adapter, lane);
    }
    return lane;
  }

  /** Starts every send the limits allow now; schedules itself when a bucket is empty. */
  #pump(): void {
    for (const lane of this.#lanes.values()) {
      while (
        lane.queue.length > 0 &&
        lane.inflight < lane.limit &&
        this.#inflight < this.#o.concurrency
      ) {
        if (lane.bucket && !lane.bucket.take()) {
          if (!lane.timer)
            lane.timer = setTimeout(() => {
              lane.timer = null;
              this.#pump();
            }, lane.bucket.wait());
          break;
        }
        const row = lane.queue.shift()!;
        if (row.leaseUntil !== null && row.leaseUntil <= this.#deps.clock.now()) {
          // The claim ran out (the clock jumped, renewal failed): another worker may hold the
          // row now, so it is not sent from here.
          this.#held.delete(row.id);
          continue;
        }
        lane.inflight += 1;
        this.#inflight += 1;
        void sendSafely(lane.adapter, row).then((result) => {
          lane.inflight -= 1;
          this.#inflight -= 1;
          if (this.#finished.length === 0) this.#firstFinishedAt = performance.now();
          this.#finished.push({ row, result, at: this.#deps.clock.now() });
          const waiters = this.#waiters;
          this.#waiters = [];
          for (const w of waiters) w();
          this.#pump();
        });
      }
    }
  }

  /** Records finished sends and their run outcomes in one transaction. */
  async #flush(): Promise<number> {
    const finished = this.#finished;
    if (finished.length === 0) return 0;
    this.#finished = [];
    try {
      await this.#deps.withBatch(async (batch, tx) => {
        const outcomes: RunOutcome[] = [];
        const rows: MessageRow[] = [];
        const contentChanged = new Set<string>();
        for (const f of finished) {
          const recorded = this.#record(f);
          rows.push(recorded.row);
          if (recorded.row.content !== f.row.content) contentChanged.add(f.row.id);
          outcomes.push(...recorded.outcomes);
        }
        // One statement for the whole batch of results, not one per message.
        await tx.messages.recordResults(rows, contentChanged);
        await reportOutcomes(batch, tx, outcomes);
      });
    } catch (err) {
      // Nothing was recorded: keep the results for the next round.
      this.#finished = [...finished, ...this.#finished];
      throw err;
    }
    for (const f of finished) this.#held.delete(f.row.id);
    return finished.length;
  }

  /** A send's result as its row will be written, and the outcomes to report to the run. */
  #record(f: Finished): { row: MessageRow; outcomes: RunOutcome[] } {
    const { row, result, at } = f;
    const attempts = row.attempts + 1;
    const done = { ...row, attempts, leaseUntil: null, updatedAt: at };
    switch (result.kind) {
      case 'sent': {
        const delivered = row.kind === 'webhook';
        // The number a message went out from (SMS, WhatsApp, voice) is kept on it: a reply is
        // matched to the message sent from the number the customer wrote to (app/inbound.ts).
        const from = result.data?.from;
        const outcomes: RunOutcome[] = [{ row, outcome: { type: 'sent', at, data: result.data } }];
        if (delivered)
          outcomes.push({ row, outcome: { type: 'delivered', at, data: result.data } });
        return {
          row: {
            ...done,
            status: delivered ? 'delivered' : 'sent',
            providerMessageId: result.providerMessageId,
            error: null,
            sentAt: at,
            ...(typeof from === 'string' && from && row.kind === 'message'
              ? { content: { ...row.content, from } }
              : {}),
          },
          outcomes,
        };
      }
      case 'retryable': {
        if (attempts >= this.#o.maxAttempts) {
          const error = `gave up after ${attempts} attempts: ${result.error}`;
          return {
            row: { ...done, status: 'dead', error },
            outcomes: [{ row, outcome: { type: 'failed', at, data: { error } } }],
          };
        }
        return {
          row: {
            ...done,
            status: 'pending',
            availableAt:
              at + backoffDelay(attempts, { ...this.#o, retryAfterMs: result.retryAfterMs }),
            error: result.error,
          },
          outcomes: [],
        };
      }
      case 'permanent':
        return {
          row: { ...done, status: 'dead', error: result.error },
          outcomes: [
            {
              row,
              outcome: { type: 'failed', at, data: { error: result.error, ...result.data } },
            },
          ],
        };
    }
  }

  /** Renews the leases of held rows whose lease is past half its length. */
  async #renewLeases(): Promise<void> {
    const now = this.#deps.clock.now();
    const due = [...this.#held.values()].filter(
      (r) => r.leaseUntil !== null && r.leaseUntil - now < this.#o.leaseMs / 2,
    );
    if (due.length === 0) return;
    const until = now + this.#o.leaseMs;
    await this.#deps.withBatch(async (_batch, tx) => {
      for (const r of due)
        await tx.messages.update(r.workspaceId, r.id, {
          leaseUntil: until,
          availableAt: until,
          updatedAt: now,
        });
    });
    for (const r of due) r.leaseUntil = until;
  }
}

/** Calls the adapter; a throw is a retryable failure (its message is kept). */
async function sendSafely(adapter: ChannelAdapter, row: MessageRow): Promise<SendResult> {
  try {
    return await adapter.send(row, row.idempotencyKey);
  } catch (err) {
    return { kind: 'retryable', error: `${adapter.name}: ${errorText(err)}` };
  }
}

/** Puts a claimed row back to `pending` unsent, attempts unchanged. */
async function handBack(tx: Tx, row: MessageRow, now: number): Promise<void> {
  await tx.messages.update(row.workspaceId, row.id, {
    status: 'pending',
    leaseUntil: null,
    availableAt: now + HAND_BACK_MS,
    updatedAt: now,
  });
}

/** Advances the runs of the rows with their outcomes (ended runs are left as they are). */
async function reportOutcomes(batch: Batch, tx: Tx, outcomes: RunOutcome[]): Promise<void> {
  const withRun = outcomes.filter((o) => o.row.runId !== null && o.row.nodeId !== null);
  if (withRun.length === 0) return;
  const byWorkspace = new Map<string, RunOutcome[]>();
  for (const o of withRun) {
    const list = byWorkspace.get(o.row.workspaceId) ?? [];
    list.push(o);
    byWorkspace.set(o.row.workspaceId, list);
  }
  for (const [ws, list] of byWorkspace) {
    const runs = await tx.runs.lock(ws, [...new Set(list.map((o) => o.row.runId!))]);
    const live = new Map(
      runs.filter((r) => r.status === 'active' || r.status === 'waiting').map((r) => [r.id, r]),
    );
    if (live.size === 0) continue;
    await batch.preloadProfiles(
      ws,
      [...live.values()].map((r) => r.profileId),
    );
    for (const o of list) {
      const run = live.get(o.row.runId!);
      if (!run) continue;
      const next = await batch.advance(run, {
        kind: 'outcome',
        outcome: { ...o.outcome, messageKey: o.row.idempotencyKey, nodeId: o.row.nodeId! },
      });
      if (next.status === 'active' || next.status === 'waiting') live.set(run.id, next);
      else live.delete(run.id);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
