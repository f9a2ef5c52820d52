/**
 * storage/ owns persistence: the `Store` contract (store.ts, one file per aggregate in
 * contracts/), its one Kysely implementation for the embedded SQLite store and PostgreSQL
 * (kysely-store.ts, repos/), the schema and its numbered migrations (schema.ts, migrations/), and
 * test databases and stores for every backend (testing.ts).
 *
 * It may import @waymark/core (types) and ../errors.ts. Nothing outside storage/ imports kysely,
 * pg or better-sqlite3: the rest of the server sees storage only through the types below.
 */
export { openStore, type StoreConfig } from './open.ts';
export {
  backends,
  testDatabases,
  type Backend,
  type TestDatabase,
  type TestDatabaseKind,
  type TestStore,
  type TestStoreOptions,
} from './testing.ts';
export type * from './store.ts';
