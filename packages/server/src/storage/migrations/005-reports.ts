/**
 * 005: journey reports. Two facts the other tables do not keep in a form SQL can count:
 * - `run_visit_counts`: how many runs arrived at each node, per journey, version and split
 *   variant (added to by the engine from each step's trace);
 * - `message_outcomes`: per (message, outcome type) when a person and when a machine (privacy
 *   proxy, link scanner) first reported it — opened, clicked, replied, unsubscribed, bounced… —
 *   with the message's journey, version, node, channel and template (written by the engine when
 *   the outcome reaches the run).
 * Messages get the version of their run (`messages.version`), so a version's messages are counted
 * without a join. And the indexes the report's aggregates read: a journey's runs by version and
 * status, its messages by version, node, channel, template and status, covering what is counted.
 * Facts from before this migration are not backfilled: reports count arrivals and outcomes from
 * then on (messages, runs and conversions are counted from their own tables, whatever their age).
 * Also: a journey's conversions by version, goal, node, channel and variant (`conversions_report`).
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** Creates the report tables and indexes. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const ms = pg ? 'bigint' : 'integer';
  // SQLite tables are STRICT, as in 001.
  const table = <N extends string>(name: N): CreateTableBuilder<N, never> => {
    const t = db.schema.createTable(name);
    return pg ? t : t.modifyEnd(sql`strict`);
  };

  // Arrivals of runs at nodes, counted per journey, version, node and variant ('' for none) in
  // the transaction that steps the runs (a table of every visit cost a third of the engine's
  // speed on the embedded store, and its scan most of a big journey's report).
  await table('run_visit_counts')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('variant', 'text', (c) => c.notNull())
    .addColumn('runs', pg ? 'bigint' : 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_visit_counts_pk', [
      'workspace_id',
      'journey_id',
      'version',
      'node_id',
      'variant',
    ])
    .execute();

  await table('message_outcomes')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('message_key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('template', 'text')
    .addColumn('human_at', ms)
    .addColumn('machine_at', ms)
    .addPrimaryKeyConstraint('message_outcomes_pk', [
      'workspace_id',
      'profile_id',
      'message_key',
      'type',
    ])
    .execute();
  await db.schema
    .createIndex('message_outcomes_report')
    .on('message_outcomes')
    .columns([
      'workspace_id',
      'journey_id',
      'version',
      'node_id',
      'channel',
      'template',
      'type',
      'human_at',
      'machine_at',
    ])
    .execute();

  // A journey's runs by version, status and node, with their entry time.
  await db.schema
    .createIndex('runs_report')
    .on('runs')
    .columns(['workspace_id', 'journey_id', 'version', 'status', 'node', 'entered_at'])
    .execute();
  // Messages carry their run's version (the engine writes it from now on; older ones get it here).
  await db.schema.alterTable('messages').addColumn('version', 'integer').execute();
  await sql`update messages set version = (
      select r.version from runs r
      where r.workspace_id = messages.workspace_id and r.profile_id = messages.profile_id
        and r.id = messages.run_id)
    where run_id is not null`.execute(db);
  // A journey's messages by version, node, channel, template and status, with their send time:
  // the report reads it alone, in its order (grouping without a sort or a hash table).
  await db.schema
    .createIndex('messages_report')
    .on('messages')
    .columns([
      'workspace_id',
      'journey_id',
      'version',
      'node_id',
      'channel',
      'template',
      'status',
      'sent_at',
    ])
    .execute();
  if (pg) {
    // A profile's frequency-cap count (messages.countSent) must read messages_sent. On a table
    // without statistics (a new install) both indexes cost the same and PostgreSQL takes the
    // newer one: 002's index is made again so that it is the newer. With statistics its profile
    // column makes it the cheaper by far.
    await sql`drop index messages_sent`.execute(db);
    await sql`create index messages_sent on messages
      (workspace_id, profile_id, channel, sent_at)`.execute(db);
  }
  // The few skipped messages of a journey, whose reason (`error`) is read from the table.
  await db.schema
    .createIndex('messages_skipped')
    .on('messages')
    .columns(['workspace_id', 'journey_id', 'version', 'node_id'])
    .where(sql.ref('status'), '=', sql.lit('skipped'))
    .execute();

  // A journey's conversions by version, goal, node, channel and variant, covering the sums.
  if (pg) {
    await sql`create index conversions_report on conversions
      (workspace_id, journey_id, version, goal_id, node_id, channel, variant)
      include (run_id, value, at)`.execute(db);
  } else {
    await db.schema
      .createIndex('conversions_report')
      .on('conversions')
      .columns([
        'workspace_id',
        'journey_id',
        'version',
        'goal_id',
        'node_id',
        'channel',
        'variant',
        'run_id',
        'value',
        'at',
      ])
      .execute();
  }

  if (!pg) await seedStats(db, SQLITE_STATS);
}

/**
 * Planner statistics of this migration's indexes, in the form of 001's: a journey has many runs,
 * visits and messages; a run reaches a few nodes; a message has a few outcome types.
 */
export const SQLITE_STATS: Readonly<Record<string, string>> = {
  run_visit_counts_pk: '10000 10000 100 50 5 2',
  message_outcomes_pk: '1000000 1000000 3 2 1',
  message_outcomes_report: '1000000 1000000 10000 5000 1000 1000 1000 300 2 2',
  runs_report: '1000000 1000000 10000 5000 2500 500 2',
  messages_report: '1000000 1000000 10000 5000 2500 2500 2500 500 2',
  messages_skipped: '1000 1000 100 50 25',
  conversions_report: '1000000 1000000 10000 5000 5000 1000 1000 500 2 1 1 1',
};

/** Writes `stats` for the named indexes (primary keys: their automatic index) and reloads them. */
async function seedStats(db: Kysely<unknown>, stats: Record<string, string>): Promise<void> {
  const indexes = await sql<{ tbl: string; idx: string; origin: string }>`
    select m.tbl_name as tbl, il.name as idx, il.origin as origin
    from sqlite_schema m, pragma_index_list(m.name) il
    where m.type = 'table'
      and m.name in ('run_visit_counts', 'message_outcomes', 'runs', 'messages', 'conversions')
  `.execute(db);
  for (const { tbl, idx, origin } of indexes.rows) {
    const name = origin === 'pk' ? `${tbl}_pk` : idx;
    const stat = stats[name];
    if (stat === undefined) continue; // an index of an earlier migration: its statistics stay
    await sql`delete from sqlite_stat1 where idx = ${idx}`.execute(db);
    await sql`insert into sqlite_stat1 (tbl, idx, stat) values (${tbl}, ${idx}, ${stat})`.execute(
      db,
    );
  }
  await sql`analyze sqlite_schema`.execute(db);
}
