/** The update_profile node's schema: traits to set and to remove. */
import { z } from 'zod';
import { Next } from '../../journey/ids.ts';

/** Set or remove profile traits. String values are templates (`{{ trigger.properties.plan }}`). */
export const UpdateProfileNode = z
  .strictObject({
    type: z.literal('update_profile'),
    set: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Traits to set; string values are templates (`{{ trigger.properties.plan }}`).'),
    unset: z.array(z.string().min(1)).optional().describe('Traits to remove.'),
    ...Next,
  })
  .describe('Set or remove profile traits.');
