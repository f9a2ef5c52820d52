/**
 * Schemas of a run's state (`RunState`, with `Awaiting` and `ExitReason`), for reading it back
 * from where it was kept: the server stores it as JSON and parses it with these, never casts it.
 * Each is typed against the interface of `types.ts`, so a field added or changed there fails to
 * compile here. Objects are loose: keys this build does not know are kept as they were.
 */
import { z } from 'zod';
import { MessageOutcomeType } from '../conditions/schema.ts';
import { Channel } from '../journey/channel.ts';
import type { Awaiting, ExitReason, RunState } from './types.ts';

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

/** What a run waits for. */
export const AwaitingSchema: z.ZodType<Awaiting> = z.discriminatedUnion('kind', [
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

/** Why a run ended. */
export const ExitReasonSchema: z.ZodType<ExitReason> = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('completed') }),
  z.looseObject({ kind: z.literal('exit_node'), node: z.string(), reason: z.string().optional() }),
  z.looseObject({ kind: z.literal('goal'), goal: z.string() }),
  z.looseObject({ kind: z.literal('holdout') }),
  z.looseObject({ kind: z.literal('definition_changed'), detail: z.string() }),
  z.looseObject({ kind: z.literal('cancelled'), reason: z.string() }),
]);

/** A run's state. */
export const RunStateSchema: z.ZodType<RunState> = z.looseObject({
  runId: z.string(),
  journeyId: z.string(),
  version: z.number(),
  profileId: z.string(),
  status: z.enum(['active', 'waiting', 'completed', 'exited']),
  node: z.string().nullable(),
  wakeAt: z.number().nullable(),
  awaiting: AwaitingSchema.nullable(),
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
  exit: ExitReasonSchema.optional(),
});
