/**
 * The delivery engine: hands outbox rows to channel adapters and records what became of them.
 *
 * - Claims due rows in batches (leased; SKIP LOCKED on PostgreSQL). For `message` rows the
 *   delivery policy (consent, suppression, caps, skip conditions) decides first: a skip ends the
 *   row (`skipped`), a delay puts it back to `pending` until the given time, attempts unchanged.
 *   Both are written on the run's history.
 * - Local adapters (the dev sink) send inside the claim's transaction: exactly once.
 * - External rows go to one lane per adapter instance: at most `maxConcurrency` rows *active* per
 *   adapter (handed to the provider and not yet recorded), paced by a token bucket at
 *   `maxPerSecond`, at most `concurrency` active overall. A slow provider fills only its own lane;
 *   a lane holding more than it can send soon hands the excess back to the outbox, so it never
 *   stops claims for the others.
 * - One commit loop, beside the worker's rounds, writes everything about sends in flight in one
 *   transaction at a time (group commit): the results that came since the last commit (with the
 *   outcome reported to each row's run), the rows about to be handed to their provider
 *   (`attempt_at`, one statement for the group) and lease renewals. Sends start only after the
 *   commit that marks them, and a lane's slot is free again only once its result is committed,
 *   so the rows a crash leaves ambiguous — marked, not recorded — are never more than the
 *   adapter's `maxConcurrency`. A result waits at most `flushMs` for company — less when half
 *   of a full lane's slots wait on their record, or when nothing else is in flight.
 * - A row claimed with `attempt_at` set is one whose sender died while the provider had it. The
 *   adapter's `afterCrash` decides: `resend` it with the same idempotency key (at least once, for
 *   providers that drop a repeated key), or `hold` it as `unknown` (at most once; the default),
 *   written on the run's history and counted by the reports.
 * - Retryable results back off exponentially with full jitter (base 1 s, cap 1 h, never sooner
 *   than the provider's retry-after); after `maxAttempts` the row is dead with its last error.
 *   Permanent results are dead at once with their reason.
 * - Leases are renewed before they run out, each row matched by the lease this worker holds (a
 *   row another worker claimed since is left to it), and a row whose lease has run out is never
 *   sent from here. A row claimed again while this worker still holds it (a clock that jumped) is
 *   kept once.
 *
 * The guarantee is in docs/operations.md ("What is guaranteed").
 */
import type { ChannelAdapter, ChannelRegistry } from '../channels/sdk/index.ts';
import type { Clock } from '../clock.ts';
import { heldKey, type MessageRow, type MessageRepo, type Tx } from '../storage/store.ts';
import {
  newLane,
  queuedIn,
  removeFrom,
  type Finished,
  type Lane,
  type Start,
} from './delivery-lanes.ts';
import {
  DELIVERY_DEFAULTS,
  type DeliveryOptions,
  type DeliveryPolicy,
} from './delivery-options.ts';
import { dispatchClaimed, type ForLane } from './delivery-claim.ts';
import {
  handBack,
  recordResult,
  reportOutcomes,
  sendSafely,
  type RunOutcome,
} from './delivery-records.ts';
import type { Batch } from './engine.ts';

// The machine's options and policy are part of its interface: callers import them from here.
export {
  backoffDelay,
  DELIVERY_DEFAULTS,
  type DeliveryOptions,
  type DeliveryPolicy,
} from './delivery-options.ts';

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

