/**
 * Checks of the journey graph: every edge and reference lands on a node that exists (and is of
 * the kind it must be), every node is reachable from `start`, and every loop passes a wait. The
 * edges come from the node kinds (`nodes/registry.ts`); a node the schema rejected still counts.
 */
import type { Condition } from '../conditions/schema.ts';
import type { Edge } from '../nodes/kind.ts';
import { conditionsOf, nodeKind, nodeKindNamed } from '../nodes/registry.ts';
import { issue, nodeIssue, type Sink } from './issues.ts';
import type { JourneyNode } from './schema.ts';
import { article, rawType, suggest } from './words.ts';

/** The document's nodes three ways: raw (every id), parsed (those the schema accepted), edges. */
export interface Graph {
  raw: Map<string, Record<string, unknown>>;
  parsed: Map<string, JourneyNode>;
  edges: Map<string, Edge[]>;
}

/** Edges, `start` and references (wait targets, outcome conditions) land on existing nodes. */
export function checkTargets(start: unknown, graph: Graph, sink: Sink): void {
  const nodes = graph.raw;
  const ids = [...nodes.keys()];
  if (typeof start === 'string' && !nodes.has(start)) {
    sink.error(
      issue(
        'start',
        'unknown_target',
        `start names node "${start}", which does not exist`,
        suggest(start, ids, 'existing nodes'),
      ),
    );
  }
  for (const [id, edges] of graph.edges) {
    for (const edge of edges) {
      if (nodes.has(edge.target)) continue;
      sink.error(
        nodeIssue(
          id,
          edge.field,
          'unknown_target',
          `"${edge.field}" goes to node "${edge.target}", which does not exist`,
          suggest(edge.target, ids, 'existing nodes'),
        ),
      );
    }
  }
  const expectKind = (id: string, field: string, ref: string, kinds: readonly string[]) => {
    const target = nodes.get(ref);
    if (target === undefined) {
      sink.error(
        nodeIssue(
          id,
          field,
          'unknown_target',
          `"${field}" refers to node "${ref}", which does not exist`,
          suggest(ref, ids, 'existing nodes'),
        ),
      );
    } else if (!kinds.includes(rawType(target) ?? '')) {
      sink.error(
        nodeIssue(
          id,
          field,
          'unknown_target',
          `"${field}" must refer to a ${kinds.join(' or ')} node; "${ref}" is ${article(rawType(target) ?? 'invalid')} node`,
        ),
      );
    }
  };
  for (const [id, node] of graph.parsed) {
    for (const ref of nodeKind(node.type).referencesOf?.(node) ?? []) {
      expectKind(id, ref.field, ref.node, ref.kinds);
    }
    for (const [field, condition] of conditionsOf(node)) {
      for (const ref of outcomeRefs(condition, field)) {
        expectKind(id, ref.field, ref.node, ['send', 'webhook']);
      }
    }
  }
}

function outcomeRefs(condition: Condition, field: string): Array<{ field: string; node: string }> {
  if ('all' in condition)
    return condition.all.flatMap((c, i) => outcomeRefs(c, `${field}.all.${i}`));
  if ('any' in condition)
    return condition.any.flatMap((c, i) => outcomeRefs(c, `${field}.any.${i}`));
  if ('not' in condition) return outcomeRefs(condition.not, `${field}.not`);
  if ('outcome' in condition)
    return [{ field: `${field}.outcome.node`, node: condition.outcome.node }];
  if ('event' in condition && condition.where)
    return outcomeRefs(condition.where, `${field}.where`);
  return [];
}

/** Every node can be reached from `start`. */
export function checkReachable(start: unknown, graph: Graph, sink: Sink): void {
  const nodes = graph.raw;
  if (typeof start !== 'string' || !nodes.has(start)) return;
  const seen = new Set([start]);
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const { target } of graph.edges.get(id) ?? []) {
      if (nodes.has(target) && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  for (const id of nodes.keys()) {
    if (seen.has(id)) continue;
    sink.error(
      nodeIssue(
        id,
        '',
        'unreachable_node',
        `node "${id}" cannot be reached from start "${start}"`,
        'link it from another node or delete it',
      ),
    );
  }
}

/** Cycles through no wait/wait_for: strongly connected components of the non-waiting nodes. */
export function checkLoops(graph: Graph, sink: Sink): void {
  const moving = new Map<string, string[]>();
  for (const [id, node] of graph.raw) {
    if (nodeKindNamed(rawType(node))?.waits) continue;
    moving.set(id, []);
  }
  for (const [id, targets] of moving) {
    for (const { target } of graph.edges.get(id) ?? []) {
      if (moving.has(target)) targets.push(target);
    }
  }
  for (const component of stronglyConnected(moving)) {
    const [only] = component;
    const looped =
      component.length > 1 || (only !== undefined && (moving.get(only) ?? []).includes(only));
    if (!looped || only === undefined) continue;
    const members = [...component].sort();
    const first = members[0] ?? only;
    sink.error(
      nodeIssue(
        first,
        '',
        'loop_without_wait',
        `nodes ${members.map((m) => `"${m}"`).join(', ')} form a loop with no wait or wait_for: ` +
          'a customer would go round it forever',
        'put a wait (or a wait_for with a timeout) on the loop',
      ),
    );
  }
}

/** Tarjan's algorithm, iterative so that long chains cannot overflow the stack. */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const targets = graph.get(frame.id) ?? [];
      const target = targets[frame.next++];
      if (target !== undefined) {
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
          onStack.delete(member);
          component.push(member);
          if (member === frame.id) break;
        }
        result.push(component);
      }
    }
  }
  return result;
}
