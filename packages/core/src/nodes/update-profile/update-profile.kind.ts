/**
 * The update_profile node: sets and removes traits of the profile. String values may hold
 * `{{ path }}` placeholders, filled when the node runs; one that finds no value leaves the trait
 * alone.
 */
import { fillPlaceholders } from '../../evaluator/placeholders.ts';
import { note, scopeOf, type Stepping } from '../../evaluator/stepping.ts';
import { nodeIssue } from '../../journey/issues.ts';
import { liquidError } from '../../journey/liquid.ts';
import type { NodeOf } from '../../journey/schema.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { UpdateProfileNode } from './update-profile.schema.ts';

function visit(s: Stepping, id: string, node: NodeOf<'update_profile'>): string {
  const scope = scopeOf(s);
  const set: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [trait, raw] of Object.entries(node.set ?? {})) {
    const value = fillPlaceholders(raw, scope);
    if (value === undefined) missing.push(trait);
    else set[trait] = value;
  }
  const unset = node.unset ?? [];
  const traits = { ...s.profile.traits, ...set };
  for (const trait of unset) delete traits[trait];
  s.profile = { ...s.profile, traits };
  s.commands.push({ type: 'update_profile', nodeId: id, set, unset });
  const parts = [`set ${Object.keys(set).join(', ') || 'nothing'}`];
  if (unset.length) parts.push(`unset ${unset.join(', ')}`);
  if (missing.length) parts.push(`left ${missing.join(', ')} alone (no value)`);
  note(s, 'node', `profile updated: ${parts.join('; ')}`);
  return node.next;
}

/** The update_profile node kind. */
export const updateProfileKind = {
  type: 'update_profile',
  schema: UpdateProfileNode,
  label: 'Update profile',
  help: 'Set or remove traits of the profile.',
  icon: 'user-pen',
  defaults: { type: 'update_profile', set: {} },
  waits: false,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: () => [],
  templatesOf: () => [],
  check(node, { id, sink }) {
    for (const [key, value] of Object.entries(node.set ?? {})) {
      if (typeof value !== 'string') continue;
      const error = liquidError(value);
      if (error !== undefined) {
        sink.error(nodeIssue(id, `set.${key}`, 'template_syntax', `value of "${key}": ${error}`));
      }
    }
  },
  visit,
} satisfies NodeKind<'update_profile'>;
