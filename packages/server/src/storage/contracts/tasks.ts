/**
 * Tasks for staff, created by journeys.
 * Part of the storage contract (../store.ts); implemented by ../repos/tasks.repo.ts.
 */

/** A task for staff. */
export interface TaskRow {
  workspaceId: string;
  profileId: string;
  id: string;
  idempotencyKey: string;
  runId: string | null;
  journeyId: string | null;
  nodeId: string | null;
  team: string;
  title: string;
  description: string | null;
  dueAt: number;
  status: 'open' | 'claimed' | 'done';
  assignee: string | null;
  outcome: string | null;
  note: string | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
  /** When the overdue escalation went out (once per task); null until then. */
  escalatedAt: number | null;
}

/** Tasks for staff. */
export interface TaskRepo {
  insert(rows: TaskRow[]): Promise<TaskRow[]>;
  get(workspaceId: string, id: string): Promise<TaskRow | null>;
  list(
    workspaceId: string,
    opts: { team?: string | undefined; status?: TaskRow['status'] | undefined; limit: number },
  ): Promise<TaskRow[]>;
  update(
    workspaceId: string,
    id: string,
    patch: Partial<
      Pick<
        TaskRow,
        'status' | 'assignee' | 'outcome' | 'note' | 'updatedAt' | 'completedAt' | 'escalatedAt'
      >
    >,
  ): Promise<void>;
  /**
   * Open or claimed tasks due at or before `now` and not yet escalated, oldest first, across
   * workspaces; by index. PostgreSQL locks them (FOR UPDATE SKIP LOCKED) until the transaction
   * ends, so concurrent escalations in transactions take disjoint tasks.
   */
  overdue(now: number, limit: number): Promise<TaskRow[]>;
  /** The earliest due time of a task not yet done nor escalated (the worker's next wake-up). */
  nextOverdue(): Promise<number | null>;
  /**
   * Closes the open or claimed tasks among `idempotencyKeys` (status `done` with the outcome and
   * note given, at `at`), leaving done ones as they are; answers how many it closed.
   */
  closePending(
    workspaceId: string,
    idempotencyKeys: string[],
    close: { outcome: string; note: string; at: number },
  ): Promise<number>;
}
