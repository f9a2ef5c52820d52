/** Time source of the server: the system clock, or a manual clock for tests and simulations. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: tests and `waymark simulate` travel days in milliseconds. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number) {
    this.#now = start;
  }
  /** Current virtual time. */
  now(): number {
    return this.#now;
  }
  /** Moves the clock forward by `ms` (never backwards). */
  advance(ms: number): number {
    if (ms < 0) throw new Error('a manual clock only moves forward');
    this.#now += ms;
    return this.#now;
  }
  /** Sets the clock to `at` when that is later than now. */
  set(at: number): number {
    this.#now = Math.max(this.#now, at);
    return this.#now;
  }
}
