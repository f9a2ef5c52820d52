/**
 * The draft as the canvas draws it, and the canvas's edits that are more than one core call:
 * React Flow nodes (the trigger on top, one per journey node) and edges (from core's `edgesOf`),
 * and copying and pasting a selection (fresh ids, the edges inside the selection kept).
 */
import {
  connect,
  draftNodes,
  edgesOf,
  freshNodeId,
  outputsOf,
  type JourneyDraft,
} from '@waymark/core';
import type { Edge, Node } from '@xyflow/react';
import type { DraftLayout } from './drafts-api.ts';
import { nodeKindOf } from './kinds.ts';
import { nodeSummary } from './summary.ts';
import { recordOf } from './json.ts';

/** The trigger's node id on the canvas (no journey node id starts with `_`). */
export const TRIGGER_ID = '__trigger';
/** How "Zoom to fit" frames the journey: never closer than life-size. */
export const FIT_VIEW = { padding: 0.2, maxZoom: 1 };
/** The trigger's one output: the journey's `start`. */
export const START_HANDLE = 'start';

/** What a journey node of the canvas carries. */
export interface JourneyNodeData extends Record<string, unknown> {
  node: Record<string, unknown>;
  issues: number;
  isStart: boolean;
}
/** What the trigger node of the canvas carries. */
export interface TriggerNodeData extends Record<string, unknown> {
  trigger: Record<string, unknown>;
  issues: number;
}
/** A node of the canvas. */
export type FlowNode = Node<JourneyNodeData, 'journey'> | Node<TriggerNodeData, 'trigger'>;

const issuesText = (count = 0) => (count === 0 ? '' : `, ${count} issue${count === 1 ? '' : 's'}`);

/** The canvas's nodes of a draft. */
export function flowNodes(o: {
  draft: JourneyDraft;
  layout: DraftLayout;
  issues: Map<string, number>;
  selected: ReadonlySet<string>;
}): FlowNode[] {
  const nodes: FlowNode[] = [
    {
      id: TRIGGER_ID,
      type: 'trigger',
      position: o.layout[TRIGGER_ID] ?? { x: 0, y: 0 },
      data: { trigger: recordOf(o.draft.trigger), issues: o.issues.get(TRIGGER_ID) ?? 0 },
      selected: o.selected.has(TRIGGER_ID),
      deletable: false,
      ariaLabel: `Trigger${issuesText(o.issues.get(TRIGGER_ID))}`,
    },
  ];
  for (const [id, node] of Object.entries(draftNodes(o.draft))) {
    const kind = nodeKindOf(node.type);
    nodes.push({
      id,
      type: 'journey',
      ariaLabel: `${kind?.label ?? 'Node'} ${id}: ${nodeSummary(node)}${issuesText(o.issues.get(id))}`,
      position: o.layout[id] ?? { x: 0, y: 0 },
      data: { node, issues: o.issues.get(id) ?? 0, isStart: o.draft.start === id },
      selected: o.selected.has(id),
    });
  }
  return nodes;
}

/** The canvas's edges of a draft: the trigger to the start, and every node's edges. */
export function flowEdges(draft: JourneyDraft, selected: ReadonlySet<string>): Edge[] {
  const nodes = draftNodes(draft);
  const edges: Edge[] = [];
  const add = (source: string, handle: string, target: string, label: string) => {
    if (!(target in nodes)) return;
    const id = `${source}:${handle}`;
    const ariaLabel = `${source === TRIGGER_ID ? 'Trigger' : source} ${label} to ${target}`;
    edges.push({ id, source, sourceHandle: handle, target, selected: selected.has(id), ariaLabel });
  };
  if (typeof draft.start === 'string') add(TRIGGER_ID, START_HANDLE, draft.start, 'starts');
  for (const [id, node] of Object.entries(nodes)) {
    const labels = new Map(outputsOf(node).map((o) => [o.field, o.label]));
    for (const edge of edgesOf(node))
      add(id, edge.field, edge.target, labels.get(edge.field) ?? edge.field);
  }
  return edges;
}

/** The draft with one output (or the trigger's start) pointed at a node, or at nothing. */
export function setOutput(
  draft: JourneyDraft,
  o: { source: string; handle: string; target: string | null },
): JourneyDraft {
  if (o.source === TRIGGER_ID) {
    const next = { ...draft };
    if (o.target === null) delete next.start;
    else next.start = o.target;
    return next;
  }
  return connect(draft, o.source, o.handle, o.target);
}

/** Copied nodes: the nodes as they were, and where they sat. */
export interface Clipboard {
  nodes: Record<string, Record<string, unknown>>;
  layout: DraftLayout;
}

/** Copies the selected journey nodes of a draft. */
export function copyNodes(
  draft: JourneyDraft,
  layout: DraftLayout,
  ids: Iterable<string>,
): Clipboard {
  const nodes = draftNodes(draft);
  const out: Clipboard = { nodes: {}, layout: {} };
  for (const id of ids) {
    const node = nodes[id];
    if (!node) continue;
    out.nodes[id] = structuredClone(node);
    if (layout[id]) out.layout[id] = layout[id];
  }
  return out;
}

/** Replaces `node: <old>` references (waits for a message's outcome) with their new ids. */
function remapReferences(value: unknown, ids: Map<string, string>): void {
  if (Array.isArray(value)) for (const item of value) remapReferences(item, ids);
  else if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    for (const [key, inner] of Object.entries(object)) {
      if (key === 'node' && typeof inner === 'string' && ids.has(inner))
        object[key] = ids.get(inner);
      else remapReferences(inner, ids);
    }
  }
}

/**
 * Pastes copied nodes under fresh ids, offset from where they were copied; edges between
 * pasted nodes are kept, edges leaving the selection are dropped. Returns the new ids.
 */
export function pasteNodes(
  draft: JourneyDraft,
  layout: DraftLayout,
  clip: Clipboard,
): { draft: JourneyDraft; layout: DraftLayout; ids: string[] } {
  const ids = new Map<string, string>();
  let next: JourneyDraft = { ...draft, nodes: { ...draftNodes(draft) } };
  for (const [old, node] of Object.entries(clip.nodes)) {
    const id = freshNodeId(next, typeof node.type === 'string' ? node.type : 'node');
    ids.set(old, id);
    next = { ...next, nodes: { ...draftNodes(next), [id]: structuredClone(node) } };
  }
  const nextLayout = { ...layout };
  for (const [old, id] of ids) {
    const node = draftNodes(next)[id]!;
    for (const edge of edgesOf(node))
      next = connect(next, id, edge.field, ids.get(edge.target) ?? null);
    remapReferences(draftNodes(next)[id], ids);
    const at = clip.layout[old] ?? { x: 0, y: 0 };
    nextLayout[id] = { x: at.x + 40, y: at.y + 40 };
  }
  return { draft: next, layout: nextLayout, ids: [...ids.values()] };
}
