/**
 * Conversions (idempotent inserts, a journey's list and aggregates) and attribution windows
 * (upserts keeping the later end, lookups by profile and event name, pruning). Conversions are
 * few next to messages, so the query builder writes them.
 */
import { sql, type Selectable } from 'kysely';
import { checkLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import type { RepoContext } from '../dialect.ts';
import type { ConversionsTable } from '../schema.ts';
import type {
  ConversionAggregates,
  ConversionRepo,
  ConversionRow,
  ConversionTotals,
  ConversionWindowRow,
} from '../contracts/conversions.ts';
import type { Page } from '../contracts/page.ts';

const toRow = (r: Selectable<ConversionsTable>): ConversionRow => ({
  workspaceId: r.workspace_id,
  profileId: r.profile_id,
  id: r.id,
  journeyId: r.journey_id,
  version: r.version,
  runId: r.run_id,
  goalId: r.goal_id,
  eventId: r.event_id,
  eventName: r.event_name,
  stage: r.stage,
  variant: r.variant,
  nodeId: r.node_id,
  messageId: r.message_id,
  channel: r.channel,
  value: r.value === null ? null : Number(r.value),
  currency: r.currency,
  at: Number(r.at),
  createdAt: Number(r.created_at),
});

/** Rows per statement (well under both parameter limits at 18 columns). */
const CHUNK = 500;

/** Counts as numbers: PostgreSQL returns bigint counts and sums as text. */
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The aggregate columns of a group. */
const totals = (r: { conversions: unknown; converted: unknown; revenue: unknown }) =>
  ({
    conversions: num(r.conversions),
    convertedRuns: num(r.converted),
    revenue: num(r.revenue),
  }) satisfies ConversionTotals;

/** ConversionRepo over Kysely. */
export class KyselyConversionRepo implements ConversionRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  async insert(rows: ConversionRow[]): Promise<ConversionRow[]> {
    const inserted: ConversionRow[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const kept = await this.#c.db
        .insertInto('conversions')
        .values(
          chunk.map((r) => ({
            workspace_id: r.workspaceId,
            profile_id: r.profileId,
            id: r.id,
            journey_id: r.journeyId,
            version: r.version,
            run_id: r.runId,
            goal_id: r.goalId,
            event_id: r.eventId,
            event_name: r.eventName,
            stage: r.stage,
            variant: r.variant,
            node_id: r.nodeId,
            message_id: r.messageId,
            channel: r.channel,
            value: r.value,
            currency: r.currency,
            at: r.at,
            created_at: r.createdAt,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['workspace_id', 'profile_id', 'journey_id', 'event_id', 'goal_id'])
            .doNothing(),
        )
        .returning('id')
        .execute();
      const ids = new Set(kept.map((k) => k.id));
      inserted.push(...chunk.filter((r) => ids.has(r.id)));
    }
    return inserted;
  }

  /** Newest first by (at, id), the `conversions_journey` index's order; the cursor is the last. */
  async list(
    workspaceId: string,
    journeyId: string,
    opts: { limit: number; cursor?: string | undefined; goalId?: string | undefined },
  ): Promise<Page<ConversionRow>> {
    const limit = checkLimit(opts.limit);
    const after =
      opts.cursor === undefined ? null : decodeCursor(opts.cursor, ['number', 'string']);
    const { goalId } = opts;
    const rows = await this.#c.db
      .selectFrom('conversions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .$if(goalId !== undefined, (q) => q.where('goal_id', '=', goalId ?? ''))
      .$if(after !== null, (q) =>
        q.where((eb) =>
          eb.or([
            eb('at', '<', after?.[0] ?? 0),
            eb.and([eb('at', '=', after?.[0] ?? 0), eb('id', '<', after?.[1] ?? '')]),
          ]),
        ),
      )
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(toRow);
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last ? encodeCursor([last.at, last.id]) : null,
    };
  }

  /**
   * A report, not a hot path: it reads the journey's conversions (by `conversions_journey`) a
   * few times, and counts the journey's runs per group by `runs_entries`, reading each run's
   * variant from its state.
   */
  async aggregate(workspaceId: string, journeyId: string): Promise<ConversionAggregates> {
    const { db } = this.#c;
    const base = db
      .selectFrom('conversions')
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId);
    const measures = [
      sql<string>`count(*)`.as('conversions'),
      sql<string>`count(distinct run_id)`.as('converted'),
      sql<string | null>`sum(value)`.as('revenue'),
    ] as const;
    const total = await base.select(measures).executeTakeFirst();
    const byGoal = await base
      .select(['goal_id', ...measures])
      .groupBy('goal_id')
      .orderBy('goal_id')
      .execute();
    const byNode = await base
      .select(['node_id', 'channel', ...measures])
      .groupBy(['node_id', 'channel'])
      .orderBy('node_id')
      .orderBy('channel')
      .execute();
    const byChannel = await base
      .select(['channel', ...measures])
      .groupBy('channel')
      .orderBy('channel')
      .execute();
    const held = sql<boolean>`coalesce(variant = 'holdout', false)`;
    const convertedByGroup = await base
      .select([held.as('held'), sql<string>`count(distinct run_id)`.as('converted')])
      .groupBy(held)
      .execute();
    const variant =
      this.#c.dialect.name === 'postgres'
        ? sql<string | null>`state->>'variant'`
        : sql<string | null>`json_extract(state, '$.variant')`;
    const heldRun = sql<boolean>`coalesce(${variant} = 'holdout', false)`;
    const runs = await db
      .selectFrom('runs')
      .select([heldRun.as('held'), sql<string>`count(*)`.as('runs')])
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .groupBy(heldRun)
      .execute();
    const group = <R extends { held: unknown }>(rows: R[], pick: (r: R) => unknown) => ({
      holdout: num(rows.filter((r) => isTrue(r.held)).map(pick)[0]),
      treatment: num(rows.filter((r) => !isTrue(r.held)).map(pick)[0]),
    });
    return {
      total: total ? totals(total) : { conversions: 0, convertedRuns: 0, revenue: 0 },
      byGoal: byGoal.map((r) => ({ goalId: r.goal_id, ...totals(r) })),
      byNode: byNode.map((r) => ({ nodeId: r.node_id, channel: r.channel, ...totals(r) })),
      byChannel: byChannel.map((r) => ({ channel: r.channel, ...totals(r) })),
      convertedRunsByGroup: group(convertedByGroup, (r) => r.converted),
      runsByGroup: group(runs, (r) => r.runs),
    };
  }

  /** One statement per chunk; a conflicting row keeps the later of the two ends. */
  async openWindows(rows: ConversionWindowRow[]): Promise<void> {
    const later =
      this.#c.dialect.name === 'postgres'
        ? sql<number>`greatest(conversion_windows.until, excluded.until)`
        : sql<number>`max(conversion_windows.until, excluded.until)`;
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.#c.db
        .insertInto('conversion_windows')
        .values(
          dedupeWindows(rows.slice(i, i + CHUNK)).map((r) => ({
            workspace_id: r.workspaceId,
            profile_id: r.profileId,
            event_name: r.eventName,
            journey_id: r.journeyId,
            run_id: r.runId,
            until: r.until,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['workspace_id', 'profile_id', 'event_name', 'journey_id', 'run_id'])
            .doUpdateSet({ until: later }),
        )
        .execute();
    }
  }

  async openWindowsFor(a: {
    workspaceId: string;
    profileIds: string[];
    eventNames: string[];
    at: number;
  }): Promise<ConversionWindowRow[]> {
    if (a.profileIds.length === 0 || a.eventNames.length === 0) return [];
    const out: ConversionWindowRow[] = [];
    const perChunk = Math.max(1, Math.floor(CHUNK / a.eventNames.length));
    for (let i = 0; i < a.profileIds.length; i += perChunk) {
      const rows = await this.#c.db
        .selectFrom('conversion_windows')
        .selectAll()
        .where('workspace_id', '=', a.workspaceId)
        .where('profile_id', 'in', a.profileIds.slice(i, i + perChunk))
        .where('event_name', 'in', a.eventNames)
        .where('until', '>=', a.at)
        .execute();
      for (const r of rows) {
        out.push({
          workspaceId: r.workspace_id,
          profileId: r.profile_id,
          eventName: r.event_name,
          journeyId: r.journey_id,
          runId: r.run_id,
          until: Number(r.until),
        });
      }
    }
    return out;
  }

  /** Deletes the oldest closed windows first, by `conversion_windows_until`. */
  async pruneWindows(before: number, limit: number): Promise<number> {
    const doomed = await this.#c.db
      .selectFrom('conversion_windows')
      .select(['workspace_id', 'profile_id', 'event_name', 'journey_id', 'run_id'])
      .where('until', '<', before)
      .orderBy('until')
      .limit(checkLimit(limit))
      .execute();
    let deleted = 0;
    for (const d of doomed) {
      const r = await this.#c.db
        .deleteFrom('conversion_windows')
        .where('workspace_id', '=', d.workspace_id)
        .where('profile_id', '=', d.profile_id)
        .where('event_name', '=', d.event_name)
        .where('journey_id', '=', d.journey_id)
        .where('run_id', '=', d.run_id)
        .where('until', '<', before)
        .executeTakeFirst();
      deleted += Number(r.numDeletedRows);
    }
    return deleted;
  }
}

/** SQLite `1`/`0`, PostgreSQL `true`/`false`. */
function isTrue(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

/** One row per key (the latest end): a statement may not update the same row twice. */
function dedupeWindows(rows: ConversionWindowRow[]): ConversionWindowRow[] {
  const byKey = new Map<string, ConversionWindowRow>();
  for (const r of rows) {
    const k = `${r.workspaceId}\u0000${r.profileId}\u0000${r.eventName}\u0000${r.journeyId}\u0000${r.runId}`;
    const had = byKey.get(k);
    if (!had || had.until < r.until) byKey.set(k, r);
  }
  return [...byKey.values()];
}