/** Hands outbox rows to channel adapters; see the module header. */
export class Delivery {
  readonly #deps: DeliveryDeps;
  readonly #o: DeliveryOptions;
  readonly #lanes = new Map<ChannelAdapter, Lane>();
  /** Rows waiting in lanes or active, by `heldKey` (lease renewal, claims seen twice). */
  readonly #held = new Map<string, MessageRow>();
  /** Rows active over all lanes. */
  #active = 0;
  #finished: Finished[] = [];
  /** performance.now() of the oldest result waiting. */
  #firstFinishedAt = 0;
  /** The commit loop under way, if any; `#again` asks it for one more pass. */
  #committing: Promise<void> | null = null;
  #again = false;
  /** The next pass commits whatever waits (new rows, a timer, a settle). */
  #force = false;
  #lingerTimer: ReturnType<typeof setTimeout> | null = null;
  /** Held rows whose lease is due for renewal; the commit loop renews them. */
  #renew: MessageRow[] = [];
  /** The error of the last failed commit, reported by the next `deliver()`. */
  #failure: unknown = null;
  /** Results recorded since `deliver()` last returned. */
  #recorded = 0;
  /** Called after each commit (or failed commit). */
  #waiters: Array<() => void> = [];
  #settling = false;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
    this.#o = { ...DELIVERY_DEFAULTS, ...deps.options };
  }

  /** Rows waiting in lanes or active, and results not recorded yet. */
  get pending(): number {
    return this.#held.size;
  }

  /**
   * One round: renews leases, claims and dispatches due rows. Returns how much it did; while rows
   * are held it waits for the next commit (at most `flushMs`) and returns at least 1, so a
   * draining worker goes on until everything is recorded. A commit that failed since the last
   * round is thrown here (its work is kept and tried again).
   */
  async deliver(): Promise<number> {
    // After a failed commit its work waits here; an idle worker starts no pass for nothing.
    if (this.#finished.length > 0 || queuedIn(this.#lanes) > 0) this.#kick();
    if (this.#failure !== null) {
      const err = this.#failure;
      this.#failure = null;
      throw err;
    }
    this.#dueLeases();
    // Refill in chunks of at least a quarter batch: a claim is a committed transaction, and one
    // per freed handful of slots would cost more than the sends it feeds.
    const room = Math.min(this.#o.batchSize, this.#o.maxQueued - this.#held.size);
    const chunk = Math.ceil(Math.min(this.#o.batchSize, this.#o.maxQueued) / 4);
    let done = 0;
    if (room >= chunk && !this.#settling) done += await this.#claim(room);
    done += this.#takeRecorded();
    if (done === 0 && this.pending > 0) {
      await this.#nextCommit(Math.max(this.#o.flushMs, 5));
      return Math.max(this.#takeRecorded(), 1);
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
      for (const row of waiting) this.#held.delete(heldKey(row.workspaceId, row.id));
      if (waiting.length)
        await this.#deps.withBatch(async (_batch, tx, now) => {
          for (const row of waiting) await handBack(tx, row, now);
        });
      while (this.#active > 0) {
        const commit = this.#nextCommit();
        this.#kick(true);
        await commit;
        if (this.#failure !== null) {
          const err = this.#failure;
          this.#failure = null;
          throw err;
        }
      }
    } finally {
      this.#settling = false;
    }
  }

  #takeRecorded(): number {
    const n = this.#recorded;
    this.#recorded = 0;
    return n;
  }

  /** Resolves after the next commit (or failed commit), or after `timeoutMs`. */
  #nextCommit(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? null : setTimeout(done, timeoutMs);
      function done(): void {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  /** Notes the held rows whose lease is past half its length, for the commit loop to renew. */
  #dueLeases(): void {
    const now = this.#deps.clock.now();
    const due = [...this.#held.values()].filter(
      (r) => r.leaseUntil !== null && r.leaseUntil - now < this.#o.leaseMs / 2,
    );
    if (due.length === 0) return;
    this.#renew = due;
    this.#kick(true);
  }

  /**
   * Claims due rows and, in the same transaction, applies the policy, sends to local adapters
   * (the dev sink's "send" is this commit: exactly once), holds rows whose channel is unusable,
   * holds or resends rows a dead sender left ambiguous, and hands back what a full lane cannot
   * take. External sends start after the commit, once the commit loop has marked them. The
   * registry is asked inside the transaction and reads channel configurations through it (on
   * SQLite a read outside the open transaction would wait for it to end).
   */
  async #claim(limit: number): Promise<number> {
    const { policy, channels } = this.#deps;
    const out: ForLane[] = [];
    const count = await this.#deps.withBatch(async (batch, tx, now) => {
      const claimed = await tx.messages.claim(now, limit, this.#o.leaseMs);
      // A row this worker still holds (its lease ran out under a clock that jumped) is kept
      // once: the copy held goes on, under the new lease.
      const rows: MessageRow[] = [];
      for (const row of claimed) {
        const mine = this.#held.get(heldKey(row.workspaceId, row.id));
        if (mine) mine.leaseUntil = row.leaseUntil;
        else rows.push(row);
      }
      out.push(
        ...(await dispatchClaimed({
          batch,
          tx,
          now,
          rows,
          policy,
          channels,
          options: this.#o,
          lane: (adapter) => this.#lane(adapter),
        })),
      );
      return claimed.length;
    });
    for (const { row, adapter } of out) {
      this.#held.set(heldKey(row.workspaceId, row.id), row);
      this.#lane(adapter).queue.push(row);
    }
    if (out.length) this.#kick(true);
    return count;
  }

  #lane(adapter: ChannelAdapter): Lane {
    let lane = this.#lanes.get(adapter);
    if (!lane) {
      lane = newLane(adapter, this.#o);
      this.#lanes.set(adapter, lane);
    }
    return lane;
  }

  /**
   * Runs the commit loop unless it runs already (then it makes one more pass). With `force`, the
   * next pass commits whatever waits; otherwise results and rows to start may wait up to
   * `flushMs` for company.
   */
  #kick(force = false): void {
    if (force) {
      this.#force = true;
      if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
      this.#lingerTimer = null;
    }
    if (this.#committing) {
      this.#again = true;
      return;
    }
    this.#committing = this.#commitLoop().finally(() => {
      this.#committing = null;
    });
  }

  /** Commits until nothing is due now; leaves a timer for what may wait. */
  async #commitLoop(): Promise<void> {
    for (;;) {
      this.#again = false;
      const force = this.#force;
      this.#force = false;
      const renew = this.#renew;
      this.#renew = [];
      if (!force && renew.length === 0 && !this.#resultsDue() && !this.#startsDue()) {
        if (this.#finished.length > 0 || queuedIn(this.#lanes) > 0) this.#linger();
        if (this.#again) continue;
        return;
      }
      const finished = this.#finished.splice(0, this.#o.flushSize);
      this.#firstFinishedAt = performance.now();
      // The slots these results hold are free once this commit records them: the rows marked in
      // the same commit take them, so marked-and-unrecorded never exceeds a lane's limit.
      const credit = new Map<Lane, number>();
      for (const f of finished) credit.set(f.lane, (credit.get(f.lane) ?? 0) + 1);
      const starts = this.#settling ? [] : this.#takeStarts(credit, finished.length);
      if (finished.length === 0 && starts.length === 0 && renew.length === 0) {
        if (this.#again) continue;
        return;
      }
      try {
        await this.#commit({ finished, starts, renew });
      } catch (err) {
        // Nothing was written: the results wait for the next pass, the rows to start go back to
        // the front of their lanes unsent, the renewals are asked again by the next round.
        this.#finished = [...finished, ...this.#finished];
        for (const st of starts.reverse()) {
          st.lane.queue.unshift(st.row);
          st.lane.active -= 1;
          this.#active -= 1;
        }
        this.#failure = err;
        this.#notify();
        return;
      }
      this.#notify();
    }
  }

  /** Sets the timer that commits what waited `flushMs`. */
  #linger(): void {
    if (this.#lingerTimer) return;
    const waited = this.#finished.length ? performance.now() - this.#firstFinishedAt : 0;
    this.#lingerTimer = setTimeout(
      () => {
        this.#lingerTimer = null;
        this.#kick(true);
      },
      Math.max(1, this.#o.flushMs - waited),
    );
  }

  /**
   * Whether the results waiting are due: enough of them, the oldest waited `flushMs`, nothing else
   * is in flight, a settle waits for them, or half of a full lane's slots wait on their record
   * (the other half goes on sending meanwhile).
   */
  #resultsDue(): boolean {
    const n = this.#finished.length;
    if (n === 0) return false;
    if (this.#settling || n >= this.#o.flushSize || n === this.#active) return true;
    if (performance.now() - this.#firstFinishedAt >= this.#o.flushMs) return true;
    const full = this.#active >= this.#o.concurrency;
    for (const l of this.#lanes.values())
      if (l.queue.length > 0 && (full || l.active >= l.limit) && l.finished * 2 >= l.limit)
        return true;
    return false;
  }

  /** Whether rows can start now in a batch worth a commit: half a lane, or all it holds. */
  #startsDue(): boolean {
    if (this.#settling) return false;
    const spare = this.#o.concurrency - this.#active;
    for (const l of this.#lanes.values()) {
      if (l.queue.length === 0) continue;
      const free = Math.min(l.limit - l.active, spare);
      if (free > 0 && (free * 2 >= l.limit || free >= l.queue.length)) return true;
    }
    return false;
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Takes the rows every limit allows to start, counting as free the slots of the results
   * (`credit`, per lane; `total` in all) that the same commit records; schedules a pass when a
   * bucket is empty.
   */
  #takeStarts(credit: ReadonlyMap<Lane, number>, total: number): Start[] {
    const starts: Start[] = [];
    const now = this.#deps.clock.now();
    for (const lane of this.#lanes.values()) {
      const freed = credit.get(lane) ?? 0;
      while (
        lane.queue.length > 0 &&
        lane.active - freed < lane.limit &&
        this.#active - total < this.#o.concurrency
      ) {
        if (lane.bucket && !lane.bucket.take()) {
          if (!lane.timer)
            lane.timer = setTimeout(() => {
              lane.timer = null;
              this.#kick(true);
            }, lane.bucket.wait());
          break;
        }
        const row = lane.queue.shift()!;
        if (row.leaseUntil !== null && row.leaseUntil <= now) {
          // The claim ran out (the clock jumped, renewal failed): another worker may hold the
          // row now, so it is not sent from here.
          this.#held.delete(heldKey(row.workspaceId, row.id));
          continue;
        }
        lane.active += 1;
        this.#active += 1;
        starts.push({ row, lane });
      }
    }
    return starts;
  }

  /**
   * One transaction: records results with their run outcomes, marks the rows about to start and
   * renews leases; then frees the recorded rows' slots and hands the marked rows to their
   * providers.
   */
  async #commit(a: { finished: Finished[]; starts: Start[]; renew: MessageRow[] }): Promise<void> {
    let marked = new Set<string>();
    let renewed = new Set<string>();
    let leaseUntil = 0;
    let at = 0;
    await this.#deps.withBatch(async (batch, tx, now) => {
      at = now;
      leaseUntil = now + this.#o.leaseMs;
      if (a.finished.length) {
        const outcomes: RunOutcome[] = [];
        const rows: MessageRow[] = [];
        const contentChanged = new Set<string>();
        for (const f of a.finished) {
          const recorded = recordResult(f.row, { result: f.result, at: f.at, options: this.#o });
          rows.push(recorded.row);
          if (recorded.row.content !== f.row.content) contentChanged.add(f.row.id);
          outcomes.push(...recorded.outcomes);
        }
        // One statement for the whole group of results, not one per message.
        await tx.messages.recordResults(rows, contentChanged);
        await reportOutcomes(batch, tx, outcomes);
      }
      if (a.starts.length)
        marked = await tx.messages.extendLeases(
          a.starts.map((s) => s.row),
          { leaseUntil, now, attemptAt: now },
        );
      if (a.renew.length) renewed = await tx.messages.extendLeases(a.renew, { leaseUntil, now });
    });
    for (const f of a.finished) {
      this.#held.delete(heldKey(f.row.workspaceId, f.row.id));
      f.lane.active -= 1;
      f.lane.finished -= 1;
      this.#active -= 1;
      this.#recorded += 1;
    }
    for (const row of a.renew) {
      const key = heldKey(row.workspaceId, row.id);
      if (renewed.has(key)) row.leaseUntil = leaseUntil;
      else if (this.#held.get(key) === row && removeFrom(this.#lanes, row))
        // Another worker holds it now: it is theirs to send.
        this.#held.delete(key);
    }
    for (const { row, lane } of a.starts) {
      const key = heldKey(row.workspaceId, row.id);
      if (!marked.has(key)) {
        // Another worker claimed it since (this lease ran out): not sent from here.
        this.#held.delete(key);
        lane.active -= 1;
        this.#active -= 1;
        continue;
      }
      row.leaseUntil = leaseUntil;
      row.attemptAt = at;
      // A paced lane's rows are spaced at its rate from here too: a commit that took long must
      // not let the tokens taken meanwhile go out in one burst.
      this.#sendPaced(lane, row);
    }
  }

  /**
   * Sends a marked row once its lane's spacing allows: a paced lane's sends go out at least
   * `1 / maxPerSecond` apart as measured when each is handed over, so neither a commit that took
   * long nor timers fired late by a busy machine let the tokens taken meanwhile out in one burst.
   */
  #sendPaced(lane: Lane, row: MessageRow): void {
    const wait = lane.bucket ? lane.bucket.gap() : 0;
    if (wait > 0) setTimeout(() => this.#sendPaced(lane, row), wait);
    else {
      lane.bucket?.sent();
      this.#send(lane, row);
    }
  }

  /** Hands a marked row to its provider; the result waits for the commit loop. */
  #send(lane: Lane, row: MessageRow): void {
    void sendSafely(lane.adapter, row).then((result) => {
      if (this.#finished.length === 0) this.#firstFinishedAt = performance.now();
      this.#finished.push({ row, lane, result, at: this.#deps.clock.now() });
      lane.finished += 1;
      this.#kick();
    });
  }
}
