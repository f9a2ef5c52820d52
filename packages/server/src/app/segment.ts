/**
 * The Segment HTTP tracking API's payloads (identify, track, page, screen, group, alias, batch),
 * parsed from `unknown` with a schema, and Segment's limits: 32 KB a call, 500 KB a batch.
 */
import { z } from 'zod';
import { AppError, type ErrorDetail } from '../errors.ts';

/** Segment's per-call size limit. */
export const MAX_CALL_BYTES = 32 * 1024;
/** Segment's per-batch size limit. */
export const MAX_BATCH_BYTES = 500 * 1024;

/** Segment call types. */
export const CALL_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
/** A Segment call type. */
export type CallType = (typeof CALL_TYPES)[number];

const Id = z.union([z.string().min(1).max(512), z.number().transform(String)]);
const Time = z.union([
  z.iso.datetime({ offset: true }),
  z.iso.datetime({ local: true }),
  z.iso.date(),
]);
const Obj = z.record(z.string(), z.unknown());

const Common = {
  messageId: z.string().min(1).max(512).optional(),
  userId: Id.nullish(),
  anonymousId: Id.nullish(),
  timestamp: Time.optional(),
  originalTimestamp: Time.optional(),
  sentAt: Time.optional(),
  context: Obj.optional(),
  integrations: Obj.optional(),
};

const CallSchemas = {
  identify: z.object({ ...Common, traits: Obj.optional() }),
  track: z.object({ ...Common, event: z.string().min(1).max(512), properties: Obj.optional() }),
  page: z.object({
    ...Common,
    name: z.string().optional(),
    category: z.string().optional(),
    properties: Obj.optional(),
  }),
  screen: z.object({ ...Common, name: z.string().optional(), properties: Obj.optional() }),
  group: z.object({ ...Common, groupId: Id, traits: Obj.optional() }),
  alias: z.object({ ...Common, previousId: Id, userId: Id }),
} as const;

/** A validated Segment call. */
export interface SegmentCall {
  type: CallType;
  messageId: string | undefined;
  userId: string | undefined;
  anonymousId: string | undefined;
  /** For alias: the id being merged into `userId`. */
  previousId: string | undefined;
  /** Event name (track), page/screen name. */
  name: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown> | undefined;
  context: Record<string, unknown>;
  timestamp: string | undefined;
  sentAt: string | undefined;
}

function issuePath(prefix: string, path: PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter(Boolean).join('.');
}

/** Parses one call of a known type; throws AppError invalid_input naming the field. */
export function parseCall(type: CallType, raw: unknown, path: string): SegmentCall {
  const parsed = CallSchemas[type].safeParse(raw);
  if (!parsed.success) {
    const details: ErrorDetail[] = parsed.error.issues.map((i) => ({
      path: issuePath(path, i.path),
      message: i.message,
    }));
    throw new AppError(
      'invalid_input',
      `invalid ${type} call: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  const c = parsed.data as z.infer<(typeof CallSchemas)['track']> &
    Partial<z.infer<(typeof CallSchemas)['page']>> &
    Partial<z.infer<(typeof CallSchemas)['identify']>> &
    Partial<z.infer<(typeof CallSchemas)['alias']>> &
    Partial<z.infer<(typeof CallSchemas)['group']>>;
  const userId = c.userId ?? undefined;
  const anonymousId = c.anonymousId ?? undefined;
  if (!userId && !anonymousId) {
    throw new AppError('invalid_input', `${path || 'body'}: userId or anonymousId is required`, [
      { path: issuePath(path, ['userId']), message: 'userId or anonymousId is required' },
    ]);
  }
  const properties: Record<string, unknown> = { ...(c.properties ?? {}) };
  if (type === 'page' || type === 'screen') {
    if (c.name !== undefined) properties.name ??= c.name;
    if (c.category !== undefined) properties.category ??= c.category;
  }
  if (type === 'group') properties.groupId = c.groupId;
  return {
    type,
    messageId: c.messageId,
    userId,
    anonymousId,
    previousId: type === 'alias' ? c.previousId : undefined,
    name: type === 'track' ? c.event : type,
    properties,
    traits: c.traits,
    context: c.context ?? {},
    timestamp: c.timestamp ?? c.originalTimestamp,
    sentAt: c.sentAt,
  };
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** Checks a single call's size. */
export function checkCallSize(raw: unknown, path: string): void {
  const size = byteLength(raw);
  if (size > MAX_CALL_BYTES) {
    throw new AppError(
      'payload_too_large',
      `${path || 'body'} is ${size} bytes; Segment's limit is 32 KB (32768 bytes) a call`,
      [
        {
          path: path || 'body',
          message: `${size} bytes exceeds 32768`,
          hint: 'send less data in properties or traits',
        },
      ],
    );
  }
}

/** Parses a `/v1/batch` body: every call is checked; the first problem rejects the batch. */
export function parseBatch(body: unknown, rawBytes: number): SegmentCall[] {
  if (rawBytes > MAX_BATCH_BYTES) {
    throw new AppError(
      'payload_too_large',
      `batch is ${rawBytes} bytes; Segment's limit is 500 KB (512000 bytes) a batch`,
      [
        {
          path: 'batch',
          message: `${rawBytes} bytes exceeds 512000`,
          hint: 'send smaller batches',
        },
      ],
    );
  }
  const envelope = z
    .object({
      batch: z.array(z.unknown()).min(1),
      sentAt: Time.optional(),
      context: Obj.optional(),
    })
    .safeParse(body);
  if (!envelope.success) {
    const details = envelope.error.issues.map((i) => ({
      path: issuePath('', i.path) || 'body',
      message: i.message,
    }));
    throw new AppError(
      'invalid_input',
      `invalid batch: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  // A body under the per-call limit cannot hold a call over it: measure calls only otherwise.
  const measure = rawBytes > MAX_CALL_BYTES;
  return envelope.data.batch.map((raw, i) => {
    const path = `batch.${i}`;
    if (measure) checkCallSize(raw, path);
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !(CALL_TYPES as readonly string[]).includes(type)) {
      throw new AppError(
        'invalid_input',
        `${path}.type: expected one of ${CALL_TYPES.join(', ')}`,
        [{ path: `${path}.type`, message: `expected one of ${CALL_TYPES.join(', ')}` }],
      );
    }
    const call = parseCall(type as CallType, raw, path);
    return {
      ...call,
      sentAt: call.sentAt ?? envelope.data.sentAt,
      context: { ...(envelope.data.context ?? {}), ...call.context },
    };
  });
}

/**
 * Segment's clock-skew correction: `timestamp = receivedAt - (sentAt - timestamp)` when the client
 * sent `sentAt`; else the call's own timestamp; else the time it was received.
 */
export function correctedTimestamp(
  call: Pick<SegmentCall, 'timestamp' | 'sentAt'>,
  receivedAt: number,
): number {
  const ts = call.timestamp ? Date.parse(call.timestamp) : NaN;
  if (Number.isNaN(ts)) return receivedAt;
  const sent = call.sentAt ? Date.parse(call.sentAt) : NaN;
  if (Number.isNaN(sent)) return ts;
  return receivedAt - (sent - ts);
}
