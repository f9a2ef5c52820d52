/**
 * 001: every table and the indexes of the hot queries. Profile-owned tables have primary keys
 * (workspace_id, profile_id, ...) so they can later be distributed by profile on Citus. Partial
 * indexes spell their predicates with literals, and the queries that use them repeat the same
 * literals (SQLite matches partial-index predicates textually).
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** The due time of a run a timer can wake (PostgreSQL's `runs_due` index), else null. */
export const RUN_DUE_AT = sql.raw("case when status in ('active', 'waiting') then wake_at end");

/** Creates the initial schema. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const ms = pg ? 'bigint' : 'integer';
  const json = pg ? 'jsonb' : 'text';
  const small = pg ? 'smallint' : 'integer';
  // SQLite tables are STRICT: a wrong type is an error instead of a silent conversion.
  const table = <N extends string>(name: N): CreateTableBuilder<N, never> => {
    const t = db.schema.createTable(name);
    return pg ? t : t.modifyEnd(sql`strict`);
  };

  await table('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();

  await table('api_keys')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('api_keys_pk', ['workspace_id', 'kind', 'hash'])
    .execute();
  await db.schema
    .createIndex('api_keys_lookup')
    .on('api_keys')
    .columns(['kind', 'hash'])
    .unique()
    .execute();

  await table('profiles')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('traits', json, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('last_seen_at', ms)
    .addColumn('merged_into', 'text')
    .addPrimaryKeyConstraint('profiles_pk', ['workspace_id', 'id'])
    .execute();

  await table('identities')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('identities_pk', ['workspace_id', 'kind', 'value'])
    .execute();
  await db.schema
    .createIndex('identities_profile')
    .on('identities')
    .columns(['workspace_id', 'profile_id'])
    .execute();

  // events.seq is the global order: bigserial on PostgreSQL, a never-reused rowid on SQLite.
  let events: CreateTableBuilder<'events', string> = table('events');
  events = pg
    ? events.addColumn('seq', 'bigserial', (c) => c.notNull())
    : events.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement().notNull());
  events = events
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('properties', json, (c) => c.notNull())
    .addColumn('context', json, (c) => c.notNull())
    .addColumn('timestamp', ms, (c) => c.notNull())
    .addColumn('received_at', ms, (c) => c.notNull())
    .addColumn('processed_at', ms)
    .addColumn('partition', small, (c) => c.notNull())
    .addUniqueConstraint('events_message', ['workspace_id', 'message_id']);
  if (pg) events = events.addPrimaryKeyConstraint('events_pk', ['workspace_id', 'seq']);
  await events.execute();
  await db.schema
    .createIndex('events_pending')
    .on('events')
    .columns(['partition', 'seq'])
    .where(sql.ref('processed_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('events_profile')
    .on('events')
    .columns(['workspace_id', 'profile_id', 'seq'])
    .execute();

  await table('journeys')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('published_version', 'integer')
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('trigger_type', 'text')
    .addColumn('trigger_event', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('journeys_pk', ['workspace_id', 'id'])
    .execute();

  await table('journey_versions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    // json, not jsonb: a journey document keeps its author's key order (node order, for one).
    .addColumn('definition', pg ? 'json' : 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('published_at', ms)
    .addPrimaryKeyConstraint('journey_versions_pk', ['workspace_id', 'journey_id', 'version'])
    .addForeignKeyConstraint(
      'journey_versions_journey',
      ['workspace_id', 'journey_id'],
      'journeys',
      ['workspace_id', 'id'],
    )
    .execute();

  await table('runs')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('node', 'text')
    .addColumn('wake_at', ms)
    .addColumn('awaiting', json)
    .addColumn('state', json, (c) => c.notNull())
    .addColumn('entered_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('ended_at', ms)
    .addColumn('exit', json)
    .addPrimaryKeyConstraint('runs_pk', ['workspace_id', 'profile_id', 'id'])
    .execute();
  // The primary key serves a profile's runs; these serve lookups by id, entry history and timers.
  await db.schema.createIndex('runs_id').on('runs').columns(['workspace_id', 'id']).execute();
  await db.schema
    .createIndex('runs_entries')
    .on('runs')
    .columns(['workspace_id', 'journey_id', 'profile_id', 'entered_at'])
    .execute();
  if (pg) {
    // PostgreSQL: the due time of wakeable runs as one expression (spelled as DUE_AT in
    // runs.repo.ts). Its `<= now` is estimated at a third of the table even before ANALYZE, so
    // claims read the index in order and stop at their LIMIT; the partial index on wake_at with
    // a status predicate was estimated at a few rows on a fresh table, and claims then sorted
    // every due run (100,000: 90 ms a claim).
    await sql`create index runs_due on runs ((${RUN_DUE_AT})) where (${RUN_DUE_AT}) is not null`.execute(
      db,
    );
  } else {
    await db.schema
      .createIndex('runs_wake')
      .on('runs')
      .column('wake_at')
      .where(sql<boolean>`wake_at is not null and status in ('active', 'waiting')`)
      .execute();
  }

  let trace: CreateTableBuilder<'run_trace', string> = table('run_trace');
  trace = pg
    ? trace.addColumn('id', 'bigserial', (c) => c.notNull())
    : trace.addColumn('id', 'integer', (c) => c.primaryKey().notNull());
  trace = trace
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    // The lines one step wrote, as a JSON array of { node, what, detail }: one row per step.
    .addColumn('entries', pg ? 'jsonb' : 'text', (c) => c.notNull());
  if (pg) {
    trace = trace.addPrimaryKeyConstraint('run_trace_pk', [
      'workspace_id',
      'profile_id',
      'run_id',
      'id',
    ]);
  }
  await trace.execute();
  if (!pg) {
    await db.schema
      .createIndex('run_trace_run')
      .on('run_trace')
      .columns(['workspace_id', 'profile_id', 'run_id', 'id'])
      .execute();
  }

  await table('messages')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('journey_id', 'text')
    .addColumn('node_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text')
    .addColumn('template', 'text')
    .addColumn('content', json, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('available_at', ms, (c) => c.notNull())
    .addColumn('lease_until', ms)
    .addColumn('provider_message_id', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('sent_at', ms)
    .addPrimaryKeyConstraint('messages_pk', ['workspace_id', 'profile_id', 'id'])
    .addUniqueConstraint('messages_key', ['workspace_id', 'idempotency_key'])
    .execute();
  await db.schema
    .createIndex('messages_id')
    .on('messages')
    .columns(['workspace_id', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_created')
    .on('messages')
    .columns(['workspace_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_due')
    .on('messages')
    .column('available_at')
    .where(sql<boolean>`status in ('pending', 'sending')`)
    .execute();
  await db.schema
    .createIndex('messages_lease')
    .on('messages')
    .column('lease_until')
    .where(sql<boolean>`status = 'sending'`)
    .execute();

  await table('tasks')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('journey_id', 'text')
    .addColumn('node_id', 'text')
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('due_at', ms, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('outcome', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('completed_at', ms)
    .addPrimaryKeyConstraint('tasks_pk', ['workspace_id', 'profile_id', 'id'])
    .addUniqueConstraint('tasks_key', ['workspace_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('tasks_id').on('tasks').columns(['workspace_id', 'id']).execute();
  await db.schema
    .createIndex('tasks_team')
    .on('tasks')
    .columns(['workspace_id', 'team', 'status', 'due_at'])
    .execute();

  await table('lists')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('lists_pk', ['workspace_id', 'id'])
    .execute();

  await table('list_members')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('list_id', 'text', (c) => c.notNull())
    .addColumn('added_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('list_members_pk', ['workspace_id', 'profile_id', 'list_id'])
    .execute();
  await db.schema
    .createIndex('list_members_list')
    .on('list_members')
    .columns(['workspace_id', 'list_id', 'profile_id'])
    .execute();

  await table('trigger_timers')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('wake_at', ms, (c) => c.notNull())
    .addColumn('data', json, (c) => c.notNull())
    .addPrimaryKeyConstraint('trigger_timers_pk', [
      'workspace_id',
      'profile_id',
      'journey_id',
      'kind',
    ])
    .execute();
  await db.schema
    .createIndex('trigger_timers_wake')
    .on('trigger_timers')
    .column('wake_at')
    .execute();

  await table('leases')
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .execute();

  if (!pg) await seedSqliteStats(db, SQLITE_STATS);
}

/**
 * Planner statistics for SQLite, per index (named by table and columns), in `sqlite_stat1` form:
 * rows, then rows per distinct value of each column prefix. They describe a large store where
 * `workspace_id` selects nothing (an embedded install has one workspace). Without statistics
 * SQLite assumes every leading column is selective and, for example, answers
 * `workspace_id = ? and seq in (...)` by scanning the workspace's events.
 */
