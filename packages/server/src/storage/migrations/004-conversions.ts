/**
 * 004: conversions. `conversions` holds one row per goal reached (by a run in progress, after it
 * ended inside the attribution window, or by a held-out run), attributed to the journey, the run,
 * and the node, message and channel of the last touch; its primary key makes a goal event count
 * once per journey and goal. `conversion_windows` is the index the events phase reads to find the
 * ended runs a goal event may still convert: one row per (profile, goal event name, journey, run)
 * with the time it stays open `until`, written when a run sends a message or is held out.
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** Creates the conversions and conversion_windows tables and their indexes. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const ms = pg ? 'bigint' : 'integer';
  // SQLite tables are STRICT, as in 001.
  const table = <N extends string>(name: N): CreateTableBuilder<N, never> => {
    const t = db.schema.createTable(name);
    return pg ? t : t.modifyEnd(sql`strict`);
  };

  // Profile-owned: keyed by (workspace_id, profile_id, ...) like every profile's table. The goal
  // event belongs to the profile, so (journey, event, goal) is unique within the profile too.
  await table('conversions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('goal_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('variant', 'text')
    .addColumn('node_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('channel', 'text')
    .addColumn('value', pg ? 'double precision' : 'real')
    .addColumn('currency', 'text')
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('conversions_pk', [
      'workspace_id',
      'profile_id',
      'journey_id',
      'event_id',
      'goal_id',
    ])
    .execute();
  // A journey's conversions, newest first (the list) and grouped (the summary).
  await db.schema
    .createIndex('conversions_journey')
    .on('conversions')
    .columns(['workspace_id', 'journey_id', 'at', 'id'])
    .execute();

  await table('conversion_windows')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('until', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('conversion_windows_pk', [
      'workspace_id',
      'profile_id',
      'event_name',
      'journey_id',
      'run_id',
    ])
    .execute();
  // Closed windows are pruned in `until` order.
  await db.schema
    .createIndex('conversion_windows_until')
    .on('conversion_windows')
    .column('until')
    .execute();

  if (!pg) await seedOwnStats(db, SQLITE_STATS);
}

/**
 * Planner statistics of this migration's indexes, in the form of 001's. A profile has a few
 * conversions and open windows; a journey has many conversions.
 */
export const SQLITE_STATS: Readonly<Record<string, string>> = {
  'conversions(workspace_id,profile_id,journey_id,event_id,goal_id)': '1000000 1000000 3 2 1 1',
  'conversions(workspace_id,journey_id,at,id)': '1000000 1000000 10000 1 1',
  'conversion_windows(workspace_id,profile_id,event_name,journey_id,run_id)':
    '1000000 1000000 3 2 1 1',
  'conversion_windows(until)': '1000000 2',
};

/**
 * Writes `stats` for the indexes of this migration's tables only (the other tables keep the
 * statistics their migrations seeded) and makes the planner reload them.
 */
async function seedOwnStats(db: Kysely<unknown>, stats: Record<string, string>): Promise<void> {
  const indexes = await sql<{ tbl: string; idx: string; cols: string }>`
    select m.tbl_name as tbl, il.name as idx,
      (select group_concat(name, ',') from (
        select ii.name from pragma_index_info(il.name) ii order by ii.seqno)) as cols
    from sqlite_schema m, pragma_index_list(m.name) il
    where m.type = 'table' and m.name in ('conversions', 'conversion_windows')
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
