/**
 * The server's clock as operators see it: what time it is, and — when the server runs on a manual
 * clock (WAYMARK_CLOCK=manual) — moving it forward, so an end-to-end test or a demo lets days pass
 * in milliseconds. Moving the clock wakes the worker: whatever came due runs at once.
 */
import { durationMs, parseDuration } from '@waymark/core';
import { ManualClock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { AppDeps } from './deps.ts';

/** The clock's state. */
export interface ClockView {
  /** ISO time. */
  now: string;
  /** Epoch milliseconds. */
  epochMs: number;
  kind: 'system' | 'manual';
}

function view(deps: AppDeps): ClockView {
  const now = deps.clock.now();
  return {
    now: new Date(now).toISOString(),
    epochMs: now,
    kind: deps.clock instanceof ManualClock ? 'manual' : 'system',
  };
}

/** What time the server thinks it is. */
export function readClock(deps: AppDeps): ClockView {
  return view(deps);
}

/** Moves a manual clock forward by a duration (`PT5M`, `2d`) or to a later time. */
export function moveClock(
  deps: AppDeps,
  a: { advance?: string | undefined; to?: string | undefined },
): ClockView {
  const clock = deps.clock;
  if (!(clock instanceof ManualClock))
    throw new AppError('conflict', 'the server runs on the system clock', [
      { path: 'clock', message: 'start the server with WAYMARK_CLOCK=manual to move its clock' },
    ]);
  if ((a.advance === undefined) === (a.to === undefined))
    throw new AppError('invalid_input', 'give exactly one of advance or to', [
      { path: 'body', message: 'expected { "advance": "PT5M" } or { "to": "<ISO time>" }' },
    ]);
  if (a.advance !== undefined) {
    const ms = parseDuration(a.advance);
    if (ms === null || ms < 0)
      throw new AppError('invalid_input', `advance: "${a.advance}" is not a positive duration`, [
        { path: 'body.advance', message: 'expected a duration such as PT5M, P2D or 12h' },
      ]);
    clock.advance(durationMs(a.advance));
  } else {
    const at = Date.parse(a.to!);
    if (Number.isNaN(at))
      throw new AppError('invalid_input', `to: "${a.to}" is not a time`, [
        { path: 'body.to', message: 'expected an ISO time such as 2026-05-02T09:00:00Z' },
      ]);
    if (at < clock.now())
      throw new AppError('invalid_input', 'to: a clock only moves forward', [
        { path: 'body.to', message: `earlier than now (${new Date(clock.now()).toISOString()})` },
      ]);
    clock.set(at);
  }
  deps.notify('runs');
  return view(deps);
}

/**
 * Waits until the worker has applied every event and timer due and sent every message due — the
 * step an end-to-end test or a demo takes after moving the clock or sending events.
 */
export async function settleWorker(deps: AppDeps): Promise<ClockView> {
  if (!deps.settle)
    throw new AppError('conflict', 'no worker runs in this process', [
      { path: 'role', message: 'settle is served by a process started with --role all' },
    ]);
  await deps.settle();
  return view(deps);
}
