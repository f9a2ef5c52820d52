/**
 * Journey reports: what a marketer measures a journey by, of one version or of all — runs
 * (entered, active, completed, exited by goal or otherwise), the funnel of nodes (reached, there
 * now, drop-off along each edge), every message node and template (sent, delivered, opened and
 * clicked by people and by machines apart, replied, failed, skipped by reason, unsubscribed:
 * reports-messages.ts), conversions and revenue by goal, node and channel, each A/B split's arms
 * against the control (lift with a 95% Newcombe interval, reports-stats.ts), and a daily series
 * in the workspace's time zone (reports-series.ts). The storage counts (ReportRepo.aggregate,
 * aggregate SQL only); these modules name, sum and rate the groups. docs/reports.md says what
 * each number means.
 */
import { edgesOf, type JourneyDefinition } from '@waymark/core';
import { journeyVersions } from './conversions.ts';
import { AppError } from '../errors.ts';
import type { ConversionTotals, ReportAggregates } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';
import { messageCounts, type MessageCounts } from './reports-messages.ts';
import { daily, seriesRange, type DailySeries } from './reports-series.ts';
import { lift, ratio, wilson, type Interval, type Lift } from './reports-stats.ts';

export type { MessageCounts } from './reports-messages.ts';
export type { Day } from './reports-series.ts';

/** What a report is asked for. */
export interface ReportRequest {
  journeyId: string;
  version?: number | undefined;
  /** First local day of the series, `YYYY-MM-DD` (default: 29 days before `to`). */
  from?: string | undefined;
  /** Last local day of the series, inclusive (default: today in the workspace's zone). */
  to?: string | undefined;
}

/** Runs counted by outcome. */
export interface RunCounts {
  entered: number;
  /** Running or waiting now. */
  active: number;
  completed: number;
  /** Exited by reaching a goal, per goal. */
  exitedByGoal: Record<string, number>;
  /** Exited otherwise, per reason (`exit_node`, `holdout`, `definition_changed`). */
  exitedOther: Record<string, number>;
}

/** A node of the funnel. */
export interface NodeCounts {
  nodeId: string;
  type: string;
  /** Runs that reached the node. */
  reached: number;
  /** Runs at the node now (running or waiting). */
  atNow: number;
}

/** An edge of the graph and how many runs went along (or not). */
export interface DropOff {
  from: string;
  to: string;
  /** Arrivals at `from`. */
  reachedFrom: number;
  /** Arrivals at `to` from `from` (at most reachedFrom). */
  reachedTo: number;
  /** reachedFrom − reachedTo (never negative). */
  dropOff: number;
  /** reachedTo / reachedFrom (at most 1); null when nobody reached `from`. */
  rate: number | null;
  /**
   * Of the dropped, arrivals at `to` counted before edges were (store migration 008) that may
   * have come this way: `to` has several ways in, and which one they took is not known.
   */
  unattributed: number;
}

/** An arm of an A/B split (or its holdout) against the control. */
export interface Arm {
  name: string;
  /** Runs the split sent this way. */
  entered: number;
  /** Of them, runs with a conversion. */
  converted: number;
  rate: number | null;
  /** 95% Wilson interval of the rate. */
  interval: Interval | null;
  revenue: number;
  /** Against the control; null for the control itself or without runs on either side. */
  lift: Lift | null;
}

/** A journey's report. */
export interface JourneyReport {
  journeyId: string;
  name: string;
  /** The version reported on; null: all versions together. */
  version: number | null;
  timezone: string;
  runs: RunCounts;
  byVersion: Array<RunCounts & { version: number }>;
  nodes: NodeCounts[];
  dropOff: DropOff[];
  messages: Array<MessageCounts & { nodeId: string | null }>;
  templates: MessageCounts[];
  conversions: Omit<ReportAggregates['conversions'], 'byVariant'>;
  experiments: Array<{ splitNode: string; control: string; arms: Arm[] }>;
  daily: DailySeries;
}

const zeroCounts = (): RunCounts => ({
  entered: 0,
  active: 0,
  completed: 0,
  exitedByGoal: {},
  exitedOther: {},
});

