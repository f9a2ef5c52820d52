/**
 * Batch writes. Multi-row statements are written here as text made only of identifiers and
 * placeholders (every value is a bind parameter): building them with Kysely's query builder costs
 * about a microsecond per value, which at the rates the engine needs is a fifth of a core. Reads
 * use the query builder.
 *
 * SQLite: VALUES lists sized under its parameter limit (prepared statements are cached by the
 * driver). PostgreSQL: the rows as one JSON parameter, `json_to_recordset($1::json) as v (...)`:
 * a short statement of constant text whatever the number of rows, instead of a VALUES list of
 * thousands of parameters that PostgreSQL parses and plans each time (about 3x slower).
 */
import { CompiledQuery, sql, type Insertable, type RawBuilder, type SqlBool } from 'kysely';
import { sanitizeJsonText, type CastType, type RepoContext, type SqlDialect } from './dialect.ts';
import type { Database } from './schema.ts';

/** A table of the store. */
type Table = keyof Database & string;

/** A column of a table. */
type Column<T extends Table> = keyof Database[T] & string;

/** PostgreSQL types of the columns batch statements write (the arrays their values are sent as). */
type PgType = 'text' | 'bigint' | 'integer' | 'smallint' | 'json' | 'jsonb';

/** Tables written by `insertMany` / `updateMany`. */
type BatchTable =
  | 'profiles'
  | 'identities'
  | 'events'
  | 'runs'
  | 'run_trace'
  | 'messages'
  | 'tasks'
  | 'list_members'
  | 'trigger_timers'
  | 'subscriptions';

const PG_TYPES: { [T in BatchTable]: Record<Column<T>, PgType> } = {
  profiles: {
    workspace_id: 'text',
    id: 'text',
    traits: 'jsonb',
    created_at: 'bigint',
    updated_at: 'bigint',
    last_seen_at: 'bigint',
    merged_into: 'text',
  },
  identities: { workspace_id: 'text', kind: 'text', value: 'text', profile_id: 'text' },
  events: {
    seq: 'bigint',
    workspace_id: 'text',
    profile_id: 'text',
    message_id: 'text',
    type: 'text',
    name: 'text',
    properties: 'json',
    context: 'json',
    timestamp: 'bigint',
    received_at: 'bigint',
    processed_at: 'bigint',
    partition: 'smallint',
  },
  runs: {
    workspace_id: 'text',
    profile_id: 'text',
    id: 'text',
    journey_id: 'text',
    version: 'integer',
    status: 'text',
    node: 'text',
    wake_at: 'bigint',
    awaiting: 'jsonb',
    state: 'jsonb',
    entered_at: 'bigint',
    updated_at: 'bigint',
    ended_at: 'bigint',
    exit: 'jsonb',
  },
  run_trace: {
    id: 'bigint',
    workspace_id: 'text',
    profile_id: 'text',
    run_id: 'text',
    at: 'bigint',
    entries: 'jsonb',
  },
  messages: {
    workspace_id: 'text',
    profile_id: 'text',
    id: 'text',
    idempotency_key: 'text',
    run_id: 'text',
    journey_id: 'text',
    version: 'integer',
    node_id: 'text',
    kind: 'text',
    channel: 'text',
    recipient: 'text',
    template: 'text',
    content: 'json',
    status: 'text',
    attempts: 'integer',
    available_at: 'bigint',
    lease_until: 'bigint',
    provider_message_id: 'text',
    error: 'text',
    created_at: 'bigint',
    updated_at: 'bigint',
    sent_at: 'bigint',
    attempt_at: 'bigint',
  },
  tasks: {
    workspace_id: 'text',
    profile_id: 'text',
    id: 'text',
    idempotency_key: 'text',
    run_id: 'text',
    journey_id: 'text',
    node_id: 'text',
    team: 'text',
    title: 'text',
    description: 'text',
    due_at: 'bigint',
    status: 'text',
    assignee: 'text',
    outcome: 'text',
    note: 'text',
    created_at: 'bigint',
    updated_at: 'bigint',
    completed_at: 'bigint',
    escalated_at: 'bigint',
  },
  list_members: { workspace_id: 'text', profile_id: 'text', list_id: 'text', added_at: 'bigint' },
  trigger_timers: {
    workspace_id: 'text',
    profile_id: 'text',
    journey_id: 'text',
    kind: 'text',
    wake_at: 'bigint',
    data: 'jsonb',
  },
  subscriptions: {
    workspace_id: 'text',
    profile_id: 'text',
    channel: 'text',
    topic: 'text',
    status: 'text',
    source: 'text',
    updated_at: 'bigint',
  },
};

/** Rows per PostgreSQL array statement (bounds the size of one message). */
const PG_ROWS = 10_000;

/**
 * `json_to_recordset($n::json) as v (c1 type1, c2 type2, ...)` over `rows`: the rows travel as ONE
 * JSON text parameter, appended to `params`. JSON columns are spliced in as the JSON text they
 * already are (no re-encoding), other values go through `JSON.stringify`. Cheaper on both sides
 * than one array parameter per column: no array-literal escaping of every JSON value in
 * JavaScript (which doubled their quotes), and PostgreSQL parses one document.
 */
