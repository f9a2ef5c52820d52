/**
 * Entry into a journey: whether an event starts a run (as the trigger's kind says,
 * `triggers/<kind>/`) and whether the re-entry policy lets a profile in again. When scheduled
 * triggers fire is their kinds' (`dateTriggerTime`, `inactivityDeadline`). The runtime
 * schedules; this decides.
 */
import { durationMs } from '../journey/duration.ts';
import type { Policies, Trigger } from '../journey/schema.ts';
import { triggerKind } from '../triggers/registry.ts';
import { assertNever } from '../util/assert-never.ts';
import type { EventFact, ProfileFact } from './types.ts';

/**
 * Whether an event starts a run of a journey with this trigger. Event triggers: same name and
 * the `where` filter holds (`event.*`, `profile.*` paths). Inbound triggers: an `inbound` event
 * (`properties: { channel, to, body }`) on the channel, to the number (spaces ignored), whose
 * first word is the keyword (any case). Other triggers are scheduled, never matched: false.
 */
export function matchesTrigger(trigger: Trigger, event: EventFact, profile: ProfileFact): boolean {
  return triggerKind(trigger.type).matches(trigger, event, profile);
}

/** A profile's past runs of one journey, as re-entry needs them. */
export interface EntryHistoryFact {
  /** Runs ever started. */
  entries: number;
  lastEnteredAt: number | null;
  /** Runs still active or waiting. */
  active: number;
}

/** Whether a profile may start a run, or why not. */
export type EntryDecision = { enter: true } | { enter: false; reason: string };

/**
 * Applies the re-entry policy: `once` lets a profile in only the first time; `after_exit` when
 * no run of it is active; `after` when none is active and the cool-down since the last entry has
 * passed; `concurrent` always.
 */
export function decideEntry(args: {
  policy: Policies['reentry'];
  history: EntryHistoryFact;
  now: number;
}): EntryDecision {
  const { policy, history, now } = args;
  switch (policy.mode) {
    case 'once':
      return history.entries > 0
        ? { enter: false, reason: 'already entered once; this journey allows one entry' }
        : { enter: true };
    case 'after_exit':
      return history.active > 0
        ? { enter: false, reason: 'a run of this journey is still in progress' }
        : { enter: true };
    case 'after': {
      if (history.active > 0) {
        return { enter: false, reason: 'a run of this journey is still in progress' };
      }
      const since = history.lastEnteredAt === null ? Infinity : now - history.lastEnteredAt;
      return since < durationMs(policy.after)
        ? { enter: false, reason: `entered less than ${policy.after} ago` }
        : { enter: true };
    }
    case 'concurrent':
      return { enter: true };
    default:
      return assertNever(policy, 're-entry policy');
  }
}
