/**
 * What changed between two versions of a journey, structurally: nodes added, removed and
 * changed (field by field, by dotted path), edges added and removed, and the changes of the
 * journey's other parts (trigger, policies, templates, name, start). Nodes are matched by id —
 * the same id is the same node, as when runs move between versions. Works on drafts too: both
 * sides are read as plain JSON. Everything is listed in id and path order.
 */
import { scanEdges } from '../nodes/registry.ts';
import { isRecord } from './words.ts';

/** One changed field: its dotted path, and its value before and after (undefined: absent). */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** An edge of the graph: from a node's field to a node. */
export interface EdgeRef {
  from: string;
  field: string;
  to: string;
}

/** The structural difference of two journey documents. */
export interface JourneyDiff {
  nodes: {
    added: string[];
    removed: string[];
    /** Nodes in both, with their changed fields (paths inside the node). */
    changed: Array<{ id: string; fields: FieldChange[] }>;
  };
  edges: { added: EdgeRef[]; removed: EdgeRef[] };
  /** Changes outside `nodes` (paths from the document's root: `trigger.event`, `policies…`). */
  other: FieldChange[];
  /** Whether anything at all changed. */
  same: boolean;
}

/** The changed leaves of two JSON values, by dotted path under `at`. */
function changes(before: unknown, after: unknown, at: string, out: FieldChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) changes(before[key], after[key], at ? `${at}.${key}` : key, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i += 1) changes(before[i], after[i], `${at}.${i}`, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: at, before, after });
}

const nodesOf = (doc: unknown): Record<string, Record<string, unknown>> => {
  const nodes = isRecord(doc) ? doc.nodes : undefined;
  const out: Record<string, Record<string, unknown>> = {};
  if (isRecord(nodes))
    for (const [id, node] of Object.entries(nodes)) if (isRecord(node)) out[id] = node;
  return out;
};

const edgesOf = (nodes: Record<string, Record<string, unknown>>): Map<string, EdgeRef> => {
  const out = new Map<string, EdgeRef>();
  for (const [from, node] of Object.entries(nodes)) {
    for (const e of scanEdges(node)) {
      const edge = { from, field: e.field, to: e.target };
      out.set(`${from}\u0000${e.field}\u0000${e.target}`, edge);
    }
  }
  return out;
};

/** The structural difference from `before` to `after` (two versions, or a version and a draft). */
export function diffJourneys(before: unknown, after: unknown): JourneyDiff {
  const a = nodesOf(before);
  const b = nodesOf(after);
  const added = Object.keys(b)
    .filter((id) => !(id in a))
    .sort();
  const removed = Object.keys(a)
    .filter((id) => !(id in b))
    .sort();
  const changed: JourneyDiff['nodes']['changed'] = [];
  for (const id of Object.keys(b)
    .filter((k) => k in a)
    .sort()) {
    const fields: FieldChange[] = [];
    changes(a[id], b[id], '', fields);
    if (fields.length) changed.push({ id, fields });
  }
  const edgesBefore = edgesOf(a);
  const edgesAfter = edgesOf(b);
  // In key order (node, field, target): stored JSON need not keep the order nodes were written in.
  const only = (these: Map<string, EdgeRef>, those: Map<string, EdgeRef>): EdgeRef[] =>
    [...these.keys()]
      .filter((k) => !those.has(k))
      .sort()
      .map((k) => these.get(k)!);
  const edges = { added: only(edgesAfter, edgesBefore), removed: only(edgesBefore, edgesAfter) };
  const other: FieldChange[] = [];
  const rest = (doc: unknown): Record<string, unknown> => {
    if (!isRecord(doc)) return {};
    const { nodes: _nodes, ...others } = doc;
    return others;
  };
  changes(rest(before), rest(after), '', other);
  const same =
    !added.length &&
    !removed.length &&
    !changed.length &&
    !edges.added.length &&
    !edges.removed.length &&
    !other.length;
  return { nodes: { added, removed, changed }, edges, other, same };
}
