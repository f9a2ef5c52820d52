/**
 * 003: forms and their submissions. A form definition per (workspace, id); one submission per
 * (workspace, profile, form, key) — the key names the message (or run) whose link was used, so a
 * second submission through the same link finds the first. Submissions are listed per form in id
 * (time) order for reports.
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** Adds `forms` and `form_submissions`. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const ms = pg ? 'bigint' : 'integer';
  const json = pg ? 'jsonb' : 'text';
  // SQLite tables are STRICT, as in 001.
  const table = <N extends string>(name: N): CreateTableBuilder<N, never> => {
    const t = db.schema.createTable(name);
    return pg ? t : t.modifyEnd(sql`strict`);
  };

  await table('forms')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('definition', json, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('forms_pk', ['workspace_id', 'id'])
    .execute();

  // Profile-owned: keyed by (workspace_id, profile_id, ...) like every profile's table.
  await table('form_submissions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('form_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('answers', json, (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('run_id', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('submitted_at', ms)
    .addPrimaryKeyConstraint('form_submissions_pk', [
      'workspace_id',
      'profile_id',
      'form_id',
      'key',
    ])
    .execute();
  await db.schema
    .createIndex('form_submissions_form')
    .on('form_submissions')
    .columns(['workspace_id', 'form_id', 'id'])
    .execute();

  if (!pg) {
    // Only this migration's indexes: the statistics of the others stay as they were seeded.
    const indexes = await sql<{ tbl: string; idx: string; cols: string }>`
      select m.tbl_name as tbl, il.name as idx,
        (select group_concat(name, ',') from (
          select ii.name from pragma_index_info(il.name) ii order by ii.seqno)) as cols
      from sqlite_schema m, pragma_index_list(m.name) il
      where m.type = 'table' and m.name in ('forms', 'form_submissions')
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
 * Planner statistics of this migration's indexes, in the form of 001's: a few hundred forms; a
 * profile has a handful of submissions; a form has many.
 */
export const SQLITE_STATS: Readonly<Record<string, string>> = {
  'forms(workspace_id,id)': '500 500 1',
  'form_submissions(workspace_id,profile_id,form_id,key)': '1000000 1000000 3 2 1',
  'form_submissions(workspace_id,form_id,id)': '1000000 1000000 5000 1',
};
