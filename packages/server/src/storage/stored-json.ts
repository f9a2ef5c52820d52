/**
 * Stored JSON is parsed, not cast: `parseStored` checks a JSON column's value against its schema
 * (journey definitions against core's `JourneyDocument`; run state against `StoredRunState`).
 *
 * The run's state (`runs.state`, and the `awaiting` and `exit` columns derived from it) has its
 * schema here because core declares `RunState` as an interface and has no schema for it yet; this
 * one is checked against core's types (a field core adds or changes fails to compile here) and
 * belongs beside them in core once it grows one. Objects are loose: keys this build does not know
 * are kept as stored, as the cast kept them.
 */
import {
  Channel,
  MessageOutcomeType,
  type Awaiting,
  type ExitReason,
  type RunState,
} from '@waymark/core';
import { z } from 'zod';

const Json = z.record(z.string(), z.unknown());

const EventFact = z.looseObject({
  id: z.string(),
  type: z.enum(['track', 'identify', 'page', 'screen', 'group', 'alias', 'inbound']),
  name: z.string(),
  properties: Json,
  timestamp: z.number(),
});

const ReplyFact = z.looseObject({
  text: z.string(),
  intent: z.enum(['yes', 'no', 'stop', 'help', 'unknown']).optional(),
  score: z.number().optional(),
  keyword: z.string().optional(),
});

const OutcomeFact = z.looseObject({
  messageKey: z.string(),
  nodeId: z.string(),
  type: MessageOutcomeType,
  at: z.number(),
  machine: z.boolean().optional(),
  reply: ReplyFact.optional(),
  data: Json.optional(),
});

const TaskOutcomeFact = z.looseObject({
  taskKey: z.string(),
  nodeId: z.string(),
  outcome: z.string(),
  note: z.string().optional(),
  at: z.number(),
});

/** What a stored run waits for. */
export const StoredAwaiting: z.ZodType<Awaiting> = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('duration'), until: z.number() }),
  z.looseObject({ kind: z.literal('send_window'), until: z.number(), channel: Channel }),
  z.looseObject({ kind: z.literal('event'), event: z.string(), until: z.number() }),
  z.looseObject({
    kind: z.literal('outcome'),
    node: z.string(),
    messageKey: z.string(),
    is: z.array(MessageOutcomeType),
    until: z.number(),
  }),
  z.looseObject({
    kind: z.literal('reply'),
    node: z.string(),
    messageKey: z.string(),
    until: z.number(),
  }),
  z.looseObject({
    kind: z.literal('task'),
    node: z.string(),
    taskKey: z.string(),
    until: z.number(),
  }),
]);

/** Why a stored run ended. */
export const StoredExitReason: z.ZodType<ExitReason> = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('completed') }),
  z.looseObject({ kind: z.literal('exit_node'), node: z.string(), reason: z.string().optional() }),
  z.looseObject({ kind: z.literal('goal'), goal: z.string() }),
  z.looseObject({ kind: z.literal('holdout') }),
  z.looseObject({ kind: z.literal('definition_changed'), detail: z.string() }),
]);

/** A run's stored state. */
export const StoredRunState: z.ZodType<RunState> = z.looseObject({
  runId: z.string(),
  journeyId: z.string(),
  version: z.number(),
  profileId: z.string(),
  status: z.enum(['active', 'waiting', 'completed', 'exited']),
  node: z.string().nullable(),
  wakeAt: z.number().nullable(),
  awaiting: StoredAwaiting.nullable(),
  enteredAt: z.number(),
  updatedAt: z.number(),
  seq: z.number(),
  variant: z.string().optional(),
  trigger: EventFact.nullable(),
  data: Json.optional(),
  last: z
    .looseObject({
      event: EventFact.optional(),
      outcome: OutcomeFact.optional(),
      task: TaskOutcomeFact.optional(),
    })
    .optional(),
  messages: z.record(
    z.string(),
    z.looseObject({
      key: z.string(),
      outcomes: z.array(MessageOutcomeType),
      machine: z.array(MessageOutcomeType).optional(),
      reply: ReplyFact.optional(),
      data: Json.optional(),
    }),
  ),
  tasks: z.record(z.string(), z.string()),
  taskOutcomes: z.record(z.string(), TaskOutcomeFact).optional(),
  seen: z.array(
    z.looseObject({
      id: z.string().optional(),
      name: z.string(),
      at: z.number(),
      properties: Json,
    }),
  ),
  exit: StoredExitReason.optional(),
});

/**
 * Parses a JSON column's value with its schema; a value that does not fit throws, naming the
 * column and the first field that is wrong.
 */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, column: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new TypeError(`column ${column} does not hold what it should${at}: ${issue?.message}`);
}

/** `parseStored` of a nullable column (null stays null). */
export function parseStoredOrNull<T>(
  schema: z.ZodType<T>,
  value: unknown,
  column: string,
): T | null {
  return value === null ? null : parseStored(schema, value, column);
}
