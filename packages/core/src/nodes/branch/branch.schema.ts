/** The branch node's schema: cases tested in order, and a default. */
import { z } from 'zod';
import { Condition } from '../../conditions/schema.ts';
import { NodeRef } from '../../journey/ids.ts';

/** Branch on conditions; the first case that holds wins. */
export const BranchNode = z
  .strictObject({
    type: z.literal('branch'),
    cases: z
      .array(
        z.strictObject({
          when: Condition.describe('The condition of this case.'),
          next: NodeRef.describe('Where to go when it holds.'),
        }),
      )
      .min(1)
      .describe('Cases tested in order; the first that holds wins.'),
    default: NodeRef.describe('Where to go when no case holds.'),
  })
  .describe('Branch on conditions; the first case that holds wins.');
