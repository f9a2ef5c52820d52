/**
 * Opens a store from a URL: `postgres://…` / `postgresql://…` (a pg pool), or `sqlite:<path>`,
 * `file:<path>`, `:memory:` (better-sqlite3 in WAL mode, synchronous=FULL, one writer).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, type KyselyConfig } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors.ts';
import { postgresDialect, sqliteDialect } from './dialect.ts';
import { kyselyStore, type KyselyStore } from './kysely-store.ts';
import { sqliteKyselyDialect } from './sqlite-driver.ts';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';

/** A statement the store ran. */
export interface QueryLog {
  sql: string;
  parameters: readonly unknown[];
  ms: number;
  error?: unknown;
}

/** Where the store lives. */
export interface StoreConfig {
  /** `postgres://…`, `postgresql://…`, `sqlite:<path>`, `file:<path>` or `:memory:`. */
  url: string;
  /** Called after every statement (slow-query logs, query-plan tests). */
  onQuery?: ((query: QueryLog) => void) | undefined;
}

/** Kysely's `log` option for `onQuery`. */
function logger(onQuery: StoreConfig['onQuery']): KyselyConfig['log'] {
  if (!onQuery) return undefined;
  return (event) =>
    onQuery({
      sql: event.query.sql,
      parameters: event.query.parameters,
      ms: event.queryDurationMillis,
      ...(event.level === 'error' ? { error: event.error } : {}),
    });
}

/** Connections in a PostgreSQL pool. */
const PG_POOL_SIZE = 10;

/** What a store URL designates. */
export type StoreTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/** Parses a store URL. */
export function parseStoreUrl(url: string): StoreTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  const m = /^(?:sqlite|file):(?:\/\/(?=\/))?(.+)$/i.exec(url);
  const path = url === ':memory:' ? url : m?.[1];
  if (path) return { kind: 'sqlite', path };
  throw new AppError('invalid_input', `unsupported database URL: ${redact(url)}`, [
    {
      path: 'DATABASE_URL',
      message: 'not a PostgreSQL or SQLite URL',
      hint: 'postgres://user@host:5432/db, sqlite:./data/waymark.db or :memory:',
    },
  ]);
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

function openSqlite(path: string, log: KyselyConfig['log']): KyselyStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  database.pragma('busy_timeout = 5000');
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // Checkpoint the WAL every ~40 MB instead of every 4 MB: at full load, commits spent half their
  // time copying pages back into the database file. The file is cut back to 64 MB afterwards.
  database.pragma('wal_autocheckpoint = 10000');
  database.pragma('journal_size_limit = 67108864');
  const db = new Kysely<Database>({ dialect: sqliteKyselyDialect(database), log });
  return kyselyStore(db, sqliteDialect);
}

async function openPostgres(url: string, log: KyselyConfig['log']): Promise<KyselyStore> {
  // int8 (BIGINT: times, seq, counts) as JS numbers, for this pool only.
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, 'text', (text: string) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new RangeError(`int8 ${text} is not a safe JS integer`);
    return n;
  });
  const pool = new pg.Pool({ connectionString: url, max: PG_POOL_SIZE, types });
  // An idle client that loses its server is dropped by the pool; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  try {
    await sql`select 1`.execute(db);
  } catch (cause) {
    await db.destroy();
    throw new Error(`cannot connect to PostgreSQL at ${redact(url)}`, { cause });
  }
  return kyselyStore(db, postgresDialect);
}

/** Opens (without migrating) the store a URL designates; call `migrate()` before use. */
export function openStore(config: StoreConfig): Promise<Store> {
  return openKyselyStore(config);
}

/** `openStore` with the dialect the store speaks, for storage's own tests. */
export async function openKyselyStore(config: StoreConfig): Promise<KyselyStore> {
  const target = parseStoreUrl(config.url);
  const log = logger(config.onQuery);
  return target.kind === 'postgres' ? openPostgres(target.url, log) : openSqlite(target.path, log);
}
