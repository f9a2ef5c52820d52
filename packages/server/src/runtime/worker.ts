/**
 * The worker loop: runs the phases until there is nothing due, then sleeps until poked (new
 * events, a publish) or the poll interval passes. Event partitions are leased so that, in a
 * fleet, each profile's events are applied in order by one worker. `stop()` drains: the round
 * under way finishes and commits, then the loop ends.
 */
import type { Clock } from '../clock.ts';
import type { LeaseRepo } from '../storage/store.ts';
import { EVENT_PARTITIONS } from '../ids.ts';
import type { Phases } from './phases.ts';

const LEASE_TTL_MS = 15_000;
const LEASE_RENEW_MS = 5_000;

/** Counts of one round. */
export interface RoundCounts {
  events: number;
  triggers: number;
  runs: number;
  messages: number;
  /** Overdue tasks escalated. */
  escalations: number;
}

/** Options of a worker. */
export interface WorkerOptions {
  phases: Phases;
  leases: LeaseRepo;
  clock: Clock;
  /** Unique per process. */
  owner: string;
  pollMs?: number;
  onError?: (err: unknown) => void;
}

/** Runs the engine's phases. */
export class Worker {
  readonly #o: Required<Omit<WorkerOptions, 'onError'>> & Pick<WorkerOptions, 'onError'>;
  #held: number[] = [];
  #leasedAt = -Infinity;
  #running: Promise<void> | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  #poked = false;
  /** Phases whose last run found nothing, with when (performance.now()); a poke clears it. */
  readonly #quiet = new Map<keyof RoundCounts, number>();
  /** Rounds the loop has started. */
  #rounds = 0;
  /** Callers of `settle()`, each waiting for an idle round that started after its call. */
  #settlers: Array<{ after: number; resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(options: WorkerOptions) {
    this.#o = { pollMs: 100, ...options };
  }

  /** Wakes a sleeping loop at once. */
  poke(): void {
    this.#poked = true;
    this.#quiet.clear();
    this.#wake?.();
  }

  async #leasePartitions(): Promise<number[]> {
    const now = this.#o.clock.now();
    if (now - this.#leasedAt < LEASE_RENEW_MS && this.#held.length === EVENT_PARTITIONS)
      return this.#held;
    const held: number[] = [];
    for (let p = 0; p < EVENT_PARTITIONS; p += 1) {
      if (await this.#o.leases.acquire(`events:${p}`, this.#o.owner, now, LEASE_TTL_MS))
        held.push(p);
    }
    this.#held = held;
    this.#leasedAt = now;
    return held;
  }

  /**
   * One round of every phase. With `skipQuiet` (the loop while it is busy), a phase that found
   * nothing is left out until the poll interval has passed or a poke came: a worker busy
   * delivering a broadcast then stops asking, several times a second, for events, timers and
   * overdue tasks that are not there — each a query and a transaction.
   */
  async round(opts: { skipQuiet?: boolean } = {}): Promise<RoundCounts> {
    const at = performance.now();
    const phase = async (name: keyof RoundCounts, work: () => Promise<number>): Promise<number> => {
      const quiet = this.#quiet.get(name);
      if (opts.skipQuiet && quiet !== undefined && at - quiet < this.#o.pollMs) return 0;
      const n = await work();
      if (n === 0) this.#quiet.set(name, at);
      else this.#quiet.delete(name);
      return n;
    };
    const partitions = await this.#leasePartitions();
    const events = partitions.length
      ? await phase('events', () => this.#o.phases.events(partitions))
      : 0;
    const triggers = await phase('triggers', () => this.#o.phases.triggerTimers());
    const runs = await phase('runs', () => this.#o.phases.timers());
    const escalations = await phase('escalations', () => this.#o.phases.escalate());
    const messages = await this.#o.phases.deliver();
    return { events, triggers, runs, messages, escalations };
  }

  /** Rounds until nothing is due (tests, simulations); bounded to catch runaway loops. */
  async drain(maxRounds = 10_000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i += 1) {
      const c = await this.round();
      const n = c.events + c.triggers + c.runs + c.messages + c.escalations;
      if (n === 0) return total;
      total += n;
    }
    throw new Error(`worker did not become idle within ${maxRounds} rounds`);
  }

  /**
   * Resolves once a round that started after this call found nothing to do: every event, timer
   * and message due by then has been applied and sent. With the loop running, it waits for the
   * loop (never runs a round beside it); without it, it drains. End-to-end tests and demos on a
   * manual clock use it through `POST /api/settle`.
   */
  settle(): Promise<void> {
    if (!this.#running) return this.drain().then(() => undefined);
    return new Promise((resolve, reject) => {
      this.#settlers.push({ after: this.#rounds, resolve, reject });
      this.poke();
    });
  }

  /** Starts the loop in the background. */
  start(): void {
    if (this.#running) return;
    this.#stopping = false;
    this.#running = this.#loop();
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let busy = false;
      let failed = false;
      this.#rounds += 1;
      const round = this.#rounds;
      // A round that may answer a settle() runs every phase.
      const skipQuiet = this.#settlers.length === 0;
      try {
        const c = await this.round({ skipQuiet });
        busy = c.events + c.triggers + c.runs + c.messages + c.escalations > 0;
      } catch (err) {
        this.#o.onError?.(err);
        failed = true;
      }
      if (!busy && !failed && !skipQuiet && this.#settlers.length) {
        const waiting = this.#settlers;
        this.#settlers = waiting.filter((s) => s.after >= round);
        for (const s of waiting) if (s.after < round) s.resolve();
      }
      if (!busy && !this.#stopping) await this.#sleep(this.#o.pollMs);
    }
    const settlers = this.#settlers;
    this.#settlers = [];
    for (const s of settlers) s.reject(new Error('the worker stopped before it became idle'));
    for (const p of this.#held)
      await this.#o.leases.release(`events:${p}`, this.#o.owner).catch(() => undefined);
    this.#held = [];
  }

  #sleep(ms: number): Promise<void> {
    if (this.#poked) {
      this.#poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = null;
        this.#poked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  /** Stops after the round under way commits (drain on SIGTERM). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    this.#running = null;
  }
}
