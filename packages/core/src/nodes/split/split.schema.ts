/** The split node's schema: weighted variants and an optional holdout. */
import { z } from 'zod';
import { Id, NodeRef } from '../../journey/ids.ts';

/** Random / A-B split, reproducible from the run's seed, with an optional holdout (control). */
export const SplitNode = z
  .strictObject({
    type: z.literal('split'),
    variants: z
      .array(
        z.strictObject({
          name: Id.describe('Name of the variant (reports, `run.variant`).'),
          weight: z.number().positive().describe('Relative weight of the variant.'),
          next: NodeRef.describe('Where runs of this variant go.'),
        }),
      )
      .min(1)
      .describe('The variants.'),
    /** Percent of entrants held out: they leave the journey as the control group. */
    holdout: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Percent of entrants held out: they leave the journey as the control group.'),
  })
  .describe("Random / A-B split, reproducible from the run's seed, with an optional holdout.");
