/**
 * The alert node: tells staff (a manager alert) by email, SMS or webhook, outside the
 * recipients' delivery policies.
 */
import { nextKey, note } from '../../evaluator/stepping.ts';
import { AlertChannel } from '../../journey/channel.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { checkNoticeUrl } from '../staff-notice.ts';
import { AlertNode } from './alert.schema.ts';

/** The alert node kind. */
export const alertKind = {
  type: 'alert',
  schema: AlertNode,
  label: 'Alert staff',
  help: 'Tell staff by email, SMS or webhook (outside the customer’s delivery rules).',
  icon: 'bell-ring',
  defaults: { type: 'alert', channel: 'email' },
  waits: false,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: () => [],
  templatesOf: (raw) =>
    typeof raw['template'] === 'string'
      ? [
          {
            field: 'template',
            template: raw['template'],
            channel: AlertChannel.safeParse(raw['channel']).data,
            by: 'this node sends',
          },
        ]
      : [],
  check(node, { id, sink }) {
    checkNoticeUrl({ id, field: 'to', notice: node, sink });
  },
  visit(s, id, node) {
    const key = nextKey(s, id);
    s.commands.push({
      type: 'alert',
      key,
      nodeId: id,
      channel: node.channel,
      to: node.to,
      template: node.template,
    });
    note(s, 'node', `alert ${node.template} to ${node.to} by ${node.channel}`);
    return node.next;
  },
} satisfies NodeKind<'alert'>;
