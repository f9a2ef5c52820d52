/** Runs: batch writes, due-timer claims, locks, entry history and the trace. */
import { AwaitingSchema, ExitReasonSchema, RunStateSchema, type TraceEntry } from '@waymark/core';
import { sql, type Insertable, type Selectable } from 'kysely';
import { checkLimit } from '../cursor.ts';
import { insertMany, inList, keyChunks, updateMany } from '../batch.ts';
import {
  readArray,
  readObject,
  readObjectOrNull,
  toJson,
  toJsonOrNull,
  type CastType,
  type RepoContext,
} from '../dialect.ts';
import { RUN_DUE_AT } from '../migrations/001-initial.ts';
import { parseStored, parseStoredOrNull } from '../stored-json.ts';
import type { RunsTable } from '../schema.ts';
import type { EntryHistory, RunRepo, RunRow, RunTraceRow } from '../contracts/runs.ts';

/** Runs a timer can wake; spelled exactly as in the `runs_wake` partial index. */
const WAKEABLE = sql<boolean>`status in ('active', 'waiting')`;

/** PostgreSQL: the indexed expression of `runs_due` (wake_at of wakeable runs, else null). */
const DUE_AT = sql<number | null>`${RUN_DUE_AT}`;

/** Columns an insert writes. */
const RUN_COLUMNS = [
  'workspace_id',
  'profile_id',
  'id',
  'journey_id',
  'version',
  'status',
  'node',
  'wake_at',
  'awaiting',
  'state',
  'entered_at',
  'updated_at',
  'ended_at',
  'exit',
] as const;

/** Columns `update` writes (state and what is derived from it), with their PostgreSQL casts. */
const UPDATED: ReadonlyArray<readonly [column: keyof RunsTable & string, cast?: CastType]> = [
  ['version', 'integer'],
  ['status'],
  ['node'],
  ['wake_at', 'bigint'],
  ['awaiting', 'jsonb'],
  ['state', 'jsonb'],
  ['updated_at', 'bigint'],
  ['ended_at', 'bigint'],
  ['exit', 'jsonb'],
];

const TRACE_COLUMNS = ['workspace_id', 'profile_id', 'run_id', 'at', 'entries'] as const;

/** A trace line as stored inside a step's row. */
type StoredLine = Pick<TraceEntry, 'node' | 'what' | 'detail'>;

const toColumns = (r: RunRow): Insertable<RunsTable> => ({
  workspace_id: r.workspaceId,
  profile_id: r.profileId,
  id: r.id,
  journey_id: r.journeyId,
  version: r.version,
  status: r.status,
  node: r.node,
  wake_at: r.wakeAt,
  awaiting: toJsonOrNull(r.awaiting),
  state: toJson(r.state),
  entered_at: r.enteredAt,
  updated_at: r.updatedAt,
  ended_at: r.endedAt,
  exit: toJsonOrNull(r.exit),
});

