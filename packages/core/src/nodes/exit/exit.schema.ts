/** The exit node's schema: leave the journey, with an optional reason. */
import { z } from 'zod';

/** Leave the journey. */
export const ExitNode = z
  .strictObject({
    type: z.literal('exit'),
    reason: z.string().optional().describe("Why the run ends, kept with the run's exit."),
  })
  .describe('Leave the journey.');
