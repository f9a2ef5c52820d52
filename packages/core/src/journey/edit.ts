/**
 * Editing a journey draft, as the canvas does: add a node of a kind, connect an output of one
 * node to another, disconnect, remove nodes, rename one. A draft is the journey document as it is
 * being written — possibly incomplete or invalid, so every operation reads it defensively — and
 * every operation returns a new draft, leaving the one it was given untouched (undo keeps the old
 * ones). The validator, not these, says whether a draft may be published.
 */
import { nodeKindNamed, scanEdges } from '../nodes/registry.ts';
import type { Output } from '../nodes/kind.ts';
import { Id } from './ids.ts';
import type { NodeType } from './schema.ts';
import { isRecord } from './words.ts';

/** A journey document being edited: a plain JSON object, perhaps incomplete. */
export type JourneyDraft = Record<string, unknown>;

/** The nodes of a draft (an empty record when it has none). */
export function draftNodes(draft: JourneyDraft): Record<string, Record<string, unknown>> {
  const nodes = draft.nodes;
  if (!isRecord(nodes)) return {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, node] of Object.entries(nodes)) if (isRecord(node)) out[id] = node;
  return out;
}

/** The outgoing handles of a node of a draft, by its kind (none for an unknown kind). */
export function outputsOf(node: Record<string, unknown>): Output[] {
  const kind = nodeKindNamed(typeof node.type === 'string' ? node.type : undefined);
  return kind ? kind.outputs(node) : [];
}

/** A copy of a JSON value (drafts are plain JSON). */
const copy = <T>(value: T): T => structuredClone(value);

/** The draft with its nodes replaced. */
const withNodes = (draft: JourneyDraft, nodes: Record<string, unknown>): JourneyDraft => ({
  ...draft,
  nodes,
});

/** Reads a dotted path (`cases.1.next`) of a node. */
function readPath(node: unknown, path: string): unknown {
  let at: unknown = node;
  for (const key of path.split('.')) {
    if (Array.isArray(at)) at = at[Number(key)];
    else if (isRecord(at)) at = at[key];
    else return undefined;
  }
  return at;
}

/** Writes (or, with undefined, removes) a dotted path of a copied node, creating what is missing. */
function writePath(node: Record<string, unknown>, path: string, value: string | undefined): void {
  const keys = path.split('.');
  let at: Record<string, unknown> | unknown[] = node;
  for (const [i, key] of keys.slice(0, -1).entries()) {
    const next: unknown = Array.isArray(at) ? at[Number(key)] : at[key];
    if (isRecord(next) || Array.isArray(next)) {
      at = next;
      continue;
    }
    const made: Record<string, unknown> | unknown[] = /^\d+$/.test(keys[i + 1]!) ? [] : {};
    if (Array.isArray(at)) at[Number(key)] = made;
    else at[key] = made;
    at = made;
  }
  const last = keys[keys.length - 1]!;
  if (Array.isArray(at)) at[Number(last)] = value;
  else if (value === undefined) delete at[last];
  else at[last] = value;
}

/** A fresh node id for a kind: `send`, then `send_2`, `send_3`, … */
export function freshNodeId(draft: JourneyDraft, type: string): string {
  const taken = draftNodes(draft);
  if (!(type in taken)) return type;
  for (let n = 2; ; n += 1) if (!(`${type}_${n}` in taken)) return `${type}_${n}`;
}

/**
 * Adds a node of a kind with its kind's defaults; with `after`, connects that output to it. The
 * first node of an empty draft becomes its start.
 */
export function addNode(
  draft: JourneyDraft,
  type: NodeType,
  o: { id?: string; after?: { node: string; field: string } } = {},
): { draft: JourneyDraft; id: string } {
  const kind = nodeKindNamed(type);
  if (!kind) throw new Error(`unknown node kind "${type}"`);
  const id = o.id ?? freshNodeId(draft, type);
  if (id in draftNodes(draft)) throw new Error(`a node "${id}" exists already`);
  let next: JourneyDraft = withNodes(draft, {
    ...copy(draftNodes(draft)),
    [id]: copy(kind.defaults),
  });
  if (typeof draft.start !== 'string' || !(draft.start in draftNodes(draft))) {
    next = { ...next, start: id };
  }
  if (o.after) next = connect(next, o.after.node, o.after.field, id);
  return { draft: next, id };
}

/** Points one output (`field`) of a node at another node, or, with null, at nothing. */
export function connect(
  draft: JourneyDraft,
  from: string,
  field: string,
  to: string | null,
): JourneyDraft {
  const nodes = copy(draftNodes(draft));
  const node = nodes[from];
  if (!node) throw new Error(`no node "${from}"`);
  if (to !== null && !(to in nodes)) throw new Error(`no node "${to}"`);
  writePath(node, field, to ?? undefined);
  return withNodes(draft, nodes);
}

/** The node an output of a node points at, if any. */
export function targetOf(draft: JourneyDraft, from: string, field: string): string | undefined {
  const target = readPath(draftNodes(draft)[from], field);
  return typeof target === 'string' ? target : undefined;
}

/**
 * Removes nodes; every output that pointed at one of them points at nothing, and the start,
 * when removed, is cleared.
 */
export function removeNodes(draft: JourneyDraft, ids: readonly string[]): JourneyDraft {
  const gone = new Set(ids);
  const nodes = copy(draftNodes(draft));
  for (const id of gone) delete nodes[id];
  for (const node of Object.values(nodes)) {
    for (const edge of scanEdges(node))
      if (gone.has(edge.target)) writePath(node, edge.field, undefined);
  }
  const next = withNodes(draft, nodes);
  if (typeof draft.start === 'string' && gone.has(draft.start)) delete next.start;
  return next;
}

/** Replaces every `node: <from>` reference inside a value (waits and outcome conditions). */
function renameReferences(value: unknown, from: string, to: string): void {
  if (Array.isArray(value)) {
    for (const item of value) renameReferences(item, from, to);
  } else if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'node' && inner === from) value[key] = to;
      else renameReferences(inner, from, to);
    }
  }
}

/**
 * Renames a node: every edge to it, the start, and every reference to it (a wait for its
 * message's outcome, an outcome condition) follow. Throws when the new id is not an id or taken.
 */
export function renameNode(draft: JourneyDraft, from: string, to: string): JourneyDraft {
  const nodes = draftNodes(draft);
  if (!(from in nodes)) throw new Error(`no node "${from}"`);
  if (from === to) return draft;
  const valid = Id.safeParse(to);
  if (!valid.success) throw new Error(`"${to}" is not an id: ${valid.error.issues[0]?.message}`);
  if (to in nodes) throw new Error(`a node "${to}" exists already`);
  const renamed: Record<string, Record<string, unknown>> = {};
  for (const [id, node] of Object.entries(copy(nodes))) {
    for (const edge of scanEdges(node)) if (edge.target === from) writePath(node, edge.field, to);
    renameReferences(node, from, to);
    renamed[id === from ? to : id] = node;
  }
  const next = withNodes(draft, renamed);
  if (draft.start === from) next.start = to;
  return next;
}