function addRuns(c: RunCounts, r: ReportAggregates['runs'][number]): void {
  c.entered += r.runs;
  if (r.status === 'active' || r.status === 'waiting') c.active += r.runs;
  else if (r.status === 'completed') c.completed += r.runs;
  else if (r.exitKind === 'goal') {
    const goal = r.exitGoal ?? 'unknown';
    c.exitedByGoal[goal] = (c.exitedByGoal[goal] ?? 0) + r.runs;
  } else {
    const kind = r.exitKind ?? 'unknown';
    c.exitedOther[kind] = (c.exitedOther[kind] ?? 0) + r.runs;
  }
}

/** Each split's arms against its control: the holdout when it has one, else its first variant. */
function experiments(
  definitions: JourneyDefinition[],
  a: ReportAggregates,
): JourneyReport['experiments'] {
  const splits = new Map<string, { variants: string[]; holdout: boolean }>();
  for (const d of definitions)
    for (const [id, node] of Object.entries(d.nodes)) {
      if (node.type !== 'split') continue;
      const had = splits.get(id) ?? { variants: [], holdout: false };
      for (const v of node.variants) if (!had.variants.includes(v.name)) had.variants.push(v.name);
      had.holdout ||= (node.holdout ?? 0) > 0;
      splits.set(id, had);
    }
  const converted = new Map<string | null, ConversionTotals>(
    a.conversions.byVariant.map((v) => [v.variant, v]),
  );
  return [...splits].map(([splitNode, s]) => {
    const names = s.holdout ? [...s.variants, 'holdout'] : s.variants;
    const control = s.holdout ? 'holdout' : (s.variants[0] ?? '');
    const entered = (name: string) =>
      a.visits
        .filter((v) => v.nodeId === splitNode && v.variant === name)
        .reduce((n, v) => n + v.runs, 0);
    const group = (name: string) => ({
      n: entered(name),
      x: converted.get(name)?.convertedRuns ?? 0,
    });
    const base = group(control);
    const arms = names.map((name): Arm => {
      const g = group(name);
      return {
        name,
        entered: g.n,
        converted: g.x,
        rate: ratio(g.x, g.n),
        interval: wilson(g.x, g.n),
        revenue: converted.get(name)?.revenue ?? 0,
        lift: name === control ? null : lift(g, base),
      };
    });
    return { splitNode, control, arms };
  });
}

/**
 * The runs that went along each edge of the definitions (newest first, each edge once), summed
 * over the versions: arrivals at the edge's target from its source. Arrivals counted before edges
 * were (a node's arrivals less its edges', per version) went along the node's only way in when it
 * has one; else they are `unattributed` on each of its ways in.
 */
function edgeCounts(
  versions: ReadonlyArray<{ version: number; definition: JourneyDefinition }>,
  a: ReportAggregates,
): Array<{ from: string; to: string; went: number; unattributed: number }> {
  const key = (...parts: Array<string | number>) => parts.join('\u0000');
  const arrivals = new Map<string, number>();
  for (const v of a.visits) add(arrivals, key(v.version, v.nodeId), v.runs);
  const along = new Map<string, number>();
  const counted = new Map<string, number>();
  for (const e of a.edges) {
    add(along, key(e.version, e.fromNodeId ?? '', e.nodeId), e.runs);
    add(counted, key(e.version, e.nodeId), e.runs);
  }
  const out = new Map<string, { from: string; to: string; went: number; unattributed: number }>();
  for (const { version, definition } of versions) {
    // Each node's ways in: the nodes with an edge to it, and the journey's entry ('') at start.
    const waysIn = new Map<string, Set<string>>([[definition.start, new Set([''])]]);
    const graph: Array<[string, string]> = [];
    for (const [from, node] of Object.entries(definition.nodes))
      for (const { target: to } of edgesOf(node as Record<string, unknown>)) {
        const ways = waysIn.get(to) ?? new Set<string>();
        if (ways.has(from)) continue; // two edges to one node (a wait_for's next and onTimeout)
        waysIn.set(to, ways.add(from));
        graph.push([from, to]);
      }
    for (const [from, to] of graph) {
      const before = Math.max(
        0,
        (arrivals.get(key(version, to)) ?? 0) - (counted.get(key(version, to)) ?? 0),
      );
      const only = waysIn.get(to)?.size === 1;
      const edge = out.get(key(from, to)) ?? { from, to, went: 0, unattributed: 0 };
      edge.went += (along.get(key(version, from, to)) ?? 0) + (only ? before : 0);
      if (!only) edge.unattributed += before;
      out.set(key(from, to), edge);
    }
  }
  return [...out.values()];
}

