/**
 * Staff tasks (a collection call, a service follow-up), as the people who do them see them: list
 * by team, status and overdue; open one with the customer's details (name, phone, email to call);
 * claim it; complete it with an outcome (`paid`, `no_answer`, free text) that the journey waiting
 * on it branches on. Completion and the run's step commit together.
 *
 * Concurrency: claim and complete first lock the task's run (PostgreSQL: FOR UPDATE), then read
 * the task, so two staff acting on one task at once are serialised and the second sees the
 * first's change (a conflict), never a double completion.
 */
import { AppError } from '../errors.ts';
import type { IdentityRow, TaskRow, Tx } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';

/** The customer a task is about: what staff need to reach them. */
export interface TaskCustomer {
  profileId: string;
  traits: Record<string, unknown>;
  identities: Array<Pick<IdentityRow, 'kind' | 'value'>>;
}

/** A task with its customer. */
export interface TaskView {
  task: TaskRow;
  customer: TaskCustomer | null;
}

/** Tasks still to do. */
const PENDING: ReadonlyArray<TaskRow['status']> = ['open', 'claimed'];

function notFound(taskId: string): AppError {
  return new AppError('not_found', `no task ${taskId}`, [
    { path: 'id', message: 'no such task', hint: 'list tasks with GET /api/tasks' },
  ]);
}

/**
 * Tasks for staff, soonest due first, by team and status. `overdue`: only tasks not done whose
 * due time has passed (open and claimed, unless `status` narrows it).
 */
export async function listTasks(
  deps: AppDeps,
  workspaceId: string,
  opts: {
    team?: string | undefined;
    status?: TaskRow['status'] | undefined;
    overdue?: boolean | undefined;
    limit: number;
  },
): Promise<TaskRow[]> {
  const { team, status, limit } = opts;
  if (!opts.overdue) return deps.store.tasks.list(workspaceId, { team, status, limit });
  const now = deps.clock.now();
  const statuses = status ? PENDING.filter((s) => s === status) : PENDING;
  const found: TaskRow[] = [];
  for (const s of statuses) {
    // Soonest due first: the overdue ones come first, so `limit` rows hold them all up to it.
    const rows = await deps.store.tasks.list(workspaceId, { team, status: s, limit });
    found.push(...rows.filter((t) => t.dueAt <= now));
  }
  return found.sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id)).slice(0, limit);
}

/** A task and the customer it is about (traits and identities, following a merge). */
export async function getTask(
  deps: AppDeps,
  workspaceId: string,
  taskId: string,
): Promise<TaskView> {
  const task = await deps.store.tasks.get(workspaceId, taskId);
  if (!task) throw notFound(taskId);
  let profile = await deps.store.profiles.get(workspaceId, task.profileId);
  if (profile?.mergedInto) profile = await deps.store.profiles.get(workspaceId, profile.mergedInto);
  if (!profile) return { task, customer: null };
  const identities = await deps.store.profiles.identities(workspaceId, profile.id);
  return {
    task,
    customer: {
      profileId: profile.id,
      traits: profile.traits,
      identities: identities.map(({ kind, value }) => ({ kind, value })),
    },
  };
}

/** Locks the task's run (serialising staff on one task), then reads the task. */
async function lockedTask(tx: Tx, workspaceId: string, taskId: string) {
  const first = await tx.tasks.get(workspaceId, taskId);
  if (!first) throw notFound(taskId);
  const [run] = first.runId ? await tx.runs.lock(workspaceId, [first.runId]) : [];
  const task = (await tx.tasks.get(workspaceId, taskId)) ?? first;
  return { task, run };
}

/**
 * Claims a task for `assignee`. Claiming one's own claim again is harmless; a task claimed by
 * someone else or already done is a conflict.
 */
export async function claimTask(
  deps: AppDeps,
  workspaceId: string,
  a: { taskId: string; assignee: string },
): Promise<TaskRow> {
  return deps.store.transaction(async (tx) => {
    const { task } = await lockedTask(tx, workspaceId, a.taskId);
    if (task.status === 'done')
      throw new AppError('conflict', `task ${a.taskId} is already done (${task.outcome})`, [
        { path: 'id', message: 'already done' },
      ]);
    if (task.status === 'claimed' && task.assignee !== a.assignee)
      throw new AppError('conflict', `task ${a.taskId} is claimed by ${task.assignee}`, [
        { path: 'assignee', message: `claimed by ${task.assignee}` },
      ]);
    if (task.status === 'claimed') return task;
    const now = deps.clock.now();
    const patch = { status: 'claimed' as const, assignee: a.assignee, updatedAt: now };
    await tx.tasks.update(workspaceId, task.id, patch);
    return { ...task, ...patch };
  });
}

/**
 * Completes a task with an outcome (`paid`, `no_answer`, free text) and, in the same transaction,
 * hands it to the task's run (a `wait_for task` moves on; `last.task.outcome` is then set). A task
 * already done, or claimed by someone other than `by`, is a conflict and nothing is recorded.
 */
export async function completeTask(
  deps: AppDeps,
  workspaceId: string,
  a: { taskId: string; outcome: string; note?: string | undefined; by?: string | undefined },
): Promise<TaskRow> {
  const task = await deps.engine.withBatch(async (batch, tx, now) => {
    const { task: t, run } = await lockedTask(tx, workspaceId, a.taskId);
    if (t.status === 'done')
      throw new AppError('conflict', `task ${a.taskId} is already done (${t.outcome})`, [
        { path: 'id', message: 'already done' },
      ]);
    if (t.status === 'claimed' && a.by !== undefined && t.assignee !== a.by)
      throw new AppError('conflict', `task ${a.taskId} is claimed by ${t.assignee}`, [
        { path: 'by', message: `claimed by ${t.assignee}` },
      ]);
    const patch = {
      status: 'done' as const,
      outcome: a.outcome,
      note: a.note ?? null,
      assignee: a.by ?? t.assignee,
      completedAt: now,
      updatedAt: now,
    };
    await tx.tasks.update(workspaceId, t.id, patch);
    if (run && t.nodeId) {
      await batch.advance(run, {
        kind: 'task',
        task: {
          taskKey: t.idempotencyKey,
          nodeId: t.nodeId,
          outcome: a.outcome,
          note: a.note,
          at: now,
        },
      });
    }
    return { ...t, ...patch };
  });
  deps.notify('outbox');
  return task;
}
