/** Timers that start runs: upserts that move a timer, and claims that delete what they return. */
import type { Selectable } from 'kysely';
import { checkLimit } from '../cursor.ts';
import { insertMany } from '../batch.ts';
import { readObject, toJson, type RepoContext } from '../dialect.ts';
import type { TriggerTimersTable } from '../schema.ts';
import type { TriggerTimerRepo, TriggerTimerRow } from '../contracts/trigger-timers.ts';

const KEY = ['workspace_id', 'profile_id', 'journey_id', 'kind'] as const;

const keyOf = (t: TriggerTimerRow): string =>
  JSON.stringify([t.workspaceId, t.profileId, t.journeyId, t.kind]);

/** TriggerTimerRepo over Kysely. */
export class KyselyTriggerTimerRepo implements TriggerTimerRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<TriggerTimersTable>): TriggerTimerRow {
    return {
      workspaceId: r.workspace_id,
      journeyId: r.journey_id,
      profileId: r.profile_id,
      kind: r.kind,
      wakeAt: r.wake_at,
      data: readObject(this.#c.dialect, r.data, 'trigger_timers.data'),
    };
  }

  /** Sets or moves timers; when a batch names one timer twice, the last row wins. */
  async upsert(rows: TriggerTimerRow[]): Promise<void> {
    const unique = [...new Map(rows.map((t) => [keyOf(t), t])).values()];
    await insertMany(
      this.#c,
      {
        table: 'trigger_timers',
        columns: [...KEY, 'wake_at', 'data'],
        conflict: { target: KEY, update: ['wake_at', 'data'] },
      },
      unique.map((t) => ({
        workspace_id: t.workspaceId,
        profile_id: t.profileId,
        journey_id: t.journeyId,
        kind: t.kind,
        wake_at: t.wakeAt,
        data: toJson(t.data),
      })),
    );
  }

  async delete(
    workspaceId: string,
    journeyId: string,
    profileId: string,
    kind: TriggerTimerRow['kind'],
  ): Promise<void> {
    await this.#c.db
      .deleteFrom('trigger_timers')
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', profileId)
      .where('journey_id', '=', journeyId)
      .where('kind', '=', kind)
      .execute();
  }

  /** Deletes and returns up to `limit` due timers, soonest first. */
  async claimDue(now: number, limit: number): Promise<TriggerTimerRow[]> {
    const db = this.#c.db;
    const due = db
      .selectFrom('trigger_timers')
      .select([...KEY])
      .where('wake_at', '<=', now)
      .orderBy('wake_at')
      .limit(checkLimit(limit))
      .$if(this.#c.dialect.capabilities.rowLocks, (q) => q.forUpdate().skipLocked())
      .$asTuple(...KEY);
    const rows = await db
      .deleteFrom('trigger_timers')
      .where((eb) => eb(eb.refTuple(...KEY), 'in', due))
      .returningAll()
      .execute();
    return rows.map((r) => this.#toRow(r)).sort((a, b) => a.wakeAt - b.wakeAt);
  }

  async nextWake(): Promise<number | null> {
    const r = await this.#c.db
      .selectFrom('trigger_timers')
      .select('wake_at')
      .orderBy('wake_at')
      .limit(1)
      .executeTakeFirst();
    return r?.wake_at ?? null;
  }
}
