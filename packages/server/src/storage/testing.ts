/**
 * The one way tests get a database: a fresh one per test, on every backend. `testDatabases()`
 * gives empty databases by URL (for tests that start a child process or a whole server);
 * `backends()` opens migrated stores on them (`for (const b of backends()) describe(b.name, ...)`).
 *
 * - `sqlite`: always. Each database is a fresh file in a new folder of the OS temp dir; dropping
 *   it removes the folder.
 * - `postgres`: only when `DATABASE_URL` is set, e.g.
 *   `postgres://postgres@127.0.0.1:5432/postgres`. Each database is `<db of DATABASE_URL>_t_<random>`
 *   on that server, created and dropped (`WITH (FORCE)`) through its `postgres` database. Nothing
 *   else on the server is touched.
 *
 * Always drop a database (close a store) in `after`/`afterEach`, or it is left behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import type { DialectName } from './dialect.ts';
import type { KyselyStore } from './kysely-store.ts';
import { openKyselyStore, parseStoreUrl, type StoreConfig } from './open.ts';
import { sqliteKyselyDialect } from './sqlite-driver.ts';

/** An empty database for a test, at `url`; `drop()` deletes it. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A backend to make test databases on. */
export interface TestDatabaseKind {
  name: DialectName;
  create(): Promise<TestDatabase>;
}

/** A store opened for a test, with the URL it lives at (to inspect it from outside). */
export interface TestStore extends KyselyStore {
  readonly url: string;
}

/** Options of `Backend.open`. */
export interface TestStoreOptions {
  /** Called after every statement (query-plan tests). */
  onQuery?: StoreConfig['onQuery'];
  /** False: leave the new database empty, unmigrated (migration tests). */
  migrate?: boolean;
}

/** A storage backend for tests. */
export interface Backend {
  name: DialectName;
  /** A fresh, migrated (unless told not to), empty store; its `close()` deletes it. */
  open(options?: TestStoreOptions): Promise<TestStore>;
}

const sqliteDatabases: TestDatabaseKind = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-test-'));
    return {
      url: `sqlite:${join(dir, 'waymark.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

/** Runs `fn` on the server's `postgres` database (where databases are created and dropped). */
async function onServer(base: URL, fn: (db: Kysely<unknown>) => Promise<void>): Promise<void> {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const pool = new pg.Pool({ connectionString: admin.toString(), max: 1 });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await fn(db);
  } finally {
    await db.destroy();
  }
}

function postgresDatabases(databaseUrl: string): TestDatabaseKind {
  const base = new URL(databaseUrl);
  const prefix = decodeURIComponent(base.pathname.slice(1)) || 'waymark';
  return {
    name: 'postgres',
    async create() {
      const name = `${prefix}_t_${randomBytes(6).toString('hex')}`;
      await onServer(base, async (db) => {
        await sql`create database ${sql.id(name)}`.execute(db);
      });
      const url = new URL(base);
      url.pathname = `/${encodeURIComponent(name)}`;
      return {
        url: url.toString(),
        drop: () =>
          onServer(base, async (db) => {
            await sql`drop database if exists ${sql.id(name)} with (force)`.execute(db);
          }),
      };
    },
  };
}

/** SQLite always; PostgreSQL too when `DATABASE_URL` is set. */
export function testDatabases(): TestDatabaseKind[] {
  const url = process.env.DATABASE_URL;
  return url ? [sqliteDatabases, postgresDatabases(url)] : [sqliteDatabases];
}

/** Opens (and migrates, unless told not to) a store on a fresh database of `kind`. */
async function openTestStore(
  kind: TestDatabaseKind,
  options: TestStoreOptions | undefined,
): Promise<TestStore> {
  const database = await kind.create();
  let store: KyselyStore | undefined;
  try {
    store = await openKyselyStore({ url: database.url, onQuery: options?.onQuery });
    if (options?.migrate !== false) await store.migrate();
    const opened = store;
    return {
      ...opened,
      url: database.url,
      close: async () => {
        try {
          await opened.close();
        } finally {
          await database.drop();
        }
      },
    };
  } catch (error) {
    await store?.close().catch(() => undefined);
    await database.drop();
    throw error;
  }
}

/** Test stores on SQLite always; on PostgreSQL too when `DATABASE_URL` is set. */
export function backends(): Backend[] {
  return testDatabases().map((kind) => ({
    name: kind.name,
    open: (options) => openTestStore(kind, options),
  }));
}

/** A second, raw Kysely handle on the database at a store URL (migration tests). */
export function rawHandle(url: string): Kysely<unknown> {
  const target = parseStoreUrl(url);
  return target.kind === 'sqlite'
    ? new Kysely({ dialect: sqliteKyselyDialect(new SqliteDatabase(target.path)) })
    : new Kysely({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
      });
}