/** Adds `n` to the count of `key`. */
function add<K>(counts: Map<K, number>, key: K, n: number): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

/** A journey's report (see the module header and docs/reports.md). */
export async function journeyReport(
  deps: AppDeps,
  workspaceId: string,
  req: ReportRequest,
): Promise<JourneyReport> {
  const { journey, versions } = await journeyVersions(deps, workspaceId, req.journeyId);
  const inScope = versions.filter((v) => req.version === undefined || v.version === req.version);
  if (req.version !== undefined && inScope.length === 0)
    throw new AppError('not_found', `journey ${req.journeyId} has no version ${req.version}`, [
      {
        path: 'version',
        message: 'no such version',
        hint: `versions: ${versions.map((v) => v.version).join(', ') || 'none'}`,
      },
    ]);
  const workspace = await deps.store.workspaces.get(workspaceId);
  const zone = workspace?.timezone ?? 'UTC';
  const range = seriesRange(req, zone, deps.clock.now());
  const a = await deps.store.reports.aggregate({
    workspaceId,
    journeyId: req.journeyId,
    version: req.version,
    from: range.start,
    to: range.end,
    bucketMs: range.bucketMs,
    bucketOffsetMs: range.bucketOffsetMs,
  });

  // Newest definition first: a node's type is the latest version's.
  const newestFirst = [...inScope].sort((x, y) => y.version - x.version);
  const definitions = newestFirst.map((v) => v.definition);
  const nodeTypes = new Map<string, string>();
  const order: string[] = [];
  for (const d of definitions)
    for (const [id, node] of Object.entries(d.nodes)) {
      if (!nodeTypes.has(id)) order.push(id);
      if (!nodeTypes.has(id)) nodeTypes.set(id, node.type);
    }

  const runs = zeroCounts();
  const byVersion = new Map<number, RunCounts & { version: number }>();
  const atNow = new Map<string, number>();
  for (const r of a.runs) {
    addRuns(runs, r);
    let v = byVersion.get(r.version);
    if (!v) byVersion.set(r.version, (v = { version: r.version, ...zeroCounts() }));
    addRuns(v, r);
    if ((r.status === 'active' || r.status === 'waiting') && r.node !== null)
      atNow.set(r.node, (atNow.get(r.node) ?? 0) + r.runs);
  }
  const reached = new Map<string, number>();
  for (const v of a.visits) add(reached, v.nodeId, v.runs);
  for (const id of [...reached.keys(), ...atNow.keys()])
    if (!nodeTypes.has(id)) {
      nodeTypes.set(id, 'unknown');
      order.push(id);
    }
  const nodes = order.map((nodeId) => ({
    nodeId,
    type: nodeTypes.get(nodeId) ?? 'unknown',
    reached: reached.get(nodeId) ?? 0,
    atNow: atNow.get(nodeId) ?? 0,
  }));

  const dropOff = edgeCounts(newestFirst, a).map(({ from, to, went, unattributed }): DropOff => {
    const reachedFrom = reached.get(from) ?? 0;
    const reachedTo = Math.min(went, reachedFrom);
    return {
      from,
      to,
      reachedFrom,
      reachedTo,
      dropOff: reachedFrom - reachedTo,
      rate: ratio(reachedTo, reachedFrom),
      unattributed: Math.min(unattributed, reachedFrom - reachedTo),
    };
  });

  const sendNodes = new Set([...nodeTypes].filter(([, type]) => type === 'send').map(([id]) => id));
  const { byVariant: _byVariant, ...conversions } = a.conversions;
  return {
    journeyId: journey.id,
    name: journey.name,
    version: req.version ?? null,
    timezone: zone,
    runs,
    byVersion: [...byVersion.values()].sort((x, y) => x.version - y.version),
    nodes,
    dropOff,
    ...messageCounts(a),
    conversions,
    experiments: experiments(definitions, a),
    daily: daily(a, range, zone, sendNodes),
  };
}