/** RunRepo over Kysely. */
export class KyselyRunRepo implements RunRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<RunsTable>): RunRow {
    const d = this.#c.dialect;
    // JSON columns are parsed with their schemas (stored-json.ts), not cast.
    return {
      workspaceId: r.workspace_id,
      profileId: r.profile_id,
      id: r.id,
      journeyId: r.journey_id,
      version: r.version,
      status: r.status,
      node: r.node,
      wakeAt: r.wake_at,
      awaiting: parseStoredOrNull(
        AwaitingSchema,
        readObjectOrNull(d, r.awaiting, 'runs.awaiting'),
        'runs.awaiting',
      ),
      state: parseStored(RunStateSchema, readObject(d, r.state, 'runs.state'), 'runs.state'),
      enteredAt: r.entered_at,
      updatedAt: r.updated_at,
      endedAt: r.ended_at,
      exit: parseStoredOrNull(
        ExitReasonSchema,
        readObjectOrNull(d, r.exit, 'runs.exit'),
        'runs.exit',
      ),
    };
  }

  async insert(rows: RunRow[]): Promise<void> {
    await insertMany(this.#c, { table: 'runs', columns: RUN_COLUMNS }, rows.map(toColumns));
  }

  /**
   * One statement per chunk. Rows are matched by (workspace, id), so a run re-pointed by a merge
   * is still found; a run given twice is written once, with its last row.
   */
  async update(rows: RunRow[]): Promise<void> {
    const last = new Map(rows.map((r) => [`${r.workspaceId}\u0000${r.id}`, r]));
    await updateMany(
      this.#c,
      { table: 'runs', key: ['workspace_id', 'id'], set: UPDATED },
      [...last.values()].map(toColumns),
    );
  }

  async get(workspaceId: string, id: string): Promise<RunRow | null> {
    const r = await this.#c.db
      .selectFrom('runs')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  async getMany(workspaceId: string, ids: string[]): Promise<RunRow[]> {
    const out: RunRow[] = [];
    for (const part of keyChunks([...new Set(ids)], this.#c.dialect)) {
      const rows = await this.#c.db
        .selectFrom('runs')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where(inList(this.#c.dialect, 'id', part))
        .execute();
      for (const r of rows) out.push(this.#toRow(r));
    }
    return out;
  }

  async listForProfile(workspaceId: string, profileId: string): Promise<RunRow[]> {
    const rows = await this.#c.db
      .selectFrom('runs')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', profileId)
      .orderBy('entered_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => this.#toRow(r));
  }

  async activeForProfiles(workspaceId: string, profileIds: string[]): Promise<RunRow[]> {
    const out: RunRow[] = [];
    for (const part of keyChunks([...new Set(profileIds)], this.#c.dialect)) {
      const rows = await this.#c.db
        .selectFrom('runs')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where(inList(this.#c.dialect, 'profile_id', part))
        .where(WAKEABLE)
        .execute();
      for (const r of rows) out.push(this.#toRow(r));
    }
    return out.sort(
      (a, b) => a.enteredAt - b.enteredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  async claimDue(now: number, limit: number): Promise<RunRow[]> {
    const pg = this.#c.dialect.name === 'postgres';
    const rows = await this.#c.db
      .selectFrom('runs')
      .selectAll()
      .$if(pg, (q) => q.where(DUE_AT, '<=', now).orderBy(DUE_AT))
      .$if(!pg, (q) => q.where('wake_at', '<=', now).where(WAKEABLE).orderBy('wake_at'))
      .limit(checkLimit(limit))
      .$if(this.#c.dialect.capabilities.rowLocks, (q) => q.forUpdate().skipLocked())
      .execute();
    return rows.map((r) => this.#toRow(r));
  }

  async lock(workspaceId: string, ids: string[]): Promise<RunRow[]> {
    const out: RunRow[] = [];
    // Sorted ids: transactions locking overlapping sets take the locks in the same order.
    for (const part of keyChunks([...new Set(ids)].sort(), this.#c.dialect)) {
      const rows = await this.#c.db
        .selectFrom('runs')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where(inList(this.#c.dialect, 'id', part))
        .orderBy('id')
        .$if(this.#c.dialect.capabilities.rowLocks, (q) => q.forUpdate())
        .execute();
      for (const r of rows) out.push(this.#toRow(r));
    }
    return out;
  }

  async entryHistory(
    workspaceId: string,
    journeyId: string,
    profileId: string,
  ): Promise<EntryHistory> {
    const r = await this.#c.db
      .selectFrom('runs')
      .select((eb) => [
        eb.fn.countAll<number>().as('entries'),
        eb.fn.max('entered_at').as('last'),
        eb.fn.sum<number | null>(eb.case().when(WAKEABLE).then(1).else(0).end()).as('active'),
      ])
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .where('profile_id', '=', profileId)
      .executeTakeFirstOrThrow();
    return {
      entries: Number(r.entries),
      lastEnteredAt: r.last === null ? null : Number(r.last),
      active: Number(r.active ?? 0),
    };
  }

  async entryHistories(
    workspaceId: string,
    journeyId: string,
    profileIds: string[],
  ): Promise<Map<string, EntryHistory>> {
    const out = new Map<string, EntryHistory>();
    for (const part of keyChunks([...new Set(profileIds)], this.#c.dialect)) {
      const rows = await this.#c.db
        .selectFrom('runs')
        .select((eb) => [
          'profile_id',
          eb.fn.countAll<number>().as('entries'),
          eb.fn.max('entered_at').as('last'),
          eb.fn.sum<number | null>(eb.case().when(WAKEABLE).then(1).else(0).end()).as('active'),
        ])
        .where('workspace_id', '=', workspaceId)
        .where('journey_id', '=', journeyId)
        .where(inList(this.#c.dialect, 'profile_id', part))
        .groupBy('profile_id')
        .execute();
      for (const r of rows) {
        out.set(r.profile_id, {
          entries: Number(r.entries),
          lastEnteredAt: r.last === null ? null : Number(r.last),
          active: Number(r.active ?? 0),
        });
      }
    }
    return out;
  }

  async appendTrace(rows: RunTraceRow[]): Promise<void> {
    // Consecutive lines of one run at one instant (one step) share a row.
    const steps: Array<{ head: RunTraceRow; lines: StoredLine[] }> = [];
    for (const t of rows) {
      const last = steps.at(-1);
      const line = { node: t.node, what: t.what, detail: t.detail };
      if (
        last &&
        last.head.runId === t.runId &&
        last.head.workspaceId === t.workspaceId &&
        last.head.at === t.at
      ) {
        last.lines.push(line);
      } else steps.push({ head: t, lines: [line] });
    }
    await insertMany(
      this.#c,
      { table: 'run_trace', columns: TRACE_COLUMNS },
      steps.map(({ head, lines }) => ({
        workspace_id: head.workspaceId,
        profile_id: head.profileId,
        run_id: head.runId,
        at: head.at,
        entries: toJson(lines),
      })),
    );
  }

  /** The trace of a run that exists (its profile is looked up to use the trace's key). */
  async trace(workspaceId: string, runId: string): Promise<RunTraceRow[]> {
    const rows = await this.#c.db
      .selectFrom('run_trace')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', 'in', (eb) =>
        eb
          .selectFrom('runs')
          .select('profile_id')
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', runId),
      )
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    return rows.flatMap((t) => {
      // Written by appendTrace from trace lines.
      const lines = readArray(this.#c.dialect, t.entries, 'run_trace.entries') as StoredLine[];
      return lines.map((l) => ({
        workspaceId: t.workspace_id,
        profileId: t.profile_id,
        runId: t.run_id,
        at: t.at,
        node: l.node,
        what: l.what,
        detail: l.detail,
      }));
    });
  }

  async nextWake(): Promise<number | null> {
    if (this.#c.dialect.name === 'postgres') {
      const r = await this.#c.db
        .selectFrom('runs')
        .select(DUE_AT.as('due'))
        .where(DUE_AT, 'is not', null)
        .orderBy(DUE_AT)
        .limit(1)
        .executeTakeFirst();
      return r?.due ?? null;
    }
    const r = await this.#c.db
      .selectFrom('runs')
      .select('wake_at')
      .where('wake_at', 'is not', null)
      .where(WAKEABLE)
      .orderBy('wake_at')
      .limit(1)
      .executeTakeFirst();
    return r?.wake_at ?? null;
  }

  /** Moves the runs of a merged profile, with their trace, outbox rows and tasks. */
  async reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void> {
    for (const table of ['runs', 'run_trace', 'messages', 'tasks'] as const) {
      await this.#c.db
        .updateTable(table)
        .set({ profile_id: toProfileId })
        .where('workspace_id', '=', workspaceId)
        .where('profile_id', '=', fromProfileId)
        .execute();
    }
  }
}
