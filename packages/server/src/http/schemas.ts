/**
 * Schemas of what the HTTP API answers: they document the responses in OpenAPI, and each route's
 * handler must return a value of its response schema's type, so a change in app/ that breaks a
 * documented shape fails the type check.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';

const names = new WeakMap<z.ZodType, string>();

/** Gives a schema used by several routes its OpenAPI component name. */
export function named<T extends z.ZodType>(schema: T, name: string): T {
  names.set(schema, name);
  return schema;
}

/** The component name given with `named`. */
export function componentName(schema: z.ZodType): string | undefined {
  return names.get(schema);
}

const Millis = z.number().int().describe('epoch milliseconds');
const Json = z.record(z.string(), z.unknown());

/** One problem with the input. */
export const ErrorDetailSchema = z.object({
  path: z.string().describe('dotted path of the field, e.g. `batch.3.userId`'),
  message: z.string(),
  code: z.string().optional(),
  hint: z.string().optional(),
});

/** The body of every error response. */
export const ErrorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.array(ErrorDetailSchema),
  }),
});

/** `{ "ok": true }`. */
export const OkSchema = named(z.object({ ok: z.literal(true) }), 'Ok');

/** A page of items with the cursor of the next page (null on the last). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next: z.string().nullable() });
}

/** A journey (its versions are listed apart). */
export const JourneyRowSchema = z.object({
  workspaceId: z.string(),
  id: z.string(),
  name: z.string(),
  publishedVersion: z.number().int().nullable().describe('the version new runs enter'),
  latestVersion: z.number().int(),
  triggerType: z.string().nullable(),
  triggerEvent: z.string().nullable(),
  status: z.enum(['draft', 'live', 'paused', 'archived']),
  createdAt: Millis,
  updatedAt: Millis,
});

/** A profile (customer). */
export const ProfileRowSchema = z.object({
  workspaceId: z.string(),
  id: z.string(),
  traits: Json,
  createdAt: Millis,
  updatedAt: Millis,
  lastSeenAt: Millis.nullable(),
  mergedInto: z.string().nullable(),
});

/** An identity of a profile. */
export const IdentitySchema = z.object({
  workspaceId: z.string(),
  kind: z.enum(['userId', 'anonymousId', 'email', 'phone']),
  value: z.string(),
  profileId: z.string(),
});

/** A run with a sentence saying where it is and why. */
export const RunViewSchema = z.object({
  workspaceId: z.string(),
  profileId: z.string(),
  id: z.string(),
  journeyId: z.string(),
  version: z.number().int().describe('the journey version the run follows'),
  status: z.enum(['active', 'waiting', 'completed', 'exited']),
  node: z.string().nullable(),
  wakeAt: Millis.nullable(),
  awaiting: z.looseObject({ kind: z.string() }).nullable(),
  enteredAt: Millis,
  updatedAt: Millis,
  endedAt: Millis.nullable(),
  exit: z.looseObject({ kind: z.string() }).nullable(),
  where: z.string().describe('e.g. "waiting for email opened (node email) until …"'),
  variant: z.string().nullable(),
});

/** A line of a run's history. */
export const TraceSchema = z.object({
  workspaceId: z.string(),
  profileId: z.string(),
  runId: z.string(),
  at: Millis,
  node: z.string().nullable(),
  what: z.string(),
  detail: z.string(),
});

/** A stored event. */
export const EventSchema = z.object({
  workspaceId: z.string(),
  profileId: z.string(),
  seq: z.number().int(),
  messageId: z.string(),
  type: z.enum(['track', 'identify', 'page', 'screen', 'group', 'alias', 'inbound']),
  name: z.string(),
  properties: Json,
  context: Json,
  timestamp: Millis.describe('event time, corrected for client clock skew'),
  receivedAt: Millis,
  processedAt: Millis.nullable(),
  partition: z.number().int(),
});

/** An outbox row: a rendered message (or webhook, alert) and its delivery status. */
export const MessageSchema = z.object({
  workspaceId: z.string(),
  profileId: z.string(),
  id: z.string(),
  idempotencyKey: z.string(),
  runId: z.string().nullable(),
  journeyId: z.string().nullable(),
  nodeId: z.string().nullable(),
  kind: z.enum(['message', 'webhook', 'alert']),
  channel: z.string(),
  recipient: z.string().nullable(),
  template: z.string().nullable(),
  content: Json.describe('rendered content: subject, body, html, or the webhook request'),
  status: z
    .enum(['pending', 'sending', 'sent', 'delivered', 'failed', 'skipped', 'dead', 'unknown'])
    .describe(
      'unknown: the process stopped while the provider had it, on a channel that sends at most once: it may or may not have gone out, and is not sent again',
    ),
  attempts: z.number().int(),
  availableAt: Millis,
  leaseUntil: Millis.nullable(),
  providerMessageId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: Millis,
  updatedAt: Millis,
  sentAt: Millis.nullable(),
  attemptAt: Millis.nullable()
    .optional()
    .describe('when the attempt in flight was handed to the provider; null when none is'),
});

/** A task for staff. */
export const TaskSchema = z.object({
  workspaceId: z.string(),
  profileId: z.string(),
  id: z.string(),
  idempotencyKey: z.string(),
  runId: z.string().nullable(),
  journeyId: z.string().nullable(),
  nodeId: z.string().nullable(),
  team: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  dueAt: Millis,
  status: z.enum(['open', 'claimed', 'done']),
  assignee: z.string().nullable(),
  outcome: z.string().nullable(),
  note: z.string().nullable(),
  createdAt: Millis,
  updatedAt: Millis,
  completedAt: Millis.nullable(),
});

/** A validation issue of a journey document. */
export const IssueSchema = z.object({
  path: z.string(),
  node: z.string().optional(),
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
