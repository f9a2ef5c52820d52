/**
 * The send node: a message on a channel from a template, unless `skipIf` holds. Outside the
 * channel's send window (and not transactional) the run waits for the next opening, and then the
 * node runs again, so that `skipIf` and the window are checked afresh.
 */
import { CHANNELS } from '../../channels/catalogue.ts';
import { evaluateCondition } from '../../conditions/evaluate.ts';
import { nextKey, note, scopeOf, waitFor, type Stepping } from '../../evaluator/stepping.ts';
import { Channel, type Channel as ChannelName } from '../../journey/channel.ts';
import { nodeIssue } from '../../journey/issues.ts';
import type { SendWindow } from '../../journey/policies.ts';
import type { JourneyDefinition, NodeOf } from '../../journey/schema.ts';
import { isInsideWindow, nextAllowedSlot } from '../../time/window.ts';
import { formatLocal } from '../../time/zones.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { SendNode } from './send.schema.ts';

function sendWindowFor(def: JourneyDefinition, channel: ChannelName): SendWindow | undefined {
  const windows = def.policies.sendWindows;
  return windows?.[channel] ?? windows?.default;
}

function windowText(window: SendWindow): string {
  const days =
    window.days.length === 0 || window.days.length === 7 ? '' : ` ${window.days.join(',')}`;
  return `${window.start}–${window.end}${days}`;
}

function visit(s: Stepping, id: string, node: NodeOf<'send'>): string | null {
  if (node.skipIf && evaluateCondition(node.skipIf, scopeOf(s))) {
    note(s, 'skipped', `${CHANNELS[node.channel].label} ${node.template} skipped: skipIf holds`);
    return node.next;
  }
  const transactional = node.transactional ?? s.def.policies.transactional ?? false;
  const window = transactional ? undefined : sendWindowFor(s.def, node.channel);
  if (window && !isInsideWindow({ at: s.now, window, zone: s.zone })) {
    const slot = nextAllowedSlot({ at: s.now, window, zone: s.zone });
    waitFor(
      s,
      { kind: 'send_window', until: slot, channel: node.channel },
      'send_window',
      `${CHANNELS[node.channel].label} outside ${windowText(window)} ${s.zone}; waits until ${formatLocal(slot, s.zone)}`,
    );
    return null;
  }
  const key = nextKey(s, id);
  s.commands.push({
    type: 'send',
    key,
    nodeId: id,
    channel: node.channel,
    template: node.template,
    to: node.to,
    transactional,
    topic: node.topic,
    connectTo: node.connectTo,
  });
  s.state.messages[id] = { key, outcomes: [] };
  note(s, 'node', `${CHANNELS[node.channel].label} ${node.template} sent (${key})`);
  return node.next;
}

/** The send node kind. */
export const sendKind = {
  type: 'send',
  schema: SendNode,
  label: 'Send',
  help: 'Send a message (email, SMS, WhatsApp, voice, push) from a template.',
  icon: 'send',
  defaults: { type: 'send', channel: 'email' },
  waits: false,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: (node) => (node.skipIf ? [['skipIf', node.skipIf]] : []),
  templatesOf: (raw) =>
    typeof raw['template'] === 'string'
      ? [
          {
            field: 'template',
            template: raw['template'],
            channel: Channel.safeParse(raw['channel']).data,
            by: 'this node sends',
          },
        ]
      : [],
  check(node, { id, opts, sink }) {
    if (opts.knownChannels === undefined) return;
    const known = new Set(opts.knownChannels);
    if (known.has(node.channel)) return;
    sink.error(
      nodeIssue(
        id,
        'channel',
        'unknown_channel',
        `channel "${node.channel}" is not configured in this workspace`,
        `configured channels: ${[...known].join(', ') || 'none'}`,
      ),
    );
  },
  visit,
} satisfies NodeKind<'send'>;
