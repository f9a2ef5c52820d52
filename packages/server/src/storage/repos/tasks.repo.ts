/** Tasks for staff: idempotent inserts, listing by team and status, updates, overdue lookups. */
import type { Selectable, Updateable } from 'kysely';
import { checkLimit } from '../cursor.ts';
import { insertMany, pickInserted } from '../batch.ts';
import { type RepoContext } from '../dialect.ts';
import { TASK_ESCALATABLE } from '../migrations/002-channels.ts';
import type { TasksTable } from '../schema.ts';
import type { TaskRepo, TaskRow } from '../contracts/tasks.ts';

const toRow = (r: Selectable<TasksTable>): TaskRow => ({
  workspaceId: r.workspace_id,
  profileId: r.profile_id,
  id: r.id,
  idempotencyKey: r.idempotency_key,
  runId: r.run_id,
  journeyId: r.journey_id,
  nodeId: r.node_id,
  team: r.team,
  title: r.title,
  description: r.description,
  dueAt: r.due_at,
  status: r.status,
  assignee: r.assignee,
  outcome: r.outcome,
  note: r.note,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  completedAt: r.completed_at,
  escalatedAt: r.escalated_at,
});

/** Columns an insert writes. */
const TASK_COLUMNS = [
  'workspace_id',
  'profile_id',
  'id',
  'idempotency_key',
  'run_id',
  'journey_id',
  'node_id',
  'team',
  'title',
  'description',
  'due_at',
  'status',
  'assignee',
  'outcome',
  'note',
  'created_at',
  'updated_at',
  'completed_at',
  'escalated_at',
] as const;

/** TaskRepo over Kysely. */
export class KyselyTaskRepo implements TaskRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  /** Inserts, skipping duplicates of (workspace, idempotencyKey); returns the rows inserted. */
  async insert(rows: TaskRow[]): Promise<TaskRow[]> {
    const kept = await insertMany<'tasks', { workspace_id: string; idempotency_key: string }>(
      this.#c,
      {
        table: 'tasks',
        columns: TASK_COLUMNS,
        conflict: { target: ['workspace_id', 'idempotency_key'] },
        returning: ['workspace_id', 'idempotency_key'],
      },
      rows.map((t) => ({
        workspace_id: t.workspaceId,
        profile_id: t.profileId,
        id: t.id,
        idempotency_key: t.idempotencyKey,
        run_id: t.runId,
        journey_id: t.journeyId,
        node_id: t.nodeId,
        team: t.team,
        title: t.title,
        description: t.description,
        due_at: t.dueAt,
        status: t.status,
        assignee: t.assignee,
        outcome: t.outcome,
        note: t.note,
        created_at: t.createdAt,
        updated_at: t.updatedAt,
        completed_at: t.completedAt,
        escalated_at: t.escalatedAt,
      })),
    );
    return pickInserted(rows, kept);
  }

  async get(workspaceId: string, id: string): Promise<TaskRow | null> {
    const r = await this.#c.db
      .selectFrom('tasks')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toRow(r) : null;
  }

  /** Soonest due first. */
  async list(
    workspaceId: string,
    opts: { team?: string | undefined; status?: TaskRow['status'] | undefined; limit: number },
  ): Promise<TaskRow[]> {
    const { team, status } = opts;
    const rows = await this.#c.db
      .selectFrom('tasks')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .$if(team !== undefined, (q) => q.where('team', '=', team ?? ''))
      .$if(status !== undefined, (q) => q.where('status', '=', status ?? 'open'))
      .orderBy('due_at')
      .orderBy('id')
      .limit(checkLimit(opts.limit))
      .execute();
    return rows.map(toRow);
  }

  async update(
    workspaceId: string,
    id: string,
    patch: Partial<
      Pick<
        TaskRow,
        'status' | 'assignee' | 'outcome' | 'note' | 'updatedAt' | 'completedAt' | 'escalatedAt'
      >
    >,
  ): Promise<void> {
    const set: Updateable<TasksTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.assignee !== undefined) set.assignee = patch.assignee;
    if (patch.outcome !== undefined) set.outcome = patch.outcome;
    if (patch.note !== undefined) set.note = patch.note;
    if (patch.updatedAt !== undefined) set.updated_at = patch.updatedAt;
    if (patch.completedAt !== undefined) set.completed_at = patch.completedAt;
    if (patch.escalatedAt !== undefined) set.escalated_at = patch.escalatedAt;
    if (Object.keys(set).length === 0) return;
    await this.#c.db
      .updateTable('tasks')
      .set(set)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * Through the `tasks_overdue` partial index (its predicate repeated as `TASK_ESCALATABLE`),
   * across workspaces. PostgreSQL locks the rows (FOR UPDATE SKIP LOCKED) until the transaction
   * ends, so two workers escalating in transactions never pick the same task.
   */
  async overdue(now: number, limit: number): Promise<TaskRow[]> {
    const rows = await this.#c.db
      .selectFrom('tasks')
      .selectAll()
      .where(TASK_ESCALATABLE)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(checkLimit(limit))
      .$if(this.#c.dialect.capabilities.rowLocks, (q) => q.forUpdate().skipLocked())
      .execute();
    return rows.map(toRow);
  }

  async nextOverdue(): Promise<number | null> {
    const r = await this.#c.db
      .selectFrom('tasks')
      .select('due_at')
      .where(TASK_ESCALATABLE)
      .orderBy('due_at')
      .limit(1)
      .executeTakeFirst();
    return r?.due_at ?? null;
  }

  /** By the unique (workspace, idempotency key) index. */
  async closePending(
    workspaceId: string,
    idempotencyKeys: string[],
    close: { outcome: string; note: string; at: number },
  ): Promise<number> {
    if (idempotencyKeys.length === 0) return 0;
    const r = await this.#c.db
      .updateTable('tasks')
      .set({
        status: 'done',
        outcome: close.outcome,
        note: close.note,
        completed_at: close.at,
        updated_at: close.at,
      })
      .where('workspace_id', '=', workspaceId)
      .where('idempotency_key', 'in', idempotencyKeys)
      .where('status', 'in', ['open', 'claimed'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
