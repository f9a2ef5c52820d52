/**
 * Journey reports: the counts of arrivals at nodes and the message outcomes the engine records
 * for them (005, 008), and a journey's aggregates (computed in report-aggregates.ts). On
 * PostgreSQL the independent aggregate queries run side by side on the pool.
 */
import { sql } from 'kysely';
import type { RepoContext } from '../dialect.ts';
import type {
  MessageOutcomeRecord,
  ReportAggregates,
  ReportQuery,
  ReportRepo,
  RunVisitRow,
} from '../contracts/reports.ts';
import { aggregateReport } from './report-aggregates.ts';

/** Rows per statement of the upserts (at most 12 columns, well under both parameter limits). */
const CHUNK = 500;

/** ReportRepo over Kysely. */
export class KyselyReportRepo implements ReportRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  /**
   * Adds the arrivals to their node's count, one upsert per (journey, version, node, variant), and
   * to their edge's, one per (journey, version, node, node come from): both from the same rows, so
   * that a node's arrivals stay the sum of its edges'. In key order, so that concurrent batches
   * cannot deadlock.
   */
  async recordVisits(rows: RunVisitRow[]): Promise<void> {
    await this.#addArrivals(rows, 'run_visit_counts', 'variant', (r) => r.variant ?? '');
    await this.#addArrivals(rows, 'run_edge_counts', 'from_node_id', (r) => r.fromNodeId ?? '');
  }

  /**
   * Adds arrivals to a table of counts keyed by (workspace, journey, version, node, `column`),
   * `column` read from each row by `value`: one upsert per key, in key order.
   */
  async #addArrivals(
    rows: readonly RunVisitRow[],
    table: 'run_visit_counts' | 'run_edge_counts',
    column: 'variant' | 'from_node_id',
    value: (r: RunVisitRow) => string,
  ): Promise<void> {
    const counts = tallied(rows, (r) => [
      r.workspaceId,
      r.journeyId,
      r.version,
      r.nodeId,
      value(r),
    ]);
    await inChunks(counts, (part) =>
      this.#c.db
        .insertInto(table)
        .values(
          part.map(({ row, runs }) => ({
            workspace_id: row.workspaceId,
            journey_id: row.journeyId,
            version: row.version,
            node_id: row.nodeId,
            [column]: value(row),
            runs,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['workspace_id', 'journey_id', 'version', 'node_id', column])
            .doUpdateSet({ runs: sql<number>`${sql.table(table)}.runs + excluded.runs` }),
        )
        .execute(),
    );
  }

  /** The first human and first machine times stay (`coalesce` keeps the stored one). */
  async recordOutcomes(rows: MessageOutcomeRecord[]): Promise<void> {
    const byKey = new Map<
      string,
      MessageOutcomeRecord & { humanAt: number | null; machineAt: number | null }
    >();
    // One row per (message, type) per statement: a statement may not update a row twice.
    for (const r of rows) {
      const k = `${r.workspaceId}\u0000${r.profileId}\u0000${r.messageKey}\u0000${r.type}`;
      const had = byKey.get(k) ?? { ...r, humanAt: null, machineAt: null };
      if (r.machine) had.machineAt = Math.min(had.machineAt ?? r.at, r.at);
      else had.humanAt = Math.min(had.humanAt ?? r.at, r.at);
      byKey.set(k, had);
    }
    await inChunks([...byKey.values()], (part) =>
      this.#c.db
        .insertInto('message_outcomes')
        .values(
          part.map((r) => ({
            workspace_id: r.workspaceId,
            profile_id: r.profileId,
            message_key: r.messageKey,
            type: r.type,
            journey_id: r.journeyId,
            version: r.version,
            run_id: r.runId,
            node_id: r.nodeId,
            channel: r.channel,
            template: r.template,
            human_at: r.humanAt,
            machine_at: r.machineAt,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'profile_id', 'message_key', 'type']).doUpdateSet({
            human_at: sql<number | null>`coalesce(message_outcomes.human_at, excluded.human_at)`,
            machine_at: sql<
              number | null
            >`coalesce(message_outcomes.machine_at, excluded.machine_at)`,
          }),
        )
        .execute(),
    );
  }

  /**
   * A journey's numbers: a dozen aggregate queries, each one scan of a report index (of the
   * version when asked). On PostgreSQL they run side by side on the pool, each in a read-only
   * transaction without JIT (compiling these scans cost more than it saved), with room for the
   * groups' hash tables.
   */
  async aggregate(q: ReportQuery): Promise<ReportAggregates> {
    const { db, dialect } = this.#c;
    const pg = dialect.name === 'postgres';
    if (!pg || db.isTransaction) return aggregateReport(q, pg, (f) => f(db));
    return aggregateReport(q, pg, (f) =>
      db
        .transaction()
        .setAccessMode('read only')
        .execute(async (trx) => {
          // No JIT; every query reads a report index alone (index-only): a scan of the table's
          // wide rows (message contents, run states) was the slower plan even when it looked
          // cheaper. One round trip: set_config(…, true) is `set local`.
          await sql`select set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true),
            set_config('work_mem', '64MB', true)`.execute(trx);
          return f(trx);
        }),
    );
  }
}

/** The rows counted by `key` (rows with the same key once, with their number), in key order. */
function tallied<R>(
  rows: readonly R[],
  key: (r: R) => ReadonlyArray<string | number>,
): Array<{ row: R; runs: number }> {
  const counts = new Map<string, { row: R; runs: number }>();
  for (const r of rows) {
    const k = key(r).join('\u0000');
    const had = counts.get(k);
    if (had) had.runs += 1;
    else counts.set(k, { row: r, runs: 1 });
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** Runs `write` on `rows` CHUNK at a time, one statement after another. */
async function inChunks<R>(
  rows: readonly R[],
  write: (part: R[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}
