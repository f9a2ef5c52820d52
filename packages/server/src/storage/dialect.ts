/**
 * Everything that differs between SQLite and PostgreSQL, in one small object the repos share:
 * JSON decoding, row locks for claims, bind-parameter placeholders and their limit.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { StoreCapabilities } from './store.ts';

/** The two SQL dialects the store speaks. */
export type DialectName = 'sqlite' | 'postgres';

/** Column types a VALUES list may need to be cast to. */
export type CastType = 'bigint' | 'integer' | 'json' | 'jsonb';

/** Dialect differences used by the repos. */
export interface SqlDialect {
  readonly name: DialectName;
  /** Most bind parameters one statement may carry (SQLite 32766, PostgreSQL 65535), with room. */
  readonly maxParams: number;
  /** What the store on this dialect can do (row locks: PostgreSQL), as callers see it. */
  readonly capabilities: StoreCapabilities;
  /** Reads a JSON column as returned by the driver (parsed by pg; text on SQLite). */
  parseJson(value: unknown): unknown;
  /**
   * The placeholder of the n-th (1-based) bind parameter, cast to a column type where the
   * dialect needs it (PostgreSQL types parameters of a VALUES list as text otherwise).
   */
  param(n: number, cast?: CastType): string;
}

/** The SQLite dialect helpers. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  maxParams: 32_000,
  capabilities: { rowLocks: false, writeLanes: 1, dueRunBatch: 500 },
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  param: () => '?',
};

/** The PostgreSQL dialect helpers. */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  maxParams: 65_000,
  capabilities: { rowLocks: true, writeLanes: 4, dueRunBatch: 2000 },
  parseJson: (value) => value,
  param: (n, cast) => (cast ? `$${n}::${cast}` : `$${n}`),
};

/** What every repo works with: a Kysely handle (the store's or a transaction's) and dialect. */
export interface RepoContext {
  db: Kysely<Database>;
  dialect: SqlDialect;
}

// `\u0000` and lone surrogates (`\ud800`..`\udfff`, which JSON.stringify escapes only when they
// are unpaired) after an even run of backslashes: PostgreSQL's jsonb rejects both.
const UNSTORABLE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/**
 * Encodes a value for a JSON column. NUL characters and unpaired surrogates become U+FFFD, on both
 * backends alike, because PostgreSQL's jsonb cannot hold them.
 */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('value is not JSON-serialisable');
  return text.includes('\\u') ? sanitizeJsonText(text) : text;
}

/** Replaces the escapes of NUL and unpaired surrogates in JSON text with U+FFFD. */
export function sanitizeJsonText(text: string): string {
  return text.replace(UNSTORABLE, '$1\\ufffd');
}

/** Encodes a nullable value for a JSON column (null stays SQL NULL). */
export function toJsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toJson(value);
}

/** Reads a JSON column that must hold an object. */
export function readObject(
  dialect: SqlDialect,
  value: unknown,
  column: string,
): Record<string, unknown> {
  const parsed = dialect.parseJson(value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`column ${column} does not hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Reads a JSON column that must hold an array. */
export function readArray(dialect: SqlDialect, value: unknown, column: string): unknown[] {
  const parsed = dialect.parseJson(value);
  if (!Array.isArray(parsed)) throw new TypeError(`column ${column} does not hold a JSON array`);
  return parsed;
}

/** Reads a nullable JSON column that holds an object when set. */
export function readObjectOrNull(
  dialect: SqlDialect,
  value: unknown,
  column: string,
): Record<string, unknown> | null {
  return value === null || value === undefined ? null : readObject(dialect, value, column);
}
