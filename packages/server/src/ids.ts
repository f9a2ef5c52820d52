import { createHash, randomBytes } from 'node:crypto';

// Random bytes are drawn in blocks: one system call per 256 ids instead of one per id.
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let offset = 0;

function random16(): Buffer {
  if (offset + 16 > pool.length) {
    pool = randomBytes(16 * POOL_IDS);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + 16));
  offset += 16;
  return bytes;
}

/** A UUIDv7: time-ordered, so ids sort by creation time (good for pagination and indexes). */
export function newId(now: number = Date.now()): string {
  const bytes = random16();
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A random secret of `bytes` bytes, URL-safe. */
export function newSecret(prefix: string, bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** SHA-256 hex digest (keys are stored hashed). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Number of event partitions; a worker leases partitions so each profile's events stay in order. */
export const EVENT_PARTITIONS = 16;

/** A stable small hash of a string, for partitioning by profile. */
export function partitionOf(profileId: string, partitions: number): number {
  let h = 2166136261;
  for (let i = 0; i < profileId.length; i += 1) {
    h ^= profileId.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % partitions;
}
