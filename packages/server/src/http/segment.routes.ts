/**
 * The Segment HTTP tracking API (`POST /v1/identify|track|page|screen|group|alias|batch`), so
 * Segment and RudderStack clients work by pointing their host here. Authenticated with HTTP Basic
 * (write key as user name, empty password) or `writeKey` in the body; app/segment.ts parses the
 * calls and enforces Segment's limits (32 KB a call, 500 KB a batch); app/ingest.ts stores them.
 * A retried call (same messageId) is accepted and stored once.
 */
import { z } from 'zod';
import { ingest } from '../app/ingest.ts';
import { CALL_TYPES, checkCallSize, parseBatch, parseCall, type CallType } from '../app/segment.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { named } from './schemas.ts';
import { bodyBytes } from './body.ts';

/** Segment's answer to an accepted request. */
const Success = named(z.object({ success: z.literal(true) }), 'SegmentSuccess');

// Documentation of the calls; app/segment.ts holds the schemas that validate them.
const Id = z.union([z.string(), z.number()]);
const Common = {
  messageId: z
    .string()
    .optional()
    .describe('unique id of the call; retries with it are stored once'),
  userId: Id.optional().describe('userId or anonymousId is required'),
  anonymousId: Id.optional(),
  timestamp: z.string().optional().describe('ISO 8601; corrected by `sentAt` for clock skew'),
  sentAt: z.string().optional().describe('ISO 8601 time the client sent the call'),
  context: z.record(z.string(), z.unknown()).optional(),
  integrations: z.record(z.string(), z.unknown()).optional(),
  writeKey: z.string().optional().describe('alternative to HTTP Basic authentication'),
};
const Props = z.record(z.string(), z.unknown()).optional();
const CallDocs: Record<CallType, z.ZodObject> = {
  identify: z.object({ ...Common, traits: Props }),
  track: z.object({ ...Common, event: z.string(), properties: Props }),
  page: z.object({
    ...Common,
    name: z.string().optional(),
    category: z.string().optional(),
    properties: Props,
  }),
  screen: z.object({ ...Common, name: z.string().optional(), properties: Props }),
  group: z.object({ ...Common, groupId: Id, traits: Props }),
  alias: z.object({ ...Common, previousId: Id, userId: Id }),
};
const inBatch = (type: CallType) => CallDocs[type].extend({ type: z.literal(type) });
const BatchDoc = z.object({
  batch: z
    .array(
      z.discriminatedUnion('type', [
        inBatch('identify'),
        inBatch('track'),
        inBatch('page'),
        inBatch('screen'),
        inBatch('group'),
        inBatch('alias'),
      ]),
    )
    .min(1),
  sentAt: z.string().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  writeKey: z.string().optional(),
});

const single = (type: CallType): AnyRoute =>
  defineRoute({
    id: `segment_${type}`,
    method: 'POST',
    url: `/v1/${type}`,
    auth: 'write',
    tag: 'Segment tracking API',
    summary: `Segment ${type} call`,
    bodyDoc: { 'application/json': CallDocs[type] },
    response: Success,
    errors: ['invalid_input', 'payload_too_large', 'unauthorized'],
    async handler({ deps, workspaceId, body }) {
      checkCallSize(body, '');
      await ingest(deps, workspaceId, [parseCall(type, body, '')]);
      return { success: true as const };
    },
  });

/** The Segment tracking routes. */
export const segmentRoutes: AnyRoute[] = [
  ...CALL_TYPES.map(single),
  defineRoute({
    id: 'segment_batch',
    method: 'POST',
    url: '/v1/batch',
    auth: 'write',
    tag: 'Segment tracking API',
    summary: 'Segment batch of calls (at most 500 KB, each call at most 32 KB)',
    description:
      'The whole batch is rejected when one call is invalid; the error names it (`batch.3.userId`).',
    bodyDoc: { 'application/json': BatchDoc },
    response: Success,
    errors: ['invalid_input', 'payload_too_large', 'unauthorized'],
    async handler({ deps, workspaceId, body, request }) {
      const calls = parseBatch(body, bodyBytes(request));
      await ingest(deps, workspaceId, calls);
      return { success: true as const };
    },
  }),
];
