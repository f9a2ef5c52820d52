/**
 * Runs (one profile's trip through one journey version) and their history.
 * Part of the storage contract (../store.ts); implemented by ../repos/runs.repo.ts.
 */
import type { Awaiting, ExitReason, RunState, RunStatus, TraceEntry } from '@waymark/core';

/** A run: one profile's trip through one journey version. `state` is the evaluator's RunState. */
export interface RunRow {
  workspaceId: string;
  profileId: string;
  id: string;
  journeyId: string;
  version: number;
  status: RunStatus;
  node: string | null;
  /** Indexed: due-timer claims read `status in (active, waiting) and wake_at <= now`. */
  wakeAt: number | null;
  awaiting: Awaiting | null;
  state: RunState;
  enteredAt: number;
  updatedAt: number;
  endedAt: number | null;
  exit: ExitReason | null;
}

/** A line of a run's history. */
export interface RunTraceRow extends TraceEntry {
  workspaceId: string;
  profileId: string;
  runId: string;
}

/** Entry history of a profile in a journey, for re-entry policies. */
export interface EntryHistory {
  entries: number;
  lastEnteredAt: number | null;
  active: number;
}

/** Runs. */
export interface RunRepo {
  insert(rows: RunRow[]): Promise<void>;
  /** Writes state and its derived columns of each run. */
  update(rows: RunRow[]): Promise<void>;
  get(workspaceId: string, id: string): Promise<RunRow | null>;
  getMany(workspaceId: string, ids: string[]): Promise<RunRow[]>;
  listForProfile(workspaceId: string, profileId: string): Promise<RunRow[]>;
  /** Active or waiting runs of these profiles, oldest first. */
  activeForProfiles(workspaceId: string, profileIds: string[]): Promise<RunRow[]>;
  /**
   * Claims up to `limit` runs whose `wakeAt <= now` (active or waiting), oldest first, across
   * workspaces. PostgreSQL locks them (FOR UPDATE SKIP LOCKED) until the transaction ends.
   */
  claimDue(now: number, limit: number): Promise<RunRow[]>;
  /** Locks these runs for update (PostgreSQL) and returns their current rows. */
  lock(workspaceId: string, ids: string[]): Promise<RunRow[]>;
  entryHistory(workspaceId: string, journeyId: string, profileId: string): Promise<EntryHistory>;
  /** Entry histories of many profiles in one journey (profiles never entered are absent). */
  entryHistories(
    workspaceId: string,
    journeyId: string,
    profileIds: string[],
  ): Promise<Map<string, EntryHistory>>;
  appendTrace(rows: RunTraceRow[]): Promise<void>;
  trace(workspaceId: string, runId: string): Promise<RunTraceRow[]>;
  /** Next due time among waiting runs, for the worker's sleep. */
  nextWake(): Promise<number | null>;
  /** Re-points a merged profile's runs to the survivor. */
  reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void>;
}
