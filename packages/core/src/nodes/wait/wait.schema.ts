/** The wait node's schema: a duration, or until a local time or a date field. */
import { z } from 'zod';
import { Duration, PositiveDuration } from '../../journey/duration.ts';
import { LocalTime, Next } from '../../journey/ids.ts';

/** Wait a duration, or until a local time of day / a time relative to a date field. */
export const WaitNode = z
  .strictObject({
    type: z.literal('wait'),
    duration: PositiveDuration.optional().describe('Wait this long. Give `duration` or `until`.'),
    until: z
      .strictObject({
        /** A date field (`profile.traits.x`, `trigger.properties.x`); absent: from now. */
        field: z
          .string()
          .min(1)
          .optional()
          .describe('A date field (`profile.traits.x`, `trigger.properties.x`); absent: now.'),
        offset: Duration.optional().describe('Signed offset from that date (`-P1D`, `2h`).'),
        /** Local time of day in the recipient's zone. */
        at: LocalTime.optional().describe(
          "Then the next time it is this local time of day in the recipient's zone.",
        ),
      })
      .optional()
      .describe('Wait until a time: a date field, plus an offset, at a local time of day.'),
    ...Next,
  })
  .describe('Wait a duration, or until a local time of day / a time relative to a date field.');
