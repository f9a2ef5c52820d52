/**
 * Opaque pagination cursors: the sort key of the last row of a page, as base64url JSON. Callers
 * only pass back the `next` they were given; anything else is rejected as invalid input.
 */
import { AppError } from '../errors.ts';

/** A part of a sort key. */
export type CursorPart = string | number;

/** Encodes the sort key of the last row of a page. */
export function encodeCursor(key: readonly CursorPart[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Kinds of the parts of a sort key, to validate a cursor against. */
type PartKinds = readonly ('string' | 'number')[];

/** The decoded parts for the given kinds. */
type Parts<K extends PartKinds> = { [I in keyof K]: K[I] extends 'number' ? number : string };

/** Decodes a cursor made by `encodeCursor` with parts of the given kinds. */
export function decodeCursor<const K extends PartKinds>(cursor: string, kinds: K): Parts<K> {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  const ok =
    Array.isArray(parts) &&
    parts.length === kinds.length &&
    parts.every((p, i) =>
      kinds[i] === 'number' ? typeof p === 'number' && Number.isFinite(p) : typeof p === 'string',
    );
  if (!ok) {
    throw new AppError('invalid_input', 'invalid cursor', [
      {
        path: 'cursor',
        message: 'not a cursor of this list',
        hint: 'pass back the `next` value of the previous page, unchanged',
      },
    ]);
  }
  return parts as Parts<K>;
}

/** Checks a page size: a positive integer (at most 10,000). */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new AppError('invalid_input', 'invalid page size', [
      { path: 'limit', message: 'must be an integer from 1 to 10000', hint: 'for example 100' },
    ]);
  }
  return limit;
}
