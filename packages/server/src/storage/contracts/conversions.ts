/**
 * Conversions of journey goals and the attribution windows that find them.
 * Part of the storage contract (../store.ts); implemented by ../repos/conversions.repo.ts.
 */
import type { Page } from './page.ts';

/**
 * A conversion: a goal of a journey reached by a profile's event, attributed to the run and to the
 * last message it sent inside the goal's attribution window (node, message and channel are null
 * when no message qualifies: a conversion while the run was in progress, or of a held-out run).
 * Unique per (workspace, profile, journey, event, goal): an event converts a goal once per journey.
 */
export interface ConversionRow {
  workspaceId: string;
  profileId: string;
  id: string;
  journeyId: string;
  version: number;
  runId: string;
  goalId: string;
  /** The goal event's id (Segment `messageId`). */
  eventId: string;
  eventName: string;
  /** `in_run`: the run was in progress; `after_run`: it had ended, inside the window. */
  stage: 'in_run' | 'after_run';
  /** The run's split variant, `holdout` for the control group; null without a split. */
  variant: string | null;
  nodeId: string | null;
  messageId: string | null;
  channel: string | null;
  /** The goal's `valueProperty` of the event (revenue). */
  value: number | null;
  currency: string | null;
  /** The goal event's time. */
  at: number;
  createdAt: number;
}

/**
 * An open attribution window: until `until`, an event `eventName` of the profile may still
 * convert a goal of the run (which may have ended). Written when the run sends or is held out.
 */
export interface ConversionWindowRow {
  workspaceId: string;
  profileId: string;
  eventName: string;
  journeyId: string;
  runId: string;
  until: number;
}

/** Conversion counts and revenue of a group (a goal, a node, a channel, all). */
export interface ConversionTotals {
  conversions: number;
  /** Distinct runs with at least one conversion. */
  convertedRuns: number;
  /** Sum of the values (null values count as 0). */
  revenue: number;
}

/** A journey's conversions, aggregated by the storage (app/conversions.ts adds the rates). */
export interface ConversionAggregates {
  total: ConversionTotals;
  byGoal: Array<ConversionTotals & { goalId: string }>;
  byNode: Array<ConversionTotals & { nodeId: string | null; channel: string | null }>;
  byChannel: Array<ConversionTotals & { channel: string | null }>;
  /** Converted runs of the control group (variant `holdout`) and of the others. */
  convertedRunsByGroup: { holdout: number; treatment: number };
  /** Runs of the journey in the control group (variant `holdout`) and the others. */
  runsByGroup: { holdout: number; treatment: number };
}

/** Conversions and the attribution windows that find them. */
export interface ConversionRepo {
  /** Inserts, skipping duplicates of (workspace, profile, journey, event, goal); returns the rows inserted. */
  insert(rows: ConversionRow[]): Promise<ConversionRow[]>;
  /** A journey's conversions, newest first (by goal event time, then id); of one goal when given. */
  list(
    workspaceId: string,
    journeyId: string,
    opts: { limit: number; cursor?: string | undefined; goalId?: string | undefined },
  ): Promise<Page<ConversionRow>>;
  /** Counts and revenue of a journey's conversions by goal, node and channel; runs per group. */
  aggregate(workspaceId: string, journeyId: string): Promise<ConversionAggregates>;
  /** Opens or extends windows: of a (profile, event, journey, run) the later `until` stays. */
  openWindows(rows: ConversionWindowRow[]): Promise<void>;
  /**
   * Windows of these profiles for these event names still open at `at` (`until >= at`); by the
   * primary key.
   */
  openWindowsFor(a: {
    workspaceId: string;
    profileIds: string[];
    eventNames: string[];
    at: number;
  }): Promise<ConversionWindowRow[]>;
  /** Deletes up to `limit` windows closed before `before`; returns how many. */
  pruneWindows(before: number, limit: number): Promise<number>;
}
