/**
 * Timers that may start runs (inactivity, date attributes, scheduled broadcasts).
 * Part of the storage contract (../store.ts); implemented by ../repos/trigger-timers.repo.ts.
 */

/** A timer that may start a run: inactivity and date-attribute triggers, scheduled broadcasts. */
export interface TriggerTimerRow {
  workspaceId: string;
  journeyId: string;
  /** Profile the trigger is for; '' for journey-wide timers (a scheduled broadcast). */
  profileId: string;
  kind: 'inactivity' | 'date' | 'broadcast';
  wakeAt: number;
  data: Record<string, unknown>;
}

/** Timers that start runs. */
export interface TriggerTimerRepo {
  /** Sets (or moves) the timer of (workspace, journey, profile, kind). */
  upsert(rows: TriggerTimerRow[]): Promise<void>;
  delete(
    workspaceId: string,
    journeyId: string,
    profileId: string,
    kind: TriggerTimerRow['kind'],
  ): Promise<void>;
  /** Claims and deletes due timers (SKIP LOCKED on PostgreSQL); the caller acts in the same transaction. */
  claimDue(now: number, limit: number): Promise<TriggerTimerRow[]>;
  nextWake(): Promise<number | null>;
}
