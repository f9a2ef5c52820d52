/**
 * 008: arrivals counted per edge. `run_edge_counts` counts, per journey, version and node, the
 * runs that arrived there from each node (`from_node_id`; '' for runs that entered the journey
 * there). The engine adds to it in the transaction that steps the runs, from the same arrivals
 * it adds to `run_visit_counts` (005): after this migration a node's arrivals equal the sum of
 * its edges' (entries included), and the report's drop-off along an edge counts the runs that
 * went that way, not every arrival at its target.
 *
 * Not backfilled: which node a run came from is kept nowhere but in the runs' traces, and reading
 * every trace would make the upgrade as slow as the store is big. Arrivals counted before it are
 * the difference between a node's arrivals and its edges' sum; the report (app/reports.ts)
 * credits them to a node's only way in, and names them `unattributed` on the edges into a node
 * with several.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** Creates `run_edge_counts`. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  // SQLite tables are STRICT, as in 001. The primary key is the only index: the report reads a
  // journey's (or a version's) rows through it, and the engine's upsert finds a row by it.
  const table = db.schema
    .createTable('run_edge_counts')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('from_node_id', 'text', (c) => c.notNull())
    .addColumn('runs', pg ? 'bigint' : 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_edge_counts_pk', [
      'workspace_id',
      'journey_id',
      'version',
      'node_id',
      'from_node_id',
    ]);
  await (pg ? table : table.modifyEnd(sql`strict`)).execute();
}
