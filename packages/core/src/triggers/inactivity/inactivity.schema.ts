/** The inactivity trigger's schema: a quiet spell and what counts as activity. */
import { z } from 'zod';
import { PositiveDuration } from '../../journey/duration.ts';

/** No activity for a while: fires once per quiet spell, scheduled per profile (no periodic scan). */
export const InactivityTrigger = z
  .strictObject({
    type: z.literal('inactivity'),
    after: PositiveDuration.describe('How long without activity before the run starts.'),
    /** Event names that count as activity; every event counts when absent. */
    activity: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Event names that count as activity; every event counts when absent.'),
  })
  .describe(
    'No activity for a while: fires once per quiet spell, scheduled per profile (no periodic scan).',
  );
