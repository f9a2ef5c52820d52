/**
 * What journey reports count (arrivals at nodes, message outcomes) and their aggregates.
 * Part of the storage contract (../store.ts); implemented by ../repos/reports.repo.ts.
 */
import type { RunStatus } from '@waymark/core';
import type { ConversionTotals } from './conversions.ts';
import type { MessageStatus } from './messages.ts';

/**
 * A run's arrival at a node (reports count them per node, and per edge by `fromNodeId`): each
 * line of a step's trace at a node other than the run's previous one, so that a run coming back
 * to a node (a loop through a wait) arrives there again.
 */
export interface RunVisitRow {
  workspaceId: string;
  journeyId: string;
  version: number;
  nodeId: string;
  /** The node the run came from; null when it entered the journey at `nodeId`. */
  fromNodeId: string | null;
  /** The run's split variant after the step (`holdout` for the control group). */
  variant: string | null;
}

/**
 * An outcome of a journey's message as it reached the run (opened, clicked, replied,
 * unsubscribed…), recorded for reports: per (message, type) the first human and the first machine
 * report are kept.
 */
export interface MessageOutcomeRecord {
  workspaceId: string;
  profileId: string;
  /** The message's idempotency key. */
  messageKey: string;
  type: string;
  journeyId: string;
  version: number;
  runId: string;
  nodeId: string;
  channel: string | null;
  template: string | null;
  /** Reported by a privacy proxy or a link scanner. */
  machine: boolean;
  at: number;
}

/** What a journey report counts: of one version or all, and the series' time range. */
export interface ReportQuery {
  workspaceId: string;
  journeyId: string;
  version?: number | undefined;
  /** The series covers `from <= t < to` (epoch ms). */
  from: number;
  to: number;
  /**
   * A time t in the range falls in bucket `floor((t + bucketOffsetMs) / bucketMs)`; the caller
   * chooses them so that no bucket straddles two local days.
   */
  bucketMs: number;
  bucketOffsetMs: number;
}

/** A journey's numbers, aggregated by the storage (app/reports.ts shapes and rates them). */
export interface ReportAggregates {
  /** Runs by version, status and current node; exited runs by version and exit reason (node null). */
  runs: Array<{
    version: number;
    status: RunStatus;
    node: string | null;
    exitKind: string | null;
    exitGoal: string | null;
    runs: number;
  }>;
  /** Arrivals at each node, by version and split variant. */
  visits: Array<{ version: number; nodeId: string; variant: string | null; runs: number }>;
  /**
   * Arrivals at each node by version and the node they came from (null: entered there), counted
   * since migration 008; a node's arrivals less its edges' are those counted before it.
   */
  edges: Array<{ version: number; fromNodeId: string | null; nodeId: string; runs: number }>;
  /** Outbox rows by node, channel, template and status; `sent`: those with a send time. */
  messages: Array<{
    nodeId: string | null;
    channel: string;
    template: string | null;
    status: MessageStatus;
    messages: number;
    sent: number;
  }>;
  /** Skipped rows by node and reason (`suppressed`, `unsubscribed`, `frequency_cap`, …). */
  skipped: Array<{
    nodeId: string | null;
    channel: string;
    template: string | null;
    reason: string;
    messages: number;
  }>;
  /** Messages with an outcome by node and type; `human`: a person reported it, else only machines. */
  outcomes: Array<{
    nodeId: string;
    channel: string | null;
    template: string | null;
    type: string;
    human: boolean;
    messages: number;
  }>;
  conversions: {
    total: ConversionTotals;
    byGoal: Array<ConversionTotals & { goalId: string }>;
    byNode: Array<ConversionTotals & { nodeId: string | null; channel: string | null }>;
    byChannel: Array<ConversionTotals & { channel: string | null }>;
    byVariant: Array<ConversionTotals & { variant: string | null }>;
  };
  /** Counts per bucket of the range (`ReportQuery`): entries, sends, opens and clicks, conversions. */
  series: {
    entered: Array<{ bucket: number; count: number }>;
    sent: Array<{ bucket: number; nodeId: string | null; channel: string; count: number }>;
    /** Opens and clicks: a person's first; a machine's first where no person's is recorded. */
    hits: Array<{ bucket: number; type: string; human: boolean; count: number }>;
    conversions: Array<{ bucket: number; count: number; revenue: number }>;
  };
}

/** What journey reports count: arrivals at nodes and message outcomes, and the aggregates. */
export interface ReportRepo {
  /**
   * Adds arrivals at nodes to their counts: one upsert per node and variant, one per node and the
   * node the runs came from.
   */
  recordVisits(rows: RunVisitRow[]): Promise<void>;
  /** Records outcomes; of a (message, type) the first human and first machine times stay. */
  recordOutcomes(rows: MessageOutcomeRecord[]): Promise<void>;
  /** A journey's counts, computed by aggregate queries over the report indexes of 005. */
  aggregate(q: ReportQuery): Promise<ReportAggregates>;
}
