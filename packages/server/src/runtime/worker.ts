/**
 * The worker loop: runs the phases until there is nothing due, then sleeps until poked (new
 * events, a publish) or the poll interval passes. Event partitions are leased so that, in a
 * fleet, each profile's events are applied in order by one worker. `stop()` drains: the round
 * under way finishes and commits, then the loop ends.
 */
import type { Clock } from '../clock.ts';
import type { LeaseRepo } from '../storage/store.ts';
import { EVENT_PARTITIONS } from '../app/ingest.ts';
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

  constructor(options: WorkerOptions) {
    this.#o = { pollMs: 100, ...options };
  }

  /** Wakes a sleeping loop at once. */
  poke(): void {
    this.#poked = true;
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

  /** One round of every phase. */
  async round(): Promise<RoundCounts> {
    const partitions = await this.#leasePartitions();
    const events = partitions.length ? await this.#o.phases.events(partitions) : 0;
    const triggers = await this.#o.phases.triggerTimers();
    const runs = await this.#o.phases.timers();
    const escalations = await this.#o.phases.escalate();
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

  /** Starts the loop in the background. */
  start(): void {
    if (this.#running) return;
    this.#stopping = false;
    this.#running = this.#loop();
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let busy = false;
      try {
        const c = await this.round();
        busy = c.events + c.triggers + c.runs + c.messages + c.escalations > 0;
      } catch (err) {
        this.#o.onError?.(err);
      }
      if (!busy && !this.#stopping) await this.#sleep(this.#o.pollMs);
    }
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
