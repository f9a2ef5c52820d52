/** The segment trigger's schema: who is in the segment, and entering or leaving it. */
import { z } from 'zod';
import { Condition } from '../../conditions/schema.ts';

/** Entry into or exit from a segment, tested whenever the profile changes. */
export const SegmentTrigger = z
  .strictObject({
    type: z.literal('segment'),
    condition: Condition.describe('Who is in the segment.'),
    on: z
      .enum(['enter', 'exit'])
      .default('enter')
      .describe('Start a run when the profile enters the segment, or when it leaves it.'),
  })
  .describe('Entry into or exit from a segment, tested whenever the profile changes.');
