/**
 * Stored JSON is parsed, not cast: `parseStored` checks a JSON column's value against its schema
 * (journey definitions against core's `JourneyDocument`; run state against core's
 * `RunStateSchema`, `AwaitingSchema` and `ExitReasonSchema`).
 */
import type { z } from 'zod';

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
