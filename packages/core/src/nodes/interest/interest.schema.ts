/** The interest node's schema: an interest to count into, and what its threshold does. */
import { z } from 'zod';
import { PositiveDuration } from '../../journey/duration.ts';
import { Id, Next } from '../../journey/ids.ts';

/** A list id or site flag name in which `{{ interest }}` stands for the interest's name. */
const InterestTemplated = (what: 'list' | 'flag') =>
  z
    .string()
    .min(1)
    .refine((v) => Id.safeParse(v.replace(/\{\{\s*interest\s*\}\}/g, 'x')).success, {
      message: `expected a ${what} ${what === 'list' ? 'id' : 'name'} of letters, digits, _ . : - ({{ interest }} stands for the interest's name)`,
    });

/**
 * What happens when an interest's score reaches `count` (crossing it upwards: once per climb,
 * again only after the score fell below and climbed back): join a list, set a site flag.
 */
export const InterestThreshold = z
  .strictObject({
    count: z.number().positive().describe('The score that triggers the threshold.'),
    /** List to join, e.g. `interest-{{ interest }}`. */
    list: InterestTemplated('list')
      .optional()
      .describe('List to join, e.g. `interest-{{ interest }}`.'),
    /** Site flag to set to true, e.g. `show_{{ interest }}_banner`. */
    flag: InterestTemplated('flag')
      .optional()
      .describe('Site flag to set to true, e.g. `show_{{ interest }}_banner`.'),
  })
  .refine((t) => t.list !== undefined || t.flag !== undefined, {
    message: 'a threshold needs a list or a flag (or both)',
  })
  .describe(
    'When the score reaches `count` (once per climb): join a list and/or set a site flag. Needs `list` or `flag`.',
  );

/**
 * Count a view or a cart add into an interest of the profile (personalisation). `interest` may be
 * a placeholder (`{{ trigger.properties.category }}`); the name is slugged (`Running Shoes` →
 * `running-shoes`). With `within` the score is the weight counted in that sliding window.
 */
export const InterestNode = z
  .strictObject({
    type: z.literal('interest'),
    interest: z
      .string()
      .min(1)
      .describe(
        'The interest, may be a placeholder (`{{ trigger.properties.category }}`); slugged (`Running Shoes` → `running-shoes`).',
      ),
    weight: z.number().default(1).describe('How much this counts.'),
    /** Sliding window the score counts over (`P7D`); absent: a running total. */
    within: PositiveDuration.optional().describe(
      'Sliding window the score counts over (`P7D`); absent: a running total.',
    ),
    threshold: InterestThreshold.optional(),
    ...Next,
  })
  .describe('Count a view or a cart add into an interest of the profile (personalisation).');
