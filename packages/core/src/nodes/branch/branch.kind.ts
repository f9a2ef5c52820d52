/** The branch node: its cases are tested in order and the first that holds wins; else `default`. */
import { evaluateCondition } from '../../conditions/evaluate.ts';
import { note, scopeOf, type Stepping } from '../../evaluator/stepping.ts';
import type { NodeOf } from '../../journey/schema.ts';
import { itemsOf, type NodeKind } from '../kind.ts';
import { BranchNode } from './branch.schema.ts';

function visit(s: Stepping, node: NodeOf<'branch'>): string {
  const scope = scopeOf(s);
  const index = node.cases.findIndex((c) => evaluateCondition(c.when, scope));
  const chosen = node.cases[index];
  if (chosen) {
    note(s, 'branch', `case ${index + 1} holds → ${chosen.next}`);
    return chosen.next;
  }
  note(s, 'branch', `no case holds → default ${node.default}`);
  return node.default;
}

/** The branch node kind. */
export const branchKind = {
  type: 'branch',
  schema: BranchNode,
  label: 'Branch',
  help: 'Go one way or another on conditions: the first case that holds wins.',
  icon: 'git-branch',
  defaults: { type: 'branch' },
  waits: false,
  // `default` first: the order the validator and the reports have always listed them in.
  edgesOf: (node) => [
    { field: 'default', target: node.default },
    ...node.cases.map((c, i) => ({ field: `cases.${i}.next`, target: c.next })),
  ],
  outputs: (raw) => [
    ...itemsOf(raw, 'cases').map((_, i) => ({ field: `cases.${i}.next`, label: `Case ${i + 1}` })),
    { field: 'default', label: 'Otherwise' },
  ],
  conditionsOf: (node) => node.cases.map((c, i) => [`cases.${i}.when`, c.when]),
  templatesOf: () => [],
  visit: (s, _id, node) => visit(s, node),
} satisfies NodeKind<'branch'>;
