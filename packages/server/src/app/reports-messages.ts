/**
 * The message part of journey reports: what happened to the messages of each node (and channel,
 * template) and of each template over all its nodes — sent, delivered, opened and clicked by
 * people and by machines apart, replied, failed, skipped by reason — from the storage's counts.
 */
import type { ReportAggregates } from '../storage/store.ts';
import { ratio } from './reports-stats.ts';

/** What happened to the messages of a node or template. */
export interface MessageCounts {
  channel: string;
  template: string | null;
  /** Outbox rows. */
  messages: number;
  /** Not sent yet (pending, or being sent). */
  pending: number;
  /** Handed to the provider (have a send time). */
  sent: number;
  delivered: number;
  /** Not rendered, or failed after the provider took it (undelivered, hard bounce). */
  failed: number;
  /** Refused for good by the provider (the adapter's permanent failure). */
  dead: number;
  /**
   * The provider had it when the sender died, on a channel that sends at most once: it may or
   * may not have gone out, and is not sent again.
   */
  unknown: number;
  skipped: number;
  skippedBy: Record<string, number>;
  /** Messages a person opened, and messages only machines opened (privacy proxies, scanners). */
  opened: { human: number; machine: number };
  clicked: { human: number; machine: number };
  replied: number;
  unsubscribed: number;
  bounced: number;
  complained: number;
  /** Other outcomes (calls: answered, bridged, no_agent, no_answer), messages per type. */
  other: Record<string, number>;
  /** Rates over `sent` (null when nothing was sent): delivered, opened and clicked by people. */
  rates: { delivered: number | null; opened: number | null; clicked: number | null };
}

const emptyMessages = (channel: string, template: string | null): MessageCounts => ({
  channel,
  template,
  messages: 0,
  pending: 0,
  sent: 0,
  delivered: 0,
  failed: 0,
  dead: 0,
  unknown: 0,
  skipped: 0,
  skippedBy: {},
  opened: { human: 0, machine: 0 },
  clicked: { human: 0, machine: 0 },
  replied: 0,
  unsubscribed: 0,
  bounced: 0,
  complained: 0,
  other: {},
  rates: { delivered: null, opened: null, clicked: null },
});

function addStatus(m: MessageCounts, r: ReportAggregates['messages'][number]): void {
  m.messages += r.messages;
  m.sent += r.sent;
  switch (r.status) {
    case 'pending':
    case 'sending':
      m.pending += r.messages;
      break;
    case 'delivered':
      m.delivered += r.messages;
      break;
    case 'failed':
      m.failed += r.messages;
      break;
    case 'dead':
      m.dead += r.messages;
      break;
    case 'skipped':
      m.skipped += r.messages;
      break;
    case 'unknown':
      m.unknown += r.messages;
      break;
    case 'sent':
      break;
  }
}

function addOutcome(m: MessageCounts, r: ReportAggregates['outcomes'][number]): void {
  switch (r.type) {
    case 'opened':
    case 'clicked':
      m[r.type][r.human ? 'human' : 'machine'] += r.messages;
      break;
    case 'replied':
    case 'unsubscribed':
    case 'bounced':
    case 'complained':
      m[r.type] += r.messages;
      break;
    default:
      m.other[r.type] = (m.other[r.type] ?? 0) + r.messages;
  }
}

function withRates(m: MessageCounts): MessageCounts {
  m.rates = {
    delivered: ratio(m.delivered, m.sent),
    opened: ratio(m.opened.human, m.sent),
    clicked: ratio(m.clicked.human, m.sent),
  };
  return m;
}

/** Message counts per node (and channel, template), and the same summed per template. */
export function messageCounts(a: ReportAggregates) {
  const byNode = new Map<string, MessageCounts & { nodeId: string | null }>();
  const node = (nodeId: string | null, channel: string, template: string | null) => {
    const key = `${nodeId}\u0000${channel}\u0000${template}`;
    let m = byNode.get(key);
    if (!m) byNode.set(key, (m = { nodeId, ...emptyMessages(channel, template) }));
    return m;
  };
  for (const r of a.messages) addStatus(node(r.nodeId, r.channel, r.template), r);
  for (const r of a.skipped) {
    const m = node(r.nodeId, r.channel, r.template);
    m.skippedBy[r.reason] = (m.skippedBy[r.reason] ?? 0) + r.messages;
  }
  for (const r of a.outcomes) addOutcome(node(r.nodeId, r.channel ?? '', r.template), r);
  const byTemplate = new Map<string, MessageCounts>();
  for (const m of byNode.values()) {
    if (m.template === null) continue;
    const key = `${m.channel}\u0000${m.template}`;
    let t = byTemplate.get(key);
    if (!t) byTemplate.set(key, (t = emptyMessages(m.channel, m.template)));
    for (const f of [
      'messages',
      'pending',
      'sent',
      'delivered',
      'failed',
      'dead',
      'skipped',
    ] as const)
      t[f] += m[f];
    for (const f of ['replied', 'unsubscribed', 'bounced', 'complained'] as const) t[f] += m[f];
    for (const f of ['opened', 'clicked'] as const) {
      t[f].human += m[f].human;
      t[f].machine += m[f].machine;
    }
    for (const [k, v] of Object.entries(m.skippedBy)) t.skippedBy[k] = (t.skippedBy[k] ?? 0) + v;
    for (const [k, v] of Object.entries(m.other)) t.other[k] = (t.other[k] ?? 0) + v;
  }
  return {
    messages: [...byNode.values()].map((m) => ({ ...withRates(m), nodeId: m.nodeId })),
    templates: [...byTemplate.values()].map(withRates),
  };
}
