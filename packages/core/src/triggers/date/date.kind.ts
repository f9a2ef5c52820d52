/**
 * The date trigger: before, at or after a date on the profile or on an event, optionally at a
 * local time of day. The server schedules it; this says when it fires, and checks that an event
 * date names its event (and a profile date does not).
 */
import { durationMs } from '../../journey/duration.ts';
import { issue } from '../../journey/issues.ts';
import type { TriggerOf } from '../../journey/schema.ts';
import { parseDateValue, relativeTime } from '../../time/zones.ts';
import type { TriggerKind } from '../kind.ts';
import { DateTrigger } from './date.schema.ts';

/**
 * When a date trigger fires for a date value (ISO string or epoch ms): the date moved by the
 * offset, at the local time `at` in `zone` when given (the offset then moves calendar days).
 * Null when the value is not a date.
 */
export function dateTriggerTime(args: {
  trigger: TriggerOf<'date'>;
  date: unknown;
  zone: string;
}): number | null {
  const { trigger, date, zone } = args;
  const base = parseDateValue(date, zone);
  if (base === null) return null;
  const offset = trigger.offset ? durationMs(trigger.offset) : 0;
  return relativeTime({ base, offset, time: trigger.at, zone });
}

/** The date trigger kind. */
export const dateTriggerKind = {
  type: 'date',
  schema: DateTrigger,
  label: 'Date',
  help: 'A run starts before, at or after a date (a birthday, an appointment).',
  icon: 'calendar-clock',
  defaults: { type: 'date' },
  onEvents: false,
  summary: (trigger) => `date ${trigger.field}`,
  matches: () => false,
  checkRaw(trigger, sink) {
    const field = trigger['field'];
    if (typeof field !== 'string') return;
    const hasEvent = trigger['event'] !== undefined;
    if (field.startsWith('event.properties.') && !hasEvent) {
      sink.error(
        issue(
          'trigger.event',
          'date_trigger_event',
          `a date trigger on ${field} needs "event": the event that carries the date`,
          'e.g. `event: appointment_booked`',
        ),
      );
    } else if (field.startsWith('profile.traits.') && hasEvent) {
      sink.error(
        issue(
          'trigger.event',
          'date_trigger_event',
          `a date trigger on ${field} reads the profile, so "event" does not apply`,
          'remove `event`, or use an `event.properties.<name>` field',
        ),
      );
    }
  },
} satisfies TriggerKind<'date'>;
