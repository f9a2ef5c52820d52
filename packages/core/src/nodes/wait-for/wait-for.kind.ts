/**
 * The wait_for node: wait for one thing (an event, an outcome of a message this run sent, a
 * reply to it, or the outcome of a task it created) with a timeout path. What already arrived
 * before the run got here counts at once. The arrivals themselves are handled by
 * `evaluator/inputs.ts`, which resumes the run on `next` (or `onTimeout` at the deadline).
 */
import { describeAwaiting } from '../../evaluator/awaiting.ts';
import { endRun, ignoresMachine, note, waitFor, type Stepping } from '../../evaluator/stepping.ts';
import type { Awaiting } from '../../evaluator/types.ts';
import { durationMs } from '../../journey/duration.ts';
import { nodeIssue } from '../../journey/issues.ts';
import type { NodeOf } from '../../journey/schema.ts';
import type { NodeKind, NodeReference } from '../kind.ts';
import { WaitForNode } from './wait-for.schema.ts';

function matchedEarly(s: Stepping, node: NodeOf<'wait_for'>, detail: string): string {
  note(s, 'matched', `${detail} already received; continuing`);
  return node.next;
}

function visit(s: Stepping, id: string, node: NodeOf<'wait_for'>): string | null {
  const { state } = s;
  const until = s.now + durationMs(node.timeout);
  let awaiting: Awaiting;
  if (node.event !== undefined) {
    awaiting = { kind: 'event', event: node.event, until };
  } else if (node.outcome) {
    const message = state.messages[node.outcome.node];
    const human = node.outcome.is.find((t) => message?.outcomes.includes(t));
    const machine =
      human || ignoresMachine(s, node.outcome)
        ? undefined
        : node.outcome.is.find((t) => message?.machine?.includes(t));
    const hit = human ?? machine;
    if (message && hit) {
      state.last = {
        outcome: {
          messageKey: message.key,
          nodeId: node.outcome.node,
          type: hit,
          at: s.now,
          ...(machine ? { machine: true } : {}),
          ...(message.data ? { data: message.data } : {}),
        },
      };
      return matchedEarly(s, node, `${hit} of ${node.outcome.node}`);
    }
    awaiting = {
      kind: 'outcome',
      node: node.outcome.node,
      messageKey: message?.key ?? '',
      is: node.outcome.is,
      until,
    };
  } else if (node.reply) {
    const message = state.messages[node.reply.node];
    if (message?.outcomes.includes('replied')) {
      state.last = {
        outcome: {
          messageKey: message.key,
          nodeId: node.reply.node,
          type: 'replied',
          at: s.now,
          reply: message.reply,
        },
      };
      return matchedEarly(s, node, `reply to ${node.reply.node}`);
    }
    awaiting = { kind: 'reply', node: node.reply.node, messageKey: message?.key ?? '', until };
  } else if (node.task) {
    const taskKey = state.tasks[node.task.node] ?? '';
    const done = state.taskOutcomes?.[node.task.node];
    if (done && done.taskKey === taskKey) {
      state.last = { task: done };
      return matchedEarly(s, node, `outcome of task ${node.task.node}`);
    }
    awaiting = { kind: 'task', node: node.task.node, taskKey, until };
  } else {
    endRun(
      s,
      { kind: 'definition_changed', detail: `wait_for node ${id} awaits nothing` },
      `wait_for node ${id} awaits nothing; the run stops`,
    );
    return null;
  }
  if ((awaiting.kind === 'outcome' || awaiting.kind === 'reply') && awaiting.messageKey === '') {
    note(
      s,
      'node',
      `node ${awaiting.node} sent no message in this run: only the timeout can end this wait`,
    );
  }
  waitFor(s, awaiting, 'waiting', describeAwaiting(awaiting, s.zone, s.def));
  return null;
}

const TARGETS = ['event', 'outcome', 'reply', 'task'] as const;

/** The wait_for node kind. */
export const waitForKind = {
  type: 'wait_for',
  schema: WaitForNode,
  label: 'Wait for',
  help: 'Wait for an event, an open or click, a reply or a task outcome, with a timeout path.',
  icon: 'timer',
  defaults: { type: 'wait_for', timeout: 'P1D' },
  waits: true,
  edgesOf: (node) => [
    { field: 'next', target: node.next },
    { field: 'onTimeout', target: node.onTimeout },
  ],
  outputs: () => [
    { field: 'next', label: 'Happened' },
    { field: 'onTimeout', label: 'Timed out' },
  ],
  conditionsOf: (node) => (node.where ? [['where', node.where]] : []),
  templatesOf: () => [],
  referencesOf(node) {
    const refs: NodeReference[] = [];
    if (node.outcome)
      refs.push({ field: 'outcome.node', node: node.outcome.node, kinds: ['send', 'webhook'] });
    if (node.reply) refs.push({ field: 'reply.node', node: node.reply.node, kinds: ['send'] });
    if (node.task) refs.push({ field: 'task.node', node: node.task.node, kinds: ['task'] });
    return refs;
  },
  eventsOf: (node) => (node.event === undefined ? [] : [node.event]),
  checkRaw(raw, { id, sink }) {
    const named = TARGETS.filter((key) => raw[key] !== undefined);
    if (named.length === 1) return;
    sink.error(
      nodeIssue(
        id,
        '',
        'wait_for_without_target',
        named.length === 0
          ? 'a wait-for must say what it waits for: one of event, outcome, reply or task'
          : `a wait-for waits for one thing; this one names ${named.join(' and ')}`,
        named.length === 0
          ? 'e.g. `outcome: { node: send-email, is: [opened] }` or `event: payment_received`'
          : 'chain two wait-for nodes, or wait for one and branch on the other',
      ),
    );
  },
  explain({ kind, field }) {
    const name = field.length === 1 ? field[0] : undefined;
    if (kind !== 'required' || (name !== 'timeout' && name !== 'onTimeout')) return undefined;
    return {
      code: 'required',
      message: 'a wait-for needs a timeout and an onTimeout path',
      hint: 'add e.g. `timeout: 12h` and `onTimeout: <node id>`: the route taken when nothing arrives in time',
    };
  },
  visit,
} satisfies NodeKind<'wait_for'>;
