/** The list node's schema: add to or remove from a list. */
import { z } from 'zod';
import { Id, Next } from '../../journey/ids.ts';

/** Add to or remove from a list. */
export const ListNode = z
  .strictObject({
    type: z.literal('list'),
    action: z.enum(['add', 'remove']).describe('Add the profile to the list, or remove it.'),
    list: Id.describe('The list (created when first used).'),
    ...Next,
  })
  .describe('Add to or remove from a list.');
