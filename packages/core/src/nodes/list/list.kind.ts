/** The list node: adds the profile to a list (created when first used) or removes it. */
import { note } from '../../evaluator/stepping.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { ListNode } from './list.schema.ts';

/** The list node kind. */
export const listKind = {
  type: 'list',
  schema: ListNode,
  label: 'List',
  help: 'Add the profile to a list, or remove it.',
  icon: 'list-plus',
  defaults: { type: 'list', action: 'add' },
  waits: false,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: () => [],
  templatesOf: () => [],
  visit(s, id, node) {
    const lists = s.profile.lists.filter((l) => l !== node.list);
    s.profile = { ...s.profile, lists: node.action === 'add' ? [...lists, node.list] : lists };
    s.commands.push({ type: 'list', nodeId: id, action: node.action, list: node.list });
    note(s, 'node', `${node.action === 'add' ? 'added to' : 'removed from'} list ${node.list}`);
    return node.next;
  },
} satisfies NodeKind<'list'>;
