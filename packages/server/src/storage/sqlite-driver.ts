/**
 * The embedded store's Kysely driver: one better-sqlite3 connection, handed to one caller at a
 * time in arrival order (so concurrent transactions queue and never interleave on it), with
 * `BEGIN IMMEDIATE` transactions (the write lock is taken up front: no upgrade deadlocks between
 * processes) and a cache of prepared statements (the batch statements repeat with each batch).
 */
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';

/** Prepared statements kept per connection. */
const CACHED_STATEMENTS = 128;

/** Longest statement text worth caching (one-off giant batches are not). */
const CACHED_TEXT_MAX = 64 * 1024;

/** A FIFO lock: `lock()` resolves, in call order, to the function that releases it. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

/** The single connection, with its statement cache. */
class SqliteConnection implements DatabaseConnection {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, Statement<unknown[]>>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  #prepare(text: string): Statement<unknown[]> {
    const cached = this.#statements.get(text);
    if (cached) {
      // Most recently used last: the first key is the one to evict.
      this.#statements.delete(text);
      this.#statements.set(text, cached);
      return cached;
    }
    const statement = this.#db.prepare<unknown[]>(text);
    if (text.length <= CACHED_TEXT_MAX) {
      this.#statements.set(text, statement);
      if (this.#statements.size > CACHED_STATEMENTS) {
        const oldest = this.#statements.keys().next();
        if (!oldest.done) this.#statements.delete(oldest.value);
      }
    }
    return statement;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(query.sql);
    const params = [...query.parameters];
    if (statement.reader) return { rows: statement.all(params) as R[] };
    const { changes, lastInsertRowid } = statement.run(params);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const statement = this.#prepare(query.sql);
    if (!statement.reader) throw new Error('only queries that return rows can be streamed');
    for (const row of statement.iterate([...query.parameters])) yield { rows: [row as R] };
  }
}

/** Kysely driver over one better-sqlite3 database. */
class SqliteDriver implements Driver {
  readonly #db: SqliteDatabase;
  readonly #connection: SqliteConnection;
  readonly #mutex = new Mutex();
  #release: (() => void) | undefined;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#connection = new SqliteConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT or some errors (SQLITE_FULL, …) already ended the transaction.
    if (this.#db.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    this.#db.close();
  }
}

/** The Kysely dialect of the embedded store. */
export function sqliteKyselyDialect(db: SqliteDatabase): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new SqliteDriver(db),
    createIntrospector: (kysely) => new SqliteIntrospector(kysely),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}
