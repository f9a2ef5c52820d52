/**
 * Virtual time for tests that run the engine in their own process on a manual clock: let days
 * pass in milliseconds, with everything that comes due on the way run at its own time, as a
 * worker polling the real clock would have run it. Used only by tests.
 *
 * The loop: drain the worker (events, timers, deliveries due now), ask the engine when the next
 * thing is due, jump the clock there, drain again — until the next thing is after the target.
 * Jumping to each due time rather than straight to the target is what lets a test say "the SMS
 * went out at 09:00 local", not "some time before the target".
 */
import { durationMs } from '@waymark/core';
import { ManualClock } from '../clock.ts';
import type { Waymark } from '../waymark.ts';

/** Jumps after which `runUntil` gives up: a timer the engine never consumes would loop forever. */
const MAX_JUMPS = 100_000;

/** The manual clock a Waymark was built with; throws when it runs on the system clock. */
export function manualClockOf(waymark: Pick<Waymark, 'deps'>): ManualClock {
  const clock = waymark.deps.clock;
  if (!(clock instanceof ManualClock))
    throw new Error('virtual time needs a Waymark built with a ManualClock ({ clock })');
  return clock;
}

/**
 * Runs everything due up to `at` (epoch ms), each at its own due time, then leaves the clock at
 * `at` with the worker drained.
 */
export async function runUntil(
  waymark: Pick<Waymark, 'deps' | 'engine' | 'worker'>,
  at: number,
): Promise<void> {
  const clock = manualClockOf(waymark);
  for (let jumps = 0; ; jumps += 1) {
    if (jumps > MAX_JUMPS)
      throw new Error(`runUntil: still due after ${MAX_JUMPS} jumps; is a timer never consumed?`);
    await waymark.worker.drain();
    const next = (await waymark.engine.nextDue()) ?? Infinity;
    if (next > at) break;
    clock.set(next);
  }
  clock.set(at);
  await waymark.worker.drain();
}

/** Lets `by` pass (milliseconds, or a duration such as `PT12H` or `2d`): see `runUntil`. */
export function advanceBy(
  waymark: Pick<Waymark, 'deps' | 'engine' | 'worker'>,
  by: number | string,
): Promise<void> {
  const ms = typeof by === 'number' ? by : durationMs(by);
  return runUntil(waymark, manualClockOf(waymark).now() + ms);
}
