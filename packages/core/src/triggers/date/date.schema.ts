/** The date trigger's schema: a date field, an offset and a local time. */
import { z } from 'zod';
import { Duration } from '../../journey/duration.ts';
import { LocalTime } from '../../journey/ids.ts';

/** N days before/at/after a date on the profile (`profile.traits.x`) or an event (`event.properties.x`). */
export const DateTrigger = z
  .strictObject({
    type: z.literal('date'),
    field: z
      .string()
      .regex(/^(profile\.traits|event\.properties)\.[^.].*$/, {
        message: 'expected "profile.traits.<name>" or "event.properties.<name>"',
      })
      .describe('The date: `profile.traits.<name>` or `event.properties.<name>`.'),
    /** For an event date: which event carries it. Required when `field` starts with `event.`. */
    event: z
      .string()
      .min(1)
      .optional()
      .describe(
        'For an event date: the event that carries it. Required when `field` starts with `event.`, refused otherwise.',
      ),
    /** Signed offset from the date: "-P1D" is a day before. Default: at the date. */
    offset: Duration.optional().describe(
      'Signed offset from the date: `-P1D` is a day before. Default: at the date.',
    ),
    /** Local time of day to fire at, in the recipient's time zone. Default: the date's own time. */
    at: LocalTime.optional().describe(
      "Local time of day to fire at, in the recipient's time zone. Default: the date's own time.",
    ),
  })
  .describe(
    'Before, at or after a date on the profile or on an event, optionally at a local time of day.',
  );
