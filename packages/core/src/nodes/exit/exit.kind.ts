/** The exit node: the run leaves the journey, keeping the reason with its exit. */
import { endRun } from '../../evaluator/stepping.ts';
import type { NodeKind } from '../kind.ts';
import { ExitNode } from './exit.schema.ts';

/** The exit node kind. */
export const exitKind = {
  type: 'exit',
  schema: ExitNode,
  label: 'Exit',
  help: 'Leave the journey.',
  icon: 'log-out',
  defaults: { type: 'exit' },
  waits: false,
  edgesOf: () => [],
  outputs: () => [],
  conditionsOf: () => [],
  templatesOf: () => [],
  visit(s, id, node) {
    endRun(
      s,
      { kind: 'exit_node', node: id, reason: node.reason },
      `exit${node.reason ? `: ${node.reason}` : ''}`,
    );
    return null;
  },
} satisfies NodeKind<'exit'>;