export const SQLITE_STATS: Readonly<Record<string, string>> = {
  'workspaces(id)': '100 1',
  'api_keys(workspace_id,kind,hash)': '1000 1000 500 1',
  'api_keys(kind,hash)': '1000 500 1',
  'profiles(workspace_id,id)': '1000000 1000000 1',
  'identities(workspace_id,kind,value)': '2000000 2000000 500000 1',
  'identities(workspace_id,profile_id)': '2000000 2000000 2',
  'events(workspace_id,message_id)': '10000000 10000000 1',
  'events(partition,seq)': '10000 1000 1',
  'events(workspace_id,profile_id,seq)': '10000000 10000000 10 1',
  'journeys(workspace_id,id)': '100 100 1',
  'journey_versions(workspace_id,journey_id,version)': '1000 1000 10 1',
  'runs(workspace_id,profile_id,id)': '1000000 1000000 2 1',
  'runs(workspace_id,id)': '1000000 1000000 1',
  'runs(workspace_id,journey_id,profile_id,entered_at)': '1000000 1000000 10000 2 1',
  'runs(wake_at)': '500000 2',
  'run_trace(workspace_id,profile_id,run_id,id)': '10000000 10000000 20 10 1',
  'messages(workspace_id,profile_id,id)': '1000000 1000000 2 1',
  'messages(workspace_id,idempotency_key)': '1000000 1000000 1',
  'messages(workspace_id,id)': '1000000 1000000 1',
  'messages(workspace_id,created_at,id)': '1000000 1000000 2 1',
  'messages(available_at)': '1000 2',
  'messages(lease_until)': '100 2',
  'tasks(workspace_id,profile_id,id)': '100000 100000 2 1',
  'tasks(workspace_id,idempotency_key)': '100000 100000 1',
  'tasks(workspace_id,id)': '100000 100000 1',
  'tasks(workspace_id,team,status,due_at)': '100000 100000 10000 5000 2',
  'lists(workspace_id,id)': '100 100 1',
  'list_members(workspace_id,profile_id,list_id)': '1000000 1000000 2 1',
  'list_members(workspace_id,list_id,profile_id)': '1000000 1000000 100000 1',
  'trigger_timers(workspace_id,profile_id,journey_id,kind)': '1000000 1000000 2 1 1',
  'trigger_timers(wake_at)': '1000000 2',
  'leases(name)': '100 1',
};

/**
 * Writes `stats` into `sqlite_stat1` for every index of the store's tables and makes the planner
 * reload them. Every index must be listed: a forgotten one fails the migration.
 */
export async function seedSqliteStats(
  db: Kysely<unknown>,
  stats: Record<string, string>,
): Promise<void> {
  await sql`analyze`.execute(db);
  const indexes = await sql<{ tbl: string; idx: string; cols: string }>`
    select m.tbl_name as tbl, il.name as idx,
      (select group_concat(name, ',') from (
        select ii.name from pragma_index_info(il.name) ii order by ii.seqno)) as cols
    from sqlite_schema m, pragma_index_list(m.name) il
    where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like 'migrations%'
  `.execute(db);
  for (const { tbl, idx, cols } of indexes.rows) {
    const stat = stats[`${tbl}(${cols})`];
    if (stat === undefined) throw new Error(`no planner statistics for index ${tbl}(${cols})`);
    await sql`delete from sqlite_stat1 where idx = ${idx}`.execute(db);
    await sql`insert into sqlite_stat1 (tbl, idx, stat) values (${tbl}, ${idx}, ${stat})`.execute(
      db,
    );
  }
  await sql`analyze sqlite_schema`.execute(db);
}
