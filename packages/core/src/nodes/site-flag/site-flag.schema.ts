/** The site_flag node's schema: a flag and its value. */
import { z } from 'zod';
import { Next } from '../../journey/ids.ts';

/** Set or clear a site flag (on-site message / personalisation), e.g. `offer_live_chat`. */
export const SiteFlagNode = z
  .strictObject({
    type: z.literal('site_flag'),
    flag: z.string().min(1).describe('The flag `/v1/personalize` answers (`offer_live_chat`).'),
    value: z
      .union([z.boolean(), z.string(), z.number()])
      .default(true)
      .describe('Its value; `false` clears it.'),
    ...Next,
  })
  .describe('Set or clear a site flag (on-site message / personalisation).');