function recordset<T extends BatchTable>(
  table: T,
  columns: ReadonlyArray<Column<T>>,
  rows: ReadonlyArray<Record<string, unknown>>,
  params: unknown[],
): string {
  const types: Record<string, PgType> = PG_TYPES[table];
  const fields = columns.map(
    (col) => [`"${col}":`, types[col] === 'jsonb' || types[col] === 'json'] as const,
  );
  const parts: string[] = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let text = '{';
    for (let i = 0; i < columns.length; i++) {
      const [name, isJson] = fields[i]!;
      const value = row[columns[i]!] ?? null;
      if (i > 0) text += ',';
      // A JSON column's value is JSON text already (`toJson`); JSON null reads back as SQL NULL.
      text += name + (isJson && typeof value === 'string' ? value : JSON.stringify(value));
    }
    parts[r] = text + '}';
  }
  const doc = `[${parts.join(',')}]`;
  // Text values may hold what PostgreSQL cannot store (NUL, unpaired surrogates): as in `toJson`.
  params.push(doc.includes('\\u') ? sanitizeJsonText(doc) : doc);
  const defs = columns.map((col) => `${id(col)} ${types[col]}`).join(', ');
  return `json_to_recordset($${params.length}::json) as v (${defs})`;
}

/**
 * `column IN (...)` for a chunk of keys from `keyChunks`. On PostgreSQL `column = any($n::type[])`,
 * one array parameter (a long IN list is as many parameters to bind, parse and plan). Not
 * `in (select unnest($n))`: on a table not analyzed yet that semi-join may be planned with the
 * table outside, reading a whole workspace once per key (seconds); `= any` at worst filters a
 * workspace once.
 */
export function inList(
  dialect: SqlDialect,
  column: string,
  keys: ReadonlyArray<string | number>,
  type: 'text' | 'bigint' = 'text',
): RawBuilder<SqlBool> {
  return dialect.name === 'postgres'
    ? sql<SqlBool>`${sql.ref(column)} = any(${sql.val(keys)}::${sql.raw(type)}[])`
    : sql<SqlBool>`${sql.ref(column)} in (${sql.join(keys)})`;
}

/** Splits rows into chunks whose statements stay under the dialect's bind-parameter limit. */
export function chunks<T>(rows: readonly T[], paramsPerRow: number, dialect: SqlDialect): T[][] {
  const size = Math.max(1, Math.floor(dialect.maxParams / paramsPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Splits a list of keys for `inList` (one parameter each on SQLite, one array on PostgreSQL). */
export function keyChunks<T>(keys: readonly T[], dialect: SqlDialect): T[][] {
  if (dialect.name !== 'postgres') return chunks(keys, 1, dialect);
  const out: T[][] = [];
  for (let i = 0; i < keys.length; i += PG_ROWS) out.push(keys.slice(i, i + PG_ROWS));
  return out;
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
export interface InsertSpec<T extends BatchTable> {
  table: T;
  columns: ReadonlyArray<Column<T>>;
  /** `ON CONFLICT (target) DO NOTHING`, or `DO UPDATE SET` the `update` columns from `excluded`. */
  conflict?: { target: ReadonlyArray<Column<T>>; update?: ReadonlyArray<Column<T>> };
  /** Columns to return (of the rows actually inserted). */
  returning?: ReadonlyArray<Column<T>>;
}

/** Multi-row INSERT (chunked); returns the `returning` columns of the rows written. */
export async function insertMany<T extends BatchTable, R = never>(
  c: RepoContext,
  spec: InsertSpec<T>,
  rows: ReadonlyArray<Insertable<Database[T]>>,
): Promise<R[]> {
  const head = `insert into ${id(spec.table)} (${spec.columns.map(id).join(', ')}) `;
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
  if (rows.length === 0) return out;
  if (c.dialect.name === 'postgres') {
    for (let i = 0; i < rows.length; i += PG_ROWS) {
      const params: unknown[] = [];
      const from = recordset(spec.table, spec.columns, rows.slice(i, i + PG_ROWS), params);
      const text = `${head}select * from ${from}${tail}`;
      out.push(...(await c.db.executeQuery<R>(CompiledQuery.raw(text, params))).rows);
    }
    return out;
  }
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
      CompiledQuery.raw(`${head}values ${tuples.join(', ')}${tail}`, params),
    );
    out.push(...result.rows);
  }
  return out;
}

/** What `updateMany` writes. */
export interface UpdateSpec<T extends BatchTable> {
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
export async function updateMany<T extends BatchTable>(
  c: RepoContext,
  spec: UpdateSpec<T>,
  /** Each row needs the key and `set` columns; other columns are ignored. */
  rows: ReadonlyArray<Partial<Insertable<Database[T]>>>,
): Promise<void> {
  const columns = [...spec.key, ...spec.set.map(([col]) => col)];
  const casts = [...spec.key.map(() => undefined), ...spec.set.map(([, cast]) => cast)];
  const table = id(spec.table);
  const assign = spec.set.map(([col]) => `${id(col)} = v.${id(col)}`).join(', ');
  const match = spec.key.map((col) => `${table}.${id(col)} = v.${id(col)}`).join(' and ');
  if (rows.length === 0) return;
  if (c.dialect.name === 'postgres') {
    for (let i = 0; i < rows.length; i += PG_ROWS) {
      const params: unknown[] = [];
      const from = recordset(spec.table, columns, rows.slice(i, i + PG_ROWS), params);
      const text = `update ${table} set ${assign} from ${from} where ${match}`;
      await c.db.executeQuery(CompiledQuery.raw(text, params));
    }
    return;
  }
  const head = `with v (${columns.map(id).join(', ')}) as (values `;
  const tail = `) update ${table} set ${assign} from v where ${match}`;
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
