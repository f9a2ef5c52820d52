/**
 * Batch writes. Multi-row statements are written here as text made only of identifiers and
 * placeholders (every value is a bind parameter), sized under the dialect's parameter limit:
 * building them with Kysely's query builder costs about a microsecond per value, which at the
 * rates the engine needs is a fifth of a core. Reads use the query builder.
 */
import { CompiledQuery, type Insertable } from 'kysely';
import type { CastType, RepoContext, SqlDialect } from './dialect.ts';
import type { Database } from './schema.ts';

/** A table of the store. */
type Table = keyof Database & string;

/** A column of a table. */
type Column<T extends Table> = keyof Database[T] & string;

/** Splits rows into chunks whose statements stay under the dialect's bind-parameter limit. */
export function chunks<T>(rows: readonly T[], paramsPerRow: number, dialect: SqlDialect): T[][] {
  const size = Math.max(1, Math.floor(dialect.maxParams / paramsPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Splits a list of keys for `IN (...)` lists (one parameter each). */
export function keyChunks<T>(keys: readonly T[], dialect: SqlDialect): T[][] {
  return chunks(keys, 1, dialect);
}

/** Quotes an identifier (identifiers here are constants of this folder, never input). */
const id = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Appends one row's values as a parenthesised list of placeholders. */
function tuple(
  dialect: SqlDialect,
  params: unknown[],
  values: readonly unknown[],
  casts?: ReadonlyArray<CastType | undefined>,
): string {
  const marks: string[] = [];
  values.forEach((value, i) => {
    params.push(value === undefined ? null : value);
    marks.push(dialect.param(params.length, casts?.[i]));
  });
  return `(${marks.join(', ')})`;
}

/** What `insertMany` writes. */
export interface InsertSpec<T extends Table> {
  table: T;
  columns: ReadonlyArray<Column<T>>;
  /** `ON CONFLICT (target) DO NOTHING`, or `DO UPDATE SET` the `update` columns from `excluded`. */
  conflict?: { target: ReadonlyArray<Column<T>>; update?: ReadonlyArray<Column<T>> };
  /** Columns to return (of the rows actually inserted). */
  returning?: ReadonlyArray<Column<T>>;
}

/** Multi-row INSERT (chunked); returns the `returning` columns of the rows written. */
export async function insertMany<T extends Table, R = never>(
  c: RepoContext,
  spec: InsertSpec<T>,
  rows: ReadonlyArray<Insertable<Database[T]>>,
): Promise<R[]> {
  const head = `insert into ${id(spec.table)} (${spec.columns.map(id).join(', ')}) values `;
  let tail = '';
  if (spec.conflict) {
    const { target, update } = spec.conflict;
    tail += ` on conflict (${target.map(id).join(', ')}) do `;
    tail += update?.length
      ? `update set ${update.map((col) => `${id(col)} = excluded.${id(col)}`).join(', ')}`
      : 'nothing';
  }
  if (spec.returning?.length) tail += ` returning ${spec.returning.map(id).join(', ')}`;
  const out: R[] = [];
  for (const part of chunks(rows, spec.columns.length, c.dialect)) {
    const params: unknown[] = [];
    const tuples = part.map((row) => {
      const record: Record<string, unknown> = row;
      return tuple(
        c.dialect,
        params,
        spec.columns.map((col) => record[col]),
      );
    });
    const result = await c.db.executeQuery<R>(
      CompiledQuery.raw(head + tuples.join(', ') + tail, params),
    );
    out.push(...result.rows);
  }
  return out;
}

/** What `updateMany` writes. */
export interface UpdateSpec<T extends Table> {
  table: T;
  /** Columns that identify a row (matched, not written). */
  key: ReadonlyArray<Column<T>>;
  /** Columns written, with the cast PostgreSQL needs for non-text columns. */
  set: ReadonlyArray<readonly [column: Column<T>, cast?: CastType]>;
}

/**
 * Updates many rows, each to its own values, in one statement per chunk on both dialects:
 * `WITH v(...) AS (VALUES (...), ...) UPDATE t SET c = v.c, ... FROM v WHERE t.k = v.k`.
 */
export async function updateMany<T extends Table>(
  c: RepoContext,
  spec: UpdateSpec<T>,
  /** Each row needs the key and `set` columns; other columns are ignored. */
  rows: ReadonlyArray<Partial<Insertable<Database[T]>>>,
): Promise<void> {
  const columns = [...spec.key, ...spec.set.map(([col]) => col)];
  const casts = [...spec.key.map(() => undefined), ...spec.set.map(([, cast]) => cast)];
  const table = id(spec.table);
  const head = `with v (${columns.map(id).join(', ')}) as (values `;
  const tail =
    `) update ${table} set ${spec.set.map(([col]) => `${id(col)} = v.${id(col)}`).join(', ')}` +
    ` from v where ${spec.key.map((col) => `${table}.${id(col)} = v.${id(col)}`).join(' and ')}`;
  for (const part of chunks(rows, columns.length, c.dialect)) {
    const params: unknown[] = [];
    const tuples = part.map((row) => {
      const record: Record<string, unknown> = row;
      return tuple(
        c.dialect,
        params,
        columns.map((col) => record[col]),
        casts,
      );
    });
    await c.db.executeQuery(CompiledQuery.raw(head + tuples.join(', ') + tail, params));
  }
}

/**
 * The input rows an `INSERT ... ON CONFLICT (workspace_id, idempotency_key) DO NOTHING` kept, in
 * input order, given the keys it returned. Of input rows sharing a key, the first was kept.
 */
export function pickInserted<T extends { workspaceId: string; idempotencyKey: string }>(
  input: readonly T[],
  returned: ReadonlyArray<{ workspace_id: string; idempotency_key: string }>,
): T[] {
  const kept = new Set(returned.map((r) => `${r.workspace_id}\u0000${r.idempotency_key}`));
  const out: T[] = [];
  for (const row of input) {
    const key = `${row.workspaceId}\u0000${row.idempotencyKey}`;
    if (kept.delete(key)) out.push(row);
  }
  return out;
}
