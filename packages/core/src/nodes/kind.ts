/**
 * What a node kind is made of (`NodeKind`): its schema, the words and defaults the editor shows,
 * the graph facts the validator and the reports read (edges, conditions, templates, nodes it
 * refers to), its own checks and its `visit` step. Each kind fills one in under
 * `nodes/<kind>/`; `nodes/registry.ts` lists them, and the compiler asks for every part.
 *
 * A kind's folder holds `<kind>.schema.ts` (imported by `journey/schema.ts`, so it imports only
 * zod and the document's small schemas: `journey/ids.ts`, `channel.ts`, `duration.ts`,
 * `conditions/schema.ts`) and `<kind>.kind.ts` (which may also use `evaluator/stepping.ts` and
 * its helpers, `journey/issues.ts`, `time/`, `channels/catalogue.ts`), with its tests beside
 * them. A kind never imports another kind's folder or the registry; what two kinds share sits
 * in `nodes/` (`staff-notice.ts`).
 */
import type { z } from 'zod';
import type { Condition } from '../conditions/schema.ts';
import type { Stepping } from '../evaluator/stepping.ts';
import type { Sink, ValidateOptions, ValidationIssue } from '../journey/issues.ts';
import type { NodeInputOf, NodeOf, NodeType } from '../journey/schema.ts';

/** An edge of the journey graph: where a node leads, and in which of its fields. */
export interface Edge {
  /** Field path inside the node: `next`, `cases.0.next`. */
  field: string;
  target: string;
}

/** A template a node uses, read from the raw node (so a node that failed the schema is checked too). */
export interface TemplateUse {
  /** Field path inside the node: `template`, `escalate.template`. */
  field: string;
  template: string;
  /** The channel the template goes out on, when the node names a valid one. */
  channel: string | undefined;
  /** How a channel mismatch is put: "this node sends", "this escalation goes by". */
  by: string;
}

/** A node another node refers to (not an edge), and the kinds it must be. */
export interface NodeReference {
  /** Field path inside the node: `outcome.node`. */
  field: string;
  node: string;
  kinds: readonly NodeType[];
}

/** What a kind's checks can see besides the node. */
export interface CheckContext {
  /** The node's id. */
  id: string;
  sink: Sink;
  opts: ValidateOptions;
  /** The document's templates, raw. */
  templates: Record<string, unknown>;
}

/** A schema problem inside a node, as zod found it, for a kind that words it its own way. */
export interface SchemaProblem {
  kind: 'required' | 'bound';
  /** The path inside the node: `['timeout']`, `['variants', 0, 'weight']`. */
  field: readonly PropertyKey[];
  value: unknown;
}

/** A node as the editor creates it: its kind and the fields worth pre-filling (no edges yet). */
export type NodeDraft<K extends NodeType> = Partial<NodeInputOf<K>> & { type: K };

/** Everything Waymark knows of one node kind. */
export interface NodeKind<K extends NodeType> {
  type: K;
  /** The node's schema (a strict object; the document's union is built from these). */
  schema: z.ZodType<NodeOf<K>> & { readonly shape: Record<string, unknown> };
  /** Name in the palette. */
  label: string;
  /** One line under the name. */
  help: string;
  /** A lucide icon name. */
  icon: string;
  /** A new node of this kind. */
  defaults: NodeDraft<K>;
  /** Whether the run stops here for a while (a loop through such a node is allowed). */
  waits: boolean;
  /** The edges out of the node, in field order. */
  edgesOf(node: NodeOf<K>): Edge[];
  /**
   * The outgoing handles of a node as it is being edited (it may be incomplete), connected or
   * not, in the order the canvas shows them.
   */
  outputs(raw: Record<string, unknown>): Output[];
  /** The conditions the node holds, with their field paths. */
  conditionsOf(node: NodeOf<K>): Array<[string, Condition]>;
  /** The templates the node uses (read from the raw node). */
  templatesOf(raw: Record<string, unknown>): TemplateUse[];
  /** Other nodes it refers to, and what they must be. */
  referencesOf?(node: NodeOf<K>): NodeReference[];
  /** Event names it waits for (the run records them in `seen`). */
  eventsOf?(node: NodeOf<K>): string[];
  /** Checks on the raw node, run even when the schema rejected it. */
  checkRaw?(raw: Record<string, unknown>, ctx: CheckContext): void;
  /** Checks on the parsed node that a schema cannot express. */
  check?(node: NodeOf<K>, ctx: CheckContext): void;
  /** Its own words for a schema problem; undefined keeps the generic ones. */
  explain?(problem: SchemaProblem): Omit<ValidationIssue, 'path' | 'node'> | undefined;
  /** Runs the node; returns the next node to visit, or null when the run waits or ended. */
  visit(s: Stepping, id: string, node: NodeOf<K>): string | null;
}

/** An outgoing handle of a node on the canvas: the field an edge from it is written to. */
export interface Output {
  /** Dotted path inside the node (`next`, `onTimeout`, `cases.1.next`). */
  field: string;
  /** What the handle says (`Next`, `Timed out`, `Case 2`). */
  label: string;
}

/** The outputs of a node that goes on to one node. */
export const nextOutput = (): Output[] => [{ field: 'next', label: 'Next' }];

/** The items of a list field of a raw (possibly incomplete) node. */
export const itemsOf = (raw: Record<string, unknown>, field: string): unknown[] => {
  const items = raw[field];
  return Array.isArray(items) ? items : [];
};

/** One `NodeKind` for every node type: the registry's type. */
export type NodeKinds = { readonly [K in NodeType]: NodeKind<K> };
