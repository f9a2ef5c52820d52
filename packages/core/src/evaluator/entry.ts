/**
 * Entry into a journey: whether an event starts a run (event and inbound-keyword triggers),
 * whether the re-entry policy lets a profile in again, and when scheduled triggers fire (date
 * attributes at a local time, inactivity deadlines). The runtime schedules; this decides.
 */
import { evaluateCondition, firstWord } from '../conditions/evaluate.ts';
import { durationMs } from '../journey/duration.ts';
import type { Policies, Trigger } from '../journey/schema.ts';
import { parseDateValue, relativeTime } from '../time/zones.ts';
import type { EventFact, ProfileFact } from './types.ts';

function assertNever(x: never): never {
  throw new Error(`unexpected trigger ${JSON.stringify(x)}`);
}

/** A phone number or address as compared by inbound triggers: no spaces, lower case. */
function normaliseAddress(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\s+/g, '').toLowerCase() : '';
}

/**
 * Whether an event starts a run of a journey with this trigger. Event triggers: same name and
 * the `where` filter holds (`event.*`, `profile.*` paths). Inbound triggers: an `inbound` event
 * (`properties: { channel, to, body }`) on the channel, to the number (spaces ignored), whose
 * first word is the keyword (any case). Other triggers are scheduled, never matched: false.
 */
export function matchesTrigger(trigger: Trigger, event: EventFact, profile: ProfileFact): boolean {
  switch (trigger.type) {
    case 'event':
      return (
        event.name === trigger.event &&
        (!trigger.where ||
          evaluateCondition(trigger.where, {
            profile,
            event,
            trigger: event,
            now: event.timestamp,
          }))
      );
    case 'inbound': {
      if (event.type !== 'inbound') return false;
      const { channel, to, body } = event.properties;
      if ((typeof channel === 'string' ? channel : 'sms') !== trigger.channel) return false;
      if (trigger.to !== undefined && normaliseAddress(to) !== normaliseAddress(trigger.to)) {
        return false;
      }
      return typeof body === 'string' && firstWord(body) === trigger.keyword.toLowerCase();
    }
    case 'inactivity':
    case 'date':
    case 'segment':
    case 'broadcast':
    case 'manual':
      return false;
    default:
      return assertNever(trigger);
  }
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
      return assertNever(policy);
  }
}

/**
 * When a date trigger fires for a date value (ISO string or epoch ms): the date moved by the
 * offset, at the local time `at` in `zone` when given (the offset then moves calendar days).
 * Null when the value is not a date.
 */
export function dateTriggerTime(args: {
  trigger: Extract<Trigger, { type: 'date' }>;
  date: unknown;
  zone: string;
}): number | null {
  const { trigger, date, zone } = args;
  const base = parseDateValue(date, zone);
  if (base === null) return null;
  const offset = trigger.offset ? durationMs(trigger.offset) : 0;
  return relativeTime({ base, offset, time: trigger.at, zone });
}

/** When an inactivity trigger fires: the last activity plus the quiet spell. */
export function inactivityDeadline(args: {
  trigger: Extract<Trigger, { type: 'inactivity' }>;
  lastActivityAt: number;
}): number {
  return args.lastActivityAt + durationMs(args.trigger.after);
}

/** Whether an event resets an inactivity trigger's clock (every event, unless `activity` names some). */
export function countsAsActivity(
  trigger: Extract<Trigger, { type: 'inactivity' }>,
  event: EventFact,
): boolean {
  return trigger.activity === undefined || trigger.activity.includes(event.name);
}
