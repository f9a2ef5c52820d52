/** The event trigger's schema: an event name and an optional filter. */
import { z } from 'zod';
import { Condition } from '../../conditions/schema.ts';

/** An event with optional filters on it (`event.*` paths). */
export const EventTrigger = z
  .strictObject({
    type: z.literal('event'),
    event: z.string().min(1).describe("Name of the event (a `track` call's `event`)."),
    where: Condition.optional().describe(
      'Filter on the event (`event.properties.*`) or the profile; the run starts only when it holds.',
    ),
  })
  .describe('An event of the profile starts a run, when it passes the optional filter.');
