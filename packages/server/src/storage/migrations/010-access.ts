/**
 * 010: access control. Users (unique lower-cased email), their memberships (a role per
 * workspace), sessions and one-time setup/password links (stored by the SHA-256 hash of their
 * secret), personal API tokens (by hash), the audit log (per workspace, by time-ordered id) and
 * failed sign-ins (per account and per client address, for the sign-in rate limit).
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** The tables of this migration (their SQLite statistics are seeded below). */
const TABLES = [
  'users',
  'memberships',
  'sessions',
  'setup_tokens',
  'user_tokens',
  'audit_log',
  'sign_in_failures',
];

/** Adds the access-control tables. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const ms = pg ? 'bigint' : 'integer';
  const json = pg ? 'jsonb' : 'text';
  // SQLite tables are STRICT, as in 001.
  const table = <N extends string>(name: N): CreateTableBuilder<N, never> => {
    const t = db.schema.createTable(name);
    return pg ? t : t.modifyEnd(sql`strict`);
  };

  await table('users')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_email').on('users').column('email').unique().execute();

  await table('memberships')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['workspace_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('memberships_user')
    .on('memberships')
    .columns(['user_id', 'workspace_id'])
    .execute();

  await table('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey().notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('renewed_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await table('setup_tokens')
    .addColumn('hash', 'text', (c) => c.primaryKey().notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('used_at', ms)
    .execute();

  await table('user_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('user_tokens_hash')
    .on('user_tokens')
    .column('hash')
    .unique()
    .execute();
  await db.schema.createIndex('user_tokens_user').on('user_tokens').column('user_id').execute();

  await table('audit_log')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_email', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('detail', json, (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_log_pk', ['workspace_id', 'id'])
    .execute();

  await table('sign_in_failures')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sign_in_failures_key')
    .on('sign_in_failures')
    .columns(['key', 'at'])
    .execute();
  await db.schema.createIndex('sign_in_failures_at').on('sign_in_failures').column('at').execute();

  if (!pg) {
    // Only this migration's indexes: the statistics of the others stay as they were seeded.
    const indexes = await sql<{ tbl: string; idx: string; cols: string }>`
      select m.tbl_name as tbl, il.name as idx,
        (select group_concat(name, ',') from (
          select ii.name from pragma_index_info(il.name) ii order by ii.seqno)) as cols
      from sqlite_schema m, pragma_index_list(m.name) il
      where m.type = 'table' and m.name in (${sql.join(TABLES)})
    `.execute(db);
    for (const { tbl, idx, cols } of indexes.rows) {
      const stat = SQLITE_STATS[`${tbl}(${cols})`];
      if (stat === undefined) throw new Error(`no planner statistics for index ${tbl}(${cols})`);
      await sql`delete from sqlite_stat1 where idx = ${idx}`.execute(db);
      await sql`insert into sqlite_stat1 (tbl, idx, stat) values (${tbl}, ${idx}, ${stat})`.execute(
        db,
      );
    }
    await sql`analyze sqlite_schema`.execute(db);
  }
}

/**
 * Planner statistics of this migration's indexes, in the form of 001's: a few hundred users with
 * a few memberships, sessions and tokens each; a long audit log; failures a handful per key.
 */
const SQLITE_STATS: Readonly<Record<string, string>> = {
  'users(id)': '500 1',
  'users(email)': '500 1',
  'memberships(workspace_id,user_id)': '1000 100 1',
  'memberships(user_id,workspace_id)': '1000 2 1',
  'sessions(id_hash)': '2000 1',
  'sessions(user_id)': '2000 4',
  'setup_tokens(hash)': '500 1',
  'user_tokens(id)': '500 1',
  'user_tokens(hash)': '500 1',
  'user_tokens(user_id)': '500 2',
  'audit_log(workspace_id,id)': '1000000 100000 1',
  'sign_in_failures(key,at)': '10000 5 1',
  'sign_in_failures(at)': '10000 1',
};
