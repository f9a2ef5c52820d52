/** The site_flag node: sets (or, with `false`, clears) a flag `/v1/personalize` answers. */
import { note } from '../../evaluator/stepping.ts';
import type { ProfileFact } from '../../evaluator/types.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { SiteFlagNode } from './site-flag.schema.ts';

function bagOf(profile: ProfileFact, bag: string): Record<string, unknown> {
  const current = profile.traits[bag];
  return typeof current === 'object' && current !== null
    ? { ...(current as Record<string, unknown>) }
    : {};
}

/** The site_flag node kind. */
export const siteFlagKind = {
  type: 'site_flag',
  schema: SiteFlagNode,
  label: 'Site flag',
  help: 'Set or clear a flag the website reads (on-site messages, personalisation).',
  icon: 'flag',
  defaults: { type: 'site_flag', value: true },
  waits: false,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: () => [],
  templatesOf: () => [],
  visit(s, id, node) {
    const flags = bagOf(s.profile, 'site_flags');
    flags[node.flag] = node.value;
    s.profile = { ...s.profile, traits: { ...s.profile.traits, site_flags: flags } };
    s.commands.push({ type: 'site_flag', nodeId: id, flag: node.flag, value: node.value });
    note(s, 'node', `site flag ${node.flag} = ${String(node.value)}`);
    return node.next;
  },
} satisfies NodeKind<'site_flag'>;
