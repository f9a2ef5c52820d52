/**
 * Journey reports: the node visits and message outcomes the engine records for them (005), and a
 * journey's aggregates — every number is a `count(*)`/`sum()` grouped in SQL over the report
 * indexes of 005 (`runs_report`, `run_visits_report`, `messages_report`,
 * `message_outcomes_report`) and `conversions_journey`; no row is loaded into JavaScript. On
 * PostgreSQL the independent queries run side by side on the pool.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { insertMany } from '../batch.ts';
import type { RepoContext } from '../dialect.ts';
import type {
  ConversionTotals,
  MessageOutcomeRecord,
  MessageStatus,
  ReportAggregates,
  ReportQuery,
  ReportRepo,
  RunVisitRow,
  SeriesMetric,
} from '../store.ts';
import type { RunStatus } from '@waymark/core';

/** Rows per statement of the outcome upsert (12 columns, well under both parameter limits). */
const CHUNK = 500;

const VISIT_COLUMNS = [
  'workspace_id',
  'profile_id',
  'run_id',
  'node_id',
  'journey_id',
  'version',
  'variant',
  'at',
] as const;

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

/** ReportRepo over Kysely. */
export class KyselyReportRepo implements ReportRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  async recordVisits(rows: RunVisitRow[]): Promise<void> {
    await insertMany(
      this.#c,
      {
        table: 'run_visits',
        columns: VISIT_COLUMNS,
        conflict: { target: ['workspace_id', 'profile_id', 'run_id', 'node_id'] },
      },
      rows.map((r) => ({
        workspace_id: r.workspaceId,
        profile_id: r.profileId,
        run_id: r.runId,
        node_id: r.nodeId,
        journey_id: r.journeyId,
        version: r.version,
        variant: r.variant,
        at: r.at,
      })),
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
    const merged = [...byKey.values()];
    for (let i = 0; i < merged.length; i += CHUNK) {
      await this.#c.db
        .insertInto('message_outcomes')
        .values(
          merged.slice(i, i + CHUNK).map((r) => ({
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
        .execute();
    }
  }

  async aggregate(q: ReportQuery): Promise<ReportAggregates> {
    const { db, dialect } = this.#c;
    if (!Number.isInteger(q.bucketMs) || q.bucketMs <= 0)
      throw new RangeError(`bucketMs must be a positive integer (got ${q.bucketMs})`);
    const pg = dialect.name === 'postgres';
    const { workspaceId: ws, journeyId: journey, version } = q;
    const bucket = (column: string) => sql<string>`${sql.ref(column)} / ${sql.lit(q.bucketMs)}`;
    const inRange = (column: string) =>
      sql<SqlBool>`${sql.ref(column)} >= ${q.from} and ${sql.ref(column)} < ${q.to}`;
    const exitField = (field: 'kind' | 'goal') =>
      pg
        ? sql<string | null>`exit->>${sql.lit(field)}`
        : sql<string | null>`json_extract(exit, ${sql.lit(`$.${field}`)})`;
    const count = sql<string>`count(*)`;

    // The journey's rows of one table, of the asked version when given.
    const runs = () =>
      db
        .selectFrom('runs')
        .where('workspace_id', '=', ws)
        .where('journey_id', '=', journey)
        .$if(version !== undefined, (b) => b.where('version', '=', version ?? 0));
    // Messages carry no version: of a version, those of its runs.
    const ofVersion: Expression<SqlBool> | null =
      version === undefined
        ? null
        : sql<SqlBool>`run_id in (${db
            .selectFrom('runs')
            .select('id')
            .where('workspace_id', '=', ws)
            .where('journey_id', '=', journey)
            .where('version', '=', version)})`;
    const messages = () =>
      db
        .selectFrom('messages')
        .where('workspace_id', '=', ws)
        .where('journey_id', '=', journey)
        .$if(ofVersion !== null, (b) => b.where(ofVersion ?? sql<SqlBool>`true`));
    const visits = () =>
      db
        .selectFrom('run_visits')
        .where('workspace_id', '=', ws)
        .where('journey_id', '=', journey)
        .$if(version !== undefined, (b) => b.where('version', '=', version ?? 0));
    const outcomes = () => this.#outcomes(q);
    const conversions = () =>
      db
        .selectFrom('conversions')
        .where('workspace_id', '=', ws)
        .where('journey_id', '=', journey)
        .$if(version !== undefined, (b) => b.where('version', '=', version ?? 0));
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

    const [
      runRows,
      visitRows,
      messageRows,
      skippedRows,
      outcomeRows,
      convTotal,
      convGoal,
      convNode,
      convChannel,
      convVariant,
      enteredSeries,
      sentSeries,
      outcomeSeries,
      conversionSeries,
    ] = await Promise.all([
      runs()
        .select([
          'version',
          'status',
          'node',
          exitField('kind').as('exit_kind'),
          exitField('goal').as('exit_goal'),
          count.as('n'),
        ])
        .groupBy(['version', 'status', 'node', exitField('kind'), exitField('goal')])
        .execute(),
      visits()
        .select(['node_id', 'variant', count.as('n')])
        .groupBy(['node_id', 'variant'])
        .execute(),
      messages()
        .select([
          'node_id',
          'channel',
          'template',
          'status',
          count.as('n'),
          sql<string>`count(sent_at)`.as('sent'),
        ])
        .groupBy(['node_id', 'channel', 'template', 'status'])
        .execute(),
      messages()
        .where(sql<SqlBool>`status = 'skipped'`) // a literal: messages_skipped is partial
        .select(['node_id', 'channel', 'template', SKIP_REASON.as('reason'), count.as('n')])
        .groupBy(['node_id', 'channel', 'template', SKIP_REASON])
        .execute(),
      outcomes()
        .select([
          'node_id',
          'channel',
          'template',
          'type',
          count.as('n'),
          sql<string>`count(human_at)`.as('human'),
        ])
        .groupBy(['node_id', 'channel', 'template', 'type'])
        .execute(),
      conversions().select(measures).executeTakeFirst(),
      conversions()
        .select(['goal_id', ...measures])
        .groupBy('goal_id')
        .execute(),
      conversions()
        .select(['node_id', 'channel', ...measures])
        .groupBy(['node_id', 'channel'])
        .execute(),
      conversions()
        .select(['channel', ...measures])
        .groupBy('channel')
        .execute(),
      conversions()
        .select(['variant', ...measures])
        .groupBy('variant')
        .execute(),
      runs()
        .where(inRange('entered_at'))
        .select([bucket('entered_at').as('bucket'), count.as('n')])
        .groupBy(bucket('entered_at'))
        .execute(),
      messages()
        .where(inRange('sent_at'))
        .select([bucket('sent_at').as('bucket'), 'node_id', 'channel', count.as('n')])
        .groupBy([bucket('sent_at'), 'node_id', 'channel'])
        .execute(),
      this.#outcomeSeries(q),
      conversions()
        .where(inRange('at'))
        .select([bucket('at').as('bucket'), count.as('n'), sql<string | null>`sum(value)`.as('v')])
        .groupBy(bucket('at'))
        .execute(),
    ]);

    const series: ReportAggregates['series'] = [];
    const push = (metric: SeriesMetric, r: { bucket: unknown; n: unknown }, extra = {}) =>
      series.push({
        bucket: num(r.bucket),
        metric,
        nodeId: null,
        channel: null,
        count: num(r.n),
        value: 0,
        ...extra,
      });
    for (const r of enteredSeries) push('entered', r);
    for (const r of sentSeries) push('sent', r, { nodeId: r.node_id, channel: r.channel });
    for (const r of outcomeSeries) push(r.metric, r);
    for (const r of conversionSeries) push('conversions', r, { value: num(r.v) });

    return {
      runs: runRows.map((r) => ({
        version: Number(r.version),
        status: r.status as RunStatus,
        node: r.node,
        exitKind: r.exit_kind,
        exitGoal: r.exit_goal,
        runs: num(r.n),
      })),
      visits: visitRows.map((r) => ({ nodeId: r.node_id, variant: r.variant, runs: num(r.n) })),
      messages: messageRows.map((r) => ({
        nodeId: r.node_id,
        channel: r.channel,
        template: r.template,
        status: r.status as MessageStatus,
        messages: num(r.n),
        sent: num(r.sent),
      })),
      skipped: skippedRows.map((r) => ({
        nodeId: r.node_id,
        channel: r.channel,
        template: r.template,
        reason: r.reason,
        messages: num(r.n),
      })),
      outcomes: outcomeRows.map((r) => ({
        nodeId: r.node_id,
        channel: r.channel,
        template: r.template,
        type: r.type,
        messages: num(r.n),
        human: num(r.human),
      })),
      conversions: {
        total: convTotal ? totals(convTotal) : { conversions: 0, convertedRuns: 0, revenue: 0 },
        byGoal: convGoal.map((r) => ({ goalId: r.goal_id, ...totals(r) })),
        byNode: convNode.map((r) => ({ nodeId: r.node_id, channel: r.channel, ...totals(r) })),
        byChannel: convChannel.map((r) => ({ channel: r.channel, ...totals(r) })),
        byVariant: convVariant.map((r) => ({ variant: r.variant, ...totals(r) })),
      },
      series,
    };
  }

  /** The journey's recorded outcomes, of the asked version when given. */
  #outcomes(q: ReportQuery) {
    return this.#c.db
      .selectFrom('message_outcomes')
      .where('workspace_id', '=', q.workspaceId)
      .where('journey_id', '=', q.journeyId)
      .$if(q.version !== undefined, (b) => b.where('version', '=', q.version ?? 0));
  }

  /**
   * Opens and clicks per bucket: a person's by the time the person first reported it; a
   * machine's only for messages no person reported (by the machine's time).
   */
  async #outcomeSeries(
    q: ReportQuery,
  ): Promise<Array<{ metric: SeriesMetric; bucket: unknown; n: unknown }>> {
    const out: Array<{ metric: SeriesMetric; bucket: unknown; n: unknown }> = [];
    const lit = sql.lit(q.bucketMs);
    const human = await this.#outcomes(q)
      .where('type', 'in', ['opened', 'clicked'])
      .where('human_at', '>=', q.from)
      .where('human_at', '<', q.to)
      .select(['type', sql<string>`human_at / ${lit}`.as('bucket'), sql<string>`count(*)`.as('n')])
      .groupBy(['type', sql`human_at / ${lit}`])
      .execute();
    const machine = await this.#outcomes(q)
      .where('type', 'in', ['opened', 'clicked'])
      .where('human_at', 'is', null)
      .where('machine_at', '>=', q.from)
      .where('machine_at', '<', q.to)
      .select([
        'type',
        sql<string>`machine_at / ${lit}`.as('bucket'),
        sql<string>`count(*)`.as('n'),
      ])
      .groupBy(['type', sql`machine_at / ${lit}`])
      .execute();
    for (const r of human) out.push({ metric: r.type === 'opened' ? 'opened' : 'clicked', ...r });
    for (const r of machine)
      out.push({ metric: r.type === 'opened' ? 'opened_machine' : 'clicked_machine', ...r });
    return out;
  }
}
