/**
 * Every node kind, one line each. The validator, the evaluator, the generated reference and the
 * editor read node kinds only through this table, and `satisfies NodeKinds` makes the compiler
 * ask a new kind for every part (schema, words, edges, conditions, templates, visit).
 * Adding a kind: a folder `nodes/<kind>/` (schema, kind), a line here and one in the union of
 * `journey/schema.ts`.
 */
import type { Condition } from '../conditions/schema.ts';
import { isRecord } from '../journey/words.ts';
import { JourneyNode, type NodeOf, type NodeType } from '../journey/schema.ts';
import { alertKind } from './alert/alert.kind.ts';
import { branchKind } from './branch/branch.kind.ts';
import { exitKind } from './exit/exit.kind.ts';
import { interestKind } from './interest/interest.kind.ts';
import type { Edge, NodeKind, NodeKinds } from './kind.ts';
import { listKind } from './list/list.kind.ts';
import { sendKind } from './send/send.kind.ts';
import { siteFlagKind } from './site-flag/site-flag.kind.ts';
import { splitKind } from './split/split.kind.ts';
import { taskKind } from './task/task.kind.ts';
import { updateProfileKind } from './update-profile/update-profile.kind.ts';
import { waitForKind } from './wait-for/wait-for.kind.ts';
import { waitKind } from './wait/wait.kind.ts';
import { webhookKind } from './webhook/webhook.kind.ts';

/** Every node kind of the journey language, by type, in the order the reference lists them. */
export const NODE_KINDS = {
  send: sendKind,
  wait: waitKind,
  wait_for: waitForKind,
  branch: branchKind,
  split: splitKind,
  update_profile: updateProfileKind,
  list: listKind,
  interest: interestKind,
  site_flag: siteFlagKind,
  task: taskKind,
  webhook: webhookKind,
  alert: alertKind,
  exit: exitKind,
} satisfies NodeKinds;

const kinds: NodeKinds = NODE_KINDS;

/** The kind of a node type (typed, so that its parts take that kind's node). */
export function nodeKind<K extends NodeType>(type: K): NodeKind<K> {
  return kinds[type];
}

/** The kind named by a raw `type`, when it names one. */
export function nodeKindNamed(type: string | undefined): NodeKind<NodeType> | undefined {
  return type !== undefined && Object.hasOwn(kinds, type) ? nodeKind(type as NodeType) : undefined;
}

/** The edges out of a parsed node, as its kind names them. */
export function kindEdges(node: NodeOf<NodeType>): Edge[] {
  return nodeKind(node.type).edgesOf(node);
}

/** The conditions a parsed node holds, with their field paths inside it. */
export function conditionsOf(node: NodeOf<NodeType>): Array<[string, Condition]> {
  return nodeKind(node.type).conditionsOf(node);
}

/**
 * The edges of a node the schema rejected, read defensively: every field some kind uses for an
 * edge, so that links through a broken node still count (its targets are not "unreachable").
 */
export function scanEdges(node: Record<string, unknown>): Edge[] {
  const edges: Edge[] = [];
  for (const field of ['next', 'onTimeout', 'default']) {
    const target = node[field];
    if (typeof target === 'string') edges.push({ field, target });
  }
  for (const list of ['cases', 'variants']) {
    const items = node[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, index) => {
      if (isRecord(item) && typeof item['next'] === 'string') {
        edges.push({ field: `${list}.${index}.next`, target: item['next'] });
      }
    });
  }
  return edges;
}

/** The edges out of a node, in field order: its kind's when it is a valid node, else `scanEdges`. */
export function edgesOf(node: Record<string, unknown>): Edge[] {
  const parsed = JourneyNode.safeParse(node);
  return parsed.success ? kindEdges(parsed.data) : scanEdges(node);
}
