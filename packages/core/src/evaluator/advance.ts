/**
 * Walking the graph: from a node, visit node after node (each as its kind says,
 * `nodes/<kind>/`) until the run waits or ends. Validation forbids loops without a wait; a
 * definition changed under a running run is stopped after `MAX_VISITS_PER_STEP` visits.
 */
import type { JourneyNode } from '../journey/schema.ts';
import { nodeKind } from '../nodes/registry.ts';
import { endRun, type Stepping } from './stepping.ts';

/** Node visits allowed in one step before the run is stopped (validation forbids loops without waits). */
export const MAX_VISITS_PER_STEP = 1000;

/** Walks the graph from `from` until the run waits or ends. */
export function advance(s: Stepping, from: string): void {
  let current: string | null = from;
  let visits = 0;
  while (current !== null) {
    visits += 1;
    if (visits > MAX_VISITS_PER_STEP) {
      endRun(
        s,
        {
          kind: 'definition_changed',
          detail: `more than ${MAX_VISITS_PER_STEP} nodes in one step: a loop without a wait`,
        },
        `stopped after ${MAX_VISITS_PER_STEP} nodes without a wait`,
      );
      return;
    }
    const node: JourneyNode | undefined = s.def.nodes[current];
    if (!node) {
      s.state.node = null;
      endRun(s, { kind: 'completed' }, `the route ends (no node ${current})`);
      return;
    }
    s.state.node = current;
    current = nodeKind(node.type).visit(s, current, node);
  }
}
