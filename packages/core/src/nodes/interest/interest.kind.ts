/**
 * The interest node: counts a view or a cart add into an interest of the profile; crossing the
 * threshold joins a list and sets a site flag (`interest.apply.ts` does the counting).
 */
import { fillPlaceholders } from '../../evaluator/placeholders.ts';
import { note, scopeOf } from '../../evaluator/stepping.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { applyInterestNode } from './interest.apply.ts';
import { InterestNode } from './interest.schema.ts';

/** The interest node kind. */
export const interestKind = {
  type: 'interest',
  schema: InterestNode,
  label: 'Interest',
  help: 'Count a view or a cart add into an interest of the profile (personalisation).',
  icon: 'sparkles',
  defaults: { type: 'interest', weight: 1 },
  waits: false,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: () => [],
  templatesOf: () => [],
  visit(s, id, node) {
    const scope = scopeOf(s);
    const applied = applyInterestNode({
      nodeId: id,
      node,
      profile: s.profile,
      now: s.now,
      fill: (value) => fillPlaceholders(value, scope),
    });
    s.profile = applied.profile;
    s.commands.push(...applied.commands);
    for (const line of applied.notes) note(s, 'node', line);
    return node.next;
  },
} satisfies NodeKind<'interest'>;
