/**
 * 011: journey drafts. One draft per (workspace, journey): the document as the editor last saved
 * it (possibly invalid), the canvas positions of its nodes, and a revision that each save bumps,
 * so that a save made on an older revision (a second tab) is refused instead of overwriting.
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** Adds `journey_drafts`. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const ms = pg ? 'bigint' : 'integer';
  const json = pg ? 'jsonb' : 'text';
  // SQLite tables are STRICT, as in 001.
  const table = <N extends string>(name: N): CreateTableBuilder<N, never> => {
    const t = db.schema.createTable(name);
    return pg ? t : t.modifyEnd(sql`strict`);
  };

  await table('journey_drafts')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('document', json, (c) => c.notNull())
    .addColumn('layout', json, (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addPrimaryKeyConstraint('journey_drafts_pk', ['workspace_id', 'journey_id'])
    .execute();

  if (!pg) {
    // Planner statistics of the primary key, in the form of 001's: a few hundred drafts.
    const indexes = await sql<{ idx: string }>`
      select il.name as idx from pragma_index_list('journey_drafts') il
    `.execute(db);
    for (const { idx } of indexes.rows) {
      await sql`delete from sqlite_stat1 where idx = ${idx}`.execute(db);
      await sql`insert into sqlite_stat1 (tbl, idx, stat)
        values ('journey_drafts', ${idx}, '500 500 1')`.execute(db);
    }
    await sql`analyze sqlite_schema`.execute(db);
  }
}
