/**
 * Stores for tests, one per backend: `for (const b of backends()) describe(b.name, ...)`.
 *
 * - `sqlite`: always. Each `open()` is a fresh database file in a new folder of the OS temp dir;
 *   `close()` removes the folder.
 * - `postgres`: only when `DATABASE_URL` is set, e.g.
 *   `postgres://postgres@127.0.0.1:5432/postgres`. Each `open()` creates a database
 *   `<db of DATABASE_URL>_t_<random>` on that server (through its `postgres` database); `close()`
 *   drops it (`WITH (FORCE)`). Nothing else on the server is touched.
 *
 * Every store `open()` returns is migrated (unless `{ migrate: false }`) and empty. Always
 * `close()` it (in `after`/`afterEach`), or the database is left behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import { openStore, parseStoreUrl, type StoreConfig } from './open.ts';
import { sqliteKyselyDialect } from './sqlite-driver.ts';
import type { Store } from './store.ts';

/** A store opened for a test, with the URL it lives at (to inspect it from outside). */
export interface TestStore extends Store {
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
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated (unless told not to), empty store; its `close()` deletes it. */
  open(options?: TestStoreOptions): Promise<TestStore>;
}

/** The same store, with `close()` also running `cleanup`. */
function closing(store: Store, url: string, cleanup: () => Promise<void>): TestStore {
  return {
    url,
    dialect: store.dialect,
    workspaces: store.workspaces,
    profiles: store.profiles,
    events: store.events,
    journeys: store.journeys,
    runs: store.runs,
    messages: store.messages,
    tasks: store.tasks,
    conversions: store.conversions,
    reports: store.reports,
    lists: store.lists,
    triggerTimers: store.triggerTimers,
    leases: store.leases,
    channelConfigs: store.channelConfigs,
    subscriptions: store.subscriptions,
    suppressions: store.suppressions,
    forms: store.forms,
    formSubmissions: store.formSubmissions,
    migrate: () => store.migrate(),
    transaction: (fn) => store.transaction(fn),
    close: async () => {
      try {
        await store.close();
      } finally {
        await cleanup();
      }
    },
  };
}

/** Opens and migrates the store at `url`; its close() (or a failure here) runs `cleanup`. */
async function openMigrated(
  url: string,
  options: TestStoreOptions | undefined,
  cleanup: () => Promise<void>,
): Promise<TestStore> {
  let store: Store | undefined;
  try {
    store = await openStore({ url, onQuery: options?.onQuery });
    if (options?.migrate !== false) await store.migrate();
    return closing(store, url, cleanup);
  } catch (error) {
    await store?.close().catch(() => undefined);
    await cleanup();
    throw error;
  }
}

const sqliteBackend: Backend = {
  name: 'sqlite',
  open(options) {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-store-'));
    return openMigrated(`sqlite:${join(dir, 'waymark.db')}`, options, async () =>
      rmSync(dir, { recursive: true, force: true }),
    );
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

function postgresBackend(databaseUrl: string): Backend {
  const base = new URL(databaseUrl);
  const prefix = decodeURIComponent(base.pathname.slice(1)) || 'waymark';
  return {
    name: 'postgres',
    async open(options) {
      const name = `${prefix}_t_${randomBytes(6).toString('hex')}`;
      await onServer(base, (db) =>
        sql`create database ${sql.id(name)}`.execute(db).then(() => undefined),
      );
      const url = new URL(base);
      url.pathname = `/${encodeURIComponent(name)}`;
      return openMigrated(url.toString(), options, () =>
        onServer(base, (db) =>
          sql`drop database if exists ${sql.id(name)} with (force)`
            .execute(db)
            .then(() => undefined),
        ),
      );
    },
  };
}

/** SQLite always; PostgreSQL too when `DATABASE_URL` is set. */
export function backends(): Backend[] {
  const url = process.env.DATABASE_URL;
  return url ? [sqliteBackend, postgresBackend(url)] : [sqliteBackend];
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
