/** The broadcast trigger's schema: an audience and an optional time. */
import { z } from 'zod';
import { Condition } from '../../conditions/schema.ts';

/** Everyone matching a condition, now (on publish) or at a time. */
export const BroadcastTrigger = z
  .strictObject({
    type: z.literal('broadcast'),
    audience: Condition.describe('Who gets the broadcast.'),
    /** ISO date-time with offset; absent means on publish. */
    at: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When to send (ISO date-time with an offset); absent: when published.'),
  })
  .describe('Everyone matching a condition, once: when published, or at a time.');
