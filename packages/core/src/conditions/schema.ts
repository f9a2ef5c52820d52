import { z } from 'zod';
import { Duration } from '../journey/duration.ts';
import { regexError } from './regex.ts';

/**
 * The condition language shared by triggers, branches, goals, skip rules and audiences.
 *
 * Field paths start at a root:
 * - `profile.id`, `profile.traits.<name>`, `profile.timezone`
 * - `event.name`, `event.properties.<name>`: the event being matched (trigger filters,
 *   wait-for filters, goals), or inside a run the event that started it
 * - `trigger.*`: the event that started the run (same shape as `event`)
 * - `last.*`: the last event or outcome a wait-for received (`last.properties.answer`,
 *   `last.reply.intent`, `last.reply.score`, `last.outcome`)
 * - `run.variant`, `run.enteredAt`
 */
export const ComparisonOp = z.enum([
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'starts_with',
  'matches',
  'exists',
  'not_exists',
]);
/** A comparison operator of the condition language. */
export type ComparisonOp = z.infer<typeof ComparisonOp>;

/** A regular expression (`^slides`, `/^slides/i`, `(?i)^slides`), checked to compile. */
export const RegexText = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const error = regexError(text);
    if (error)
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${error}` });
  });

/**
 * Compare one field with a value: `{ field: "profile.traits.plan", op: "eq", value: "pro" }`, or
 * with another field: `{ field: "event.properties.id", op: "eq", valueFrom: "trigger.properties.id" }`.
 * With `matches` the value is a regex, checked when the journey is validated.
 */
export const FieldCondition = z
  .strictObject({
    field: z
      .string()
      .min(1)
      .describe(
        'A field path: `profile.traits.plan`, `event.properties.total`, `last.reply.score`…',
      ),
    op: ComparisonOp.describe('How to compare.'),
    value: z
      .unknown()
      .optional()
      .describe(
        'What to compare with (a list for `in`/`nin`, a regex for `matches`; none for `exists`).',
      ),
    valueFrom: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Compare with another field instead of a fixed value: a field path such as `trigger.properties.appointment_id`.',
      ),
  })
  .describe('Compare one field with a value, or with another field.')
  .superRefine((c, ctx) => {
    if (c.valueFrom !== undefined && c.value !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['valueFrom'],
        message: 'give either value or valueFrom, not both',
      });
    if (c.valueFrom !== undefined && c.op === 'matches')
      ctx.addIssue({
        code: 'custom',
        path: ['valueFrom'],
        message: '`matches` takes its regex in value (checked at validation), not from a field',
      });
    if (c.op !== 'matches' || c.valueFrom !== undefined) return;
    const error = typeof c.value === 'string' ? regexError(c.value) : 'a regex string is required';
    if (error)
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `not a valid regular expression: ${error}`,
      });
  });

/** Membership of a list: `{ inList: "vip" }` or `{ notInList: "vip" }`. */
export const ListCondition = z
  .union([
    z.strictObject({ inList: z.string().min(1).describe('The profile is in this list.') }),
    z.strictObject({ notInList: z.string().min(1).describe('The profile is not in this list.') }),
  ])
  .describe('Membership of a list.');

/** A count bound used by event-count conditions. */
export const CountBound = z
  .strictObject({
    op: z.enum(['eq', 'gt', 'gte', 'lt', 'lte']).describe('How to compare the count.'),
    value: z.number().int().min(0).describe('The count to compare with.'),
  })
  .describe('How many events: `{ op: gte, value: 2 }`. Default: at least one.');

/** Intents of a reply (`replies/understand.ts`). */
export const ReplyIntent = z.enum(['yes', 'no', 'stop', 'help', 'unknown']);
/** An intent of a reply. */
export type ReplyIntent = z.infer<typeof ReplyIntent>;

/** A score test: a number (equal), `{ op, value }`, or `{ between: [min, max] }` (inclusive). */
export const ScoreTest = z.union([
  z.number(),
  z.strictObject({ op: ComparisonOp, value: z.union([z.number(), z.array(z.number())]) }),
  z.strictObject({
    between: z
      .tuple([z.number(), z.number()])
      .refine(([min, max]) => min <= max, { message: 'between: [min, max] with min <= max' }),
  }),
]);

/**
 * The reply understanding a branch can test (the last inbound reply the run received):
 * `{ reply: { intent: yes } }`, `{ reply: { intent: [no, unknown] } }`,
 * `{ reply: { score: { between: [1, 2] } } }`, `{ reply: { keyword: [SLIDES, AULA] } }`,
 * `{ reply: { pattern: "^(?i)slides" } }`. Every part given must match.
 */
export const ReplyCondition = z
  .strictObject({
    reply: z
      .strictObject({
        intent: z
          .union([ReplyIntent, z.array(ReplyIntent).min(1)])
          .optional()
          .describe('The intent understood (`yes`, `no`, …), or any of a list.'),
        score: ScoreTest.optional().describe(
          'The score read from the text: a number, `{ op, value }` or `{ between: [min, max] }`.',
        ),
        keyword: z
          .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
          .optional()
          .describe('The first word, case-insensitively (one or a list).'),
        pattern: RegexText.optional().describe('A regular expression the text matches.'),
      })
      .describe('Every part given must match.'),
  })
  .describe("The run's last inbound reply, as understood.");

/** Whether a message sent by an earlier node got an outcome: `{ outcome: { node, is: "clicked" } }`. */
export const OutcomeCondition = z
  .strictObject({
    outcome: z.strictObject({
      node: z.string().min(1).describe('A send node of this journey.'),
      is: z.lazy(() => MessageOutcomeType).describe('The outcome.'),
    }),
  })
  .describe('Whether the message a send node sent got an outcome.');

/** Outcomes a message can have; wait-for and branches test them. */
export const MessageOutcomeType = z.enum([
  'sent',
  'delivered',
  'opened',
  'clicked',
  'replied',
  'failed',
  'bounced',
  'complained',
  'unsubscribed',
  'answered',
  'bridged',
  'no_agent',
  'no_answer',
]);
/** An outcome a message can have. */
export type MessageOutcomeType = z.infer<typeof MessageOutcomeType>;

/** Condition on a node, the whole language (recursive). */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | z.infer<typeof FieldCondition>
  | z.infer<typeof ListCondition>
  | {
      event: string;
      where?: Condition | undefined;
      within?: string | undefined;
      count?: z.infer<typeof CountBound> | undefined;
    }
  | z.infer<typeof ReplyCondition>
  | z.infer<typeof OutcomeCondition>;

/**
 * Events the run has seen: `{ event: "call_completed", where: {...}, within: "PT5M",
 * count: { op: "gte", value: 1 } }`. Counts events of the profile received while the run was
 * active (and within the window when given). Default count: at least one.
 */
export const EventCountCondition: z.ZodType<Extract<Condition, { event: string }>> = z
  .strictObject({
    event: z.string().min(1).describe('The event name.'),
    where: z
      .lazy(() => Condition)
      .optional()
      .describe('A filter on the events counted.'),
    within: Duration.optional().describe('Only events this recent.'),
    count: CountBound.optional(),
  })
  .describe('Events of the profile received while the run was active.');

/** Any condition of the language. */
export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(Condition).min(1) }),
    z.strictObject({ any: z.array(Condition).min(1) }),
    z.strictObject({ not: Condition }),
    FieldCondition,
    ListCondition,
    EventCountCondition,
    ReplyCondition,
    OutcomeCondition,
  ]),
);
