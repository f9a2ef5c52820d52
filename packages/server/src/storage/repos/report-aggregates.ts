/**
 * A journey's report aggregates: every number is a `count(*)`/`sum()` grouped in SQL over the
 * report indexes of 005 (`runs_report`, `messages_report`, `messages_skipped`,
 * `message_outcomes_report`, `conversions_report`), `run_visit_counts` and `run_edge_counts`
 * (008); no row is loaded into JavaScript. reports.repo.ts chooses the handle each query runs on.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { RunStatus } from '@waymark/core';
import type { Database } from '../schema.ts';
import type { ConversionTotals } from '../contracts/conversions.ts';
import type { MessageStatus } from '../contracts/messages.ts';
import type { ReportAggregates, ReportQuery } from '../contracts/reports.ts';

/** Counts as numbers: PostgreSQL returns bigint counts and sums as text. */
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * The reason of a skipped message, from the text the delivery policies write (runtime/policies.ts
 * and the engine's missing-address skip): the address or cap in it would split every group.
 */
const SKIP_REASON = sql<string>`case
  when error like 'suppressed:%' then 'suppressed'
  when error like 'unsubscribed from%' then 'unsubscribed'
  when error like 'frequency cap%' then 'frequency_cap'
  when error = 'skip condition met' then 'skip_condition'
  when error like 'profile has no%' then 'no_address'
  else 'other' end`;

/**
 * A journey's numbers, each query run by `run` on the handle it is given (the store's, or a
 * read-only transaction's on PostgreSQL).
 */
export async function aggregateReport(
  q: ReportQuery,
  pg: boolean,
  run: <T>(f: (db: Kysely<Database>) => Promise<T>) => Promise<T>,
): Promise<ReportAggregates> {
  for (const [name, v] of Object.entries({
    from: q.from,
    to: q.to,
    bucketMs: q.bucketMs,
    bucketOffsetMs: q.bucketOffsetMs,
  }))
    if (!Number.isSafeInteger(v)) throw new RangeError(`${name} must be an integer (got ${v})`);
  if (q.bucketMs <= 0) throw new RangeError(`bucketMs must be positive (got ${q.bucketMs})`);
  // The series bucket of a time in the range, null outside it. Literals, not parameters: the
  // expression must read the same in SELECT and GROUP BY.
  const bucketOf = (time: RawBuilder<unknown>) =>
    sql<string | null>`case when ${time} >= ${sql.lit(q.from)} and ${time} < ${sql.lit(q.to)}
      then (${time} + ${sql.lit(q.bucketOffsetMs)}) / ${sql.lit(q.bucketMs)} end`;
  const bucket = (column: string) => bucketOf(sql.ref(column));
  const exitField = (field: 'kind' | 'goal') =>
    pg
      ? sql<string | null>`exit->>${sql.lit(field)}`
      : sql<string | null>`json_extract(exit, ${sql.lit(`$.${field}`)})`;
  const count = sql<string>`count(*)`;
  const human = sql<boolean>`(human_at is not null)`;
  // Opens and clicks in the series: a person's by the person's first time; a machine's only
  // where no person reported it, by the machine's first time.
  const hitBucket = sql<string | null>`case when type in ('opened', 'clicked') then
    case when human_at is not null then ${bucket('human_at')} else ${bucket('machine_at')} end
    end`;

  // One scan per table: each group also split by its series bucket (null outside the range),
  // in the order of the report indexes, which the database then reads without sorting. The
  // queries run side by side (see `aggregate`).
  const [
    runRows,
    exitRows,
    visitRows,
    edgeRows,
    messageRows,
    skippedRows,
    outcomeRows,
    conversions,
    converted,
  ] = await Promise.all([
    run((db) =>
      runsOf(db, q)
        .select(['version', 'status', 'node', bucket('entered_at').as('bucket'), count.as('n')])
        .groupBy(['version', 'status', 'node', bucket('entered_at')])
        .execute(),
    ),
    // Why runs exited: read from the table (the reason is JSON), for those runs only.
    run((db) =>
      runsOf(db, q)
        .where('status', '=', 'exited')
        .select([
          'version',
          exitField('kind').as('exit_kind'),
          exitField('goal').as('exit_goal'),
          count.as('n'),
        ])
        .groupBy(['version', exitField('kind'), exitField('goal')])
        .execute(),
    ),
    run((db) =>
      countsOf(db, 'run_visit_counts', q)
        .select(['version', 'node_id', 'variant', sql<string>`sum(runs)`.as('n')])
        .groupBy(['version', 'node_id', 'variant'])
        .execute(),
    ),
    run((db) =>
      countsOf(db, 'run_edge_counts', q)
        .select(['version', 'node_id', 'from_node_id', sql<string>`sum(runs)`.as('n')])
        .groupBy(['version', 'node_id', 'from_node_id'])
        .execute(),
    ),
    run((db) =>
      messagesOf(db, q)
        .select([
          'version',
          'node_id',
          'channel',
          'template',
          'status',
          bucket('sent_at').as('bucket'),
          count.as('n'),
          sql<string>`count(sent_at)`.as('sent'),
        ])
        .groupBy(['version', 'node_id', 'channel', 'template', 'status', bucket('sent_at')])
        .execute(),
    ),
    run((db) =>
      messagesOf(db, q)
        .where(sql<SqlBool>`status = 'skipped'`) // a literal: messages_skipped is partial
        .select(['node_id', 'channel', 'template', SKIP_REASON.as('reason'), count.as('n')])
        .groupBy(['node_id', 'channel', 'template', SKIP_REASON])
        .execute(),
    ),
    run((db) =>
      outcomesOf(db, q)
        .select([
          'node_id',
          'channel',
          'template',
          'type',
          human.as('human'),
          hitBucket.as('bucket'),
          count.as('n'),
        ])
        .groupBy(['node_id', 'channel', 'template', 'type', human, hitBucket])
        .execute(),
    ),
    run((db) => conversionGroups(db, q)),
    run((db) =>
      conversionsOf(db, q)
        .where(sql<SqlBool>`${bucket('at')} is not null`)
        .select([bucket('at').as('bucket'), count.as('n'), sql<string | null>`sum(value)`.as('v')])
        .groupBy(bucket('at'))
        .execute(),
    ),
  ]);

  // Totals: the groups summed over their buckets; series: the buckets of the range.
  const runs = new Map<string, ReportAggregates['runs'][number]>();
  const entered = new Map<number, number>();
  for (const r of runRows) {
    const n = num(r.n);
    if (r.bucket !== null) add(entered, num(r.bucket), n);
    if (r.status === 'exited') continue; // counted by reason below
    const key = JSON.stringify([r.version, r.status, r.node]);
    const had = runs.get(key);
    if (had) had.runs += n;
    else
      runs.set(key, {
        version: Number(r.version),
        status: r.status as RunStatus,
        node: r.node,
        exitKind: null,
        exitGoal: null,
        runs: n,
      });
  }
  for (const r of exitRows)
    runs.set(JSON.stringify([r.version, r.exit_kind, r.exit_goal]), {
      version: Number(r.version),
      status: 'exited',
      node: null,
      exitKind: r.exit_kind,
      exitGoal: r.exit_goal,
      runs: num(r.n),
    });
  const messages = new Map<string, ReportAggregates['messages'][number]>();
  const sent = new Map<
    string,
    { bucket: number; nodeId: string | null; channel: string; count: number }
  >();
  for (const r of messageRows) {
    const key = JSON.stringify([r.node_id, r.channel, r.template, r.status]);
    const had = messages.get(key);
    if (had) {
      had.messages += num(r.n);
      had.sent += num(r.sent);
    } else
      messages.set(key, {
        nodeId: r.node_id,
        channel: r.channel,
        template: r.template,
        status: r.status as MessageStatus,
        messages: num(r.n),
        sent: num(r.sent),
      });
    if (r.bucket === null) continue;
    const day = JSON.stringify([r.bucket, r.node_id, r.channel]);
    const point = sent.get(day);
    if (point) point.count += num(r.sent);
    else
      sent.set(day, {
        bucket: num(r.bucket),
        nodeId: r.node_id,
        channel: r.channel,
        count: num(r.sent),
      });
  }
  const outcomes = new Map<string, ReportAggregates['outcomes'][number]>();
  const hits = new Map<string, ReportAggregates['series']['hits'][number]>();
  for (const r of outcomeRows) {
    const isHuman = isTrue(r.human);
    const key = JSON.stringify([r.node_id, r.channel, r.template, r.type, isHuman]);
    const had = outcomes.get(key);
    if (had) had.messages += num(r.n);
    else
      outcomes.set(key, {
        nodeId: r.node_id,
        channel: r.channel,
        template: r.template,
        type: r.type,
        human: isHuman,
        messages: num(r.n),
      });
    if (r.bucket === null) continue;
    const day = JSON.stringify([r.bucket, r.type, isHuman]);
    const point = hits.get(day);
    if (point) point.count += num(r.n);
    else hits.set(day, { bucket: num(r.bucket), type: r.type, human: isHuman, count: num(r.n) });
  }

  return {
    runs: [...runs.values()],
    visits: visitRows.map((r) => ({
      version: Number(r.version),
      nodeId: r.node_id,
      variant: r.variant === '' ? null : r.variant,
      runs: num(r.n),
    })),
    edges: edgeRows.map((r) => ({
      version: Number(r.version),
      fromNodeId: r.from_node_id === '' ? null : r.from_node_id,
      nodeId: r.node_id,
      runs: num(r.n),
    })),
    messages: [...messages.values()],
    skipped: skippedRows.map((r) => ({
      nodeId: r.node_id,
      channel: r.channel,
      template: r.template,
      reason: r.reason,
      messages: num(r.n),
    })),
    outcomes: [...outcomes.values()],
    conversions,
    series: {
      entered: [...entered].map(([b, count]) => ({ bucket: b, count })),
      sent: [...sent.values()],
      hits: [...hits.values()],
      conversions: converted.map((r) => ({
        bucket: num(r.bucket),
        count: num(r.n),
        revenue: num(r.v),
      })),
    },
  };
}

/** Conversions, revenue and converted runs (distinct) in all, by goal, node, channel, variant. */
async function conversionGroups(
  db: Kysely<Database>,
  q: ReportQuery,
): Promise<ReportAggregates['conversions']> {
  const measures = [
    sql<string>`count(*)`.as('conversions'),
    sql<string>`count(distinct run_id)`.as('converted'),
    sql<string | null>`sum(value)`.as('revenue'),
  ] as const;
  const totals = (r: { conversions: unknown; converted: unknown; revenue: unknown }) =>
    ({
      conversions: num(r.conversions),
      convertedRuns: num(r.converted),
      revenue: num(r.revenue),
    }) satisfies ConversionTotals;
  const [total, byGoal, byNode, byChannel, byVariant] = await Promise.all([
    conversionsOf(db, q).select(measures).executeTakeFirst(),
    conversionsOf(db, q)
      .select(['goal_id', ...measures])
      .groupBy('goal_id')
      .execute(),
    conversionsOf(db, q)
      .select(['node_id', 'channel', ...measures])
      .groupBy(['node_id', 'channel'])
      .execute(),
    conversionsOf(db, q)
      .select(['channel', ...measures])
      .groupBy('channel')
      .execute(),
    conversionsOf(db, q)
      .select(['variant', ...measures])
      .groupBy('variant')
      .execute(),
  ]);
  return {
    total: total ? totals(total) : { conversions: 0, convertedRuns: 0, revenue: 0 },
    byGoal: byGoal.map((r) => ({ goalId: r.goal_id, ...totals(r) })),
    byNode: byNode.map((r) => ({ nodeId: r.node_id, channel: r.channel, ...totals(r) })),
    byChannel: byChannel.map((r) => ({ channel: r.channel, ...totals(r) })),
    byVariant: byVariant.map((r) => ({ variant: r.variant, ...totals(r) })),
  };
}

/** The journey's runs, of the asked version when given. */
function runsOf(db: Kysely<Database>, q: ReportQuery) {
  return db
    .selectFrom('runs')
    .where('workspace_id', '=', q.workspaceId)
    .where('journey_id', '=', q.journeyId)
    .$if(q.version !== undefined, (b) => b.where('version', '=', q.version ?? 0));
}

/** The journey's counts of arrivals (per node, or per edge), of the asked version when given. */
function countsOf(
  db: Kysely<Database>,
  table: 'run_visit_counts' | 'run_edge_counts',
  q: ReportQuery,
) {
  return db
    .selectFrom(table)
    .where('workspace_id', '=', q.workspaceId)
    .where('journey_id', '=', q.journeyId)
    .$if(q.version !== undefined, (b) => b.where('version', '=', q.version ?? 0));
}

/** The journey's messages, of the asked version when given. */
function messagesOf(db: Kysely<Database>, q: ReportQuery) {
  return db
    .selectFrom('messages')
    .where('workspace_id', '=', q.workspaceId)
    .where('journey_id', '=', q.journeyId)
    .$if(q.version !== undefined, (b) => b.where('version', '=', q.version ?? 0));
}

/** The journey's recorded outcomes, of the asked version when given. */
function outcomesOf(db: Kysely<Database>, q: ReportQuery) {
  return db
    .selectFrom('message_outcomes')
    .where('workspace_id', '=', q.workspaceId)
    .where('journey_id', '=', q.journeyId)
    .$if(q.version !== undefined, (b) => b.where('version', '=', q.version ?? 0));
}

/** The journey's conversions, of the asked version when given. */
function conversionsOf(db: Kysely<Database>, q: ReportQuery) {
  return db
    .selectFrom('conversions')
    .where('workspace_id', '=', q.workspaceId)
    .where('journey_id', '=', q.journeyId)
    .$if(q.version !== undefined, (b) => b.where('version', '=', q.version ?? 0));
}
/** SQLite `1`/`0`, PostgreSQL `true`/`false`. */
function isTrue(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

/** Adds `n` to the count of `key`. */
function add<K>(counts: Map<K, number>, key: K, n: number): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}
