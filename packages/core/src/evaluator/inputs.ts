/**
 * What a run does with an input while it waits: events (recorded in `seen` when the journey
 * refers to the name; goals, which may exit the run; a `wait_for` event with its filter),
 * message outcomes and replies, task outcomes, and timers (a due one ends the wait: the timeout
 * path for a wait_for). An arrival stamped after the wait's deadline never counts.
 */
import type { Condition } from '../conditions/schema.ts';
import { evaluateCondition } from '../conditions/evaluate.ts';
import type { JourneyDefinition } from '../journey/schema.ts';
import { conditionsOf, nodeKind } from '../nodes/registry.ts';
import { formatLocal } from '../time/zones.ts';
import { assertNever } from '../util/assert-never.ts';
import { advance } from './advance.ts';
import { describeAwaiting } from './awaiting.ts';
import { matchGoals } from './goals.ts';
import {
  currentNode,
  endRun,
  ignoresMachine,
  note,
  resume,
  scopeOf,
  type Stepping,
} from './stepping.ts';
import type { EventFact, OutcomeFact, TaskOutcomeFact } from './types.ts';

/** Entries kept in `state.seen` (the oldest are dropped). */
export const MAX_SEEN = 1000;

const referencedCache = new WeakMap<JourneyDefinition, Set<string>>();

function collectCountEvents(cond: Condition | undefined, out: Set<string>): void {
  if (!cond) return;
  if ('all' in cond) cond.all.forEach((c) => collectCountEvents(c, out));
  else if ('any' in cond) cond.any.forEach((c) => collectCountEvents(c, out));
  else if ('not' in cond) collectCountEvents(cond.not, out);
  else if ('event' in cond) {
    out.add(cond.event);
    collectCountEvents(cond.where, out);
  }
}

/** Event names the definition refers to (wait-for, goals, event-count conditions). */
function referencedEvents(def: JourneyDefinition): Set<string> {
  let names = referencedCache.get(def);
  if (names) return names;
  names = new Set<string>();
  for (const goal of def.policies.goals ?? []) {
    names.add(goal.event);
    collectCountEvents(goal.where, names);
  }
  for (const node of Object.values(def.nodes)) {
    for (const name of nodeKind(node.type).eventsOf?.(node) ?? []) names.add(name);
    for (const [, condition] of conditionsOf(node)) collectCountEvents(condition, names);
  }
  referencedCache.set(def, names);
  return names;
}

/** Records an event in `seen` when the journey refers to its name (once per event id). */
export function recordSeen(s: Stepping, event: EventFact): boolean {
  const { state } = s;
  if (!referencedEvents(s.def).has(event.name)) return false;
  if (state.seen.some((e) => e.id === event.id)) return false;
  state.seen.push({
    id: event.id,
    name: event.name,
    at: event.timestamp,
    properties: event.properties,
  });
  if (state.seen.length > MAX_SEEN) state.seen.splice(0, state.seen.length - MAX_SEEN);
  return true;
}

/** An event of the profile: goals first, then the wait it may end. */
export function onEvent(s: Stepping, event: EventFact): void {
  const { state } = s;
  const recorded = recordSeen(s, event);
  const scope = scopeOf(s, event);
  let exitGoal: string | null = null;
  let converted = false;
  for (const goal of matchGoals({ definition: s.def, event, scope })) {
    converted = true;
    s.commands.push({
      type: 'conversion',
      goal: goal.goal,
      event,
      value: goal.value,
      ...(goal.currency !== undefined ? { currency: goal.currency } : {}),
    });
    if (goal.exit) exitGoal ??= goal.goal;
    else note(s, 'goal', `goal ${goal.goal} reached by ${event.name} (the run continues)`);
  }
  if (exitGoal !== null) {
    endRun(
      s,
      { kind: 'goal', goal: exitGoal },
      `goal ${exitGoal} reached by ${event.name}; the run exits`,
    );
    return;
  }
  const awaiting = state.awaiting;
  if (awaiting?.kind === 'event' && awaiting.event === event.name) {
    const node = currentNode(s, 'wait_for');
    if (!node) return;
    if (!node.where || evaluateCondition(node.where, scope)) {
      if (event.timestamp > awaiting.until) {
        note(
          s,
          'ignored',
          `${event.name} at ${formatLocal(event.timestamp, s.zone)} came after the wait's deadline`,
        );
        return;
      }
      state.last = { event };
      resume(s, 'matched', `${event.name} received`);
      advance(s, node.next);
      return;
    }
  }
  if (!converted) {
    note(
      s,
      'ignored',
      recorded ? `${event.name} recorded (not awaited now)` : `${event.name} not awaited`,
    );
  }
}

/** An outcome of a message this run sent: recorded, and the wait it may end. */
export function onOutcome(s: Stepping, outcome: OutcomeFact): void {
  const { state } = s;
  const byNode = state.messages[outcome.nodeId];
  const nodeId =
    byNode?.key === outcome.messageKey
      ? outcome.nodeId
      : Object.keys(state.messages).find((n) => state.messages[n]?.key === outcome.messageKey);
  const message = nodeId === undefined ? undefined : state.messages[nodeId];
  if (nodeId === undefined || !message) {
    note(
      s,
      'ignored',
      `${outcome.type} for a message this run no longer tracks (${outcome.messageKey})`,
    );
    return;
  }
  const list = outcome.machine ? (message.machine ?? []) : message.outcomes;
  const updated = { ...message };
  if (!list.includes(outcome.type)) {
    if (outcome.machine) updated.machine = [...list, outcome.type];
    else updated.outcomes = [...list, outcome.type];
  }
  if (outcome.type === 'replied' && outcome.reply && !outcome.machine)
    updated.reply = outcome.reply;
  if (outcome.data && !outcome.machine) updated.data = outcome.data;
  state.messages[nodeId] = updated;

  const awaiting = state.awaiting;
  const awaited =
    (awaiting?.kind === 'outcome' &&
      awaiting.messageKey === outcome.messageKey &&
      awaiting.is.includes(outcome.type)) ||
    (awaiting?.kind === 'reply' &&
      awaiting.messageKey === outcome.messageKey &&
      outcome.type === 'replied' &&
      !outcome.machine);
  if (awaited && awaiting) {
    const node = currentNode(s, 'wait_for');
    if (!node) return;
    if (outcome.machine && ignoresMachine(s, node.outcome)) {
      note(
        s,
        'ignored',
        `machine ${outcome.type} of ${nodeId} recorded; this wait ignores machine outcomes`,
      );
      return;
    }
    if (outcome.at > awaiting.until) {
      note(
        s,
        'ignored',
        `${outcome.type} at ${formatLocal(outcome.at, s.zone)} came after the wait's deadline`,
      );
      return;
    }
    state.last = { outcome };
    resume(s, 'matched', `${outcome.type} of ${nodeId} received`);
    advance(s, node.next);
    return;
  }
  note(
    s,
    'ignored',
    `${outcome.machine ? 'machine ' : ''}${outcome.type} of ${nodeId} recorded (not awaited now)`,
  );
}

/** The outcome of a task this run created: recorded, and the wait it may end. */
export function onTask(s: Stepping, task: TaskOutcomeFact): void {
  const { state } = s;
  if (state.tasks[task.nodeId] !== task.taskKey) {
    note(s, 'ignored', `outcome of a task this run no longer tracks (${task.taskKey})`);
    return;
  }
  state.taskOutcomes = { ...state.taskOutcomes, [task.nodeId]: task };
  const awaiting = state.awaiting;
  if (awaiting?.kind === 'task' && awaiting.taskKey === task.taskKey) {
    const node = currentNode(s, 'wait_for');
    if (!node) return;
    if (task.at > awaiting.until) {
      note(
        s,
        'ignored',
        `task outcome at ${formatLocal(task.at, s.zone)} came after the wait's deadline`,
      );
      return;
    }
    state.last = { task };
    resume(s, 'matched', `task ${task.nodeId} done: ${task.outcome}`);
    advance(s, node.next);
    return;
  }
  note(s, 'ignored', `outcome of task ${task.nodeId} recorded (not awaited now)`);
}

/** A timer: a due one ends the wait; an early or stale one is ignored. */
export function onTimer(s: Stepping): void {
  const { state, now } = s;
  const awaiting = state.awaiting;
  if (!awaiting || state.wakeAt === null) {
    note(s, 'ignored', 'timer, but the run is not waiting for one');
    return;
  }
  if (state.wakeAt > now) {
    note(
      s,
      'ignored',
      `early or stale timer: the run wakes at ${formatLocal(state.wakeAt, s.zone)}`,
    );
    return;
  }
  switch (awaiting.kind) {
    case 'duration': {
      const node = currentNode(s, 'wait');
      if (!node) return;
      resume(s, 'woke', 'wait over');
      advance(s, node.next);
      return;
    }
    case 'send_window': {
      const node = currentNode(s, 'send');
      if (!node || state.node === null) return;
      resume(s, 'woke', `send window for ${awaiting.channel} open`);
      // The send node runs again: skipIf and the window are re-checked (a late timer may have
      // missed the window, and then the run waits for the next one).
      advance(s, state.node);
      return;
    }
    case 'event':
    case 'outcome':
    case 'reply':
    case 'task': {
      const node = currentNode(s, 'wait_for');
      if (!node) return;
      resume(
        s,
        'timeout',
        `${describeAwaiting(awaiting, s.zone, s.def)}: timed out → ${node.onTimeout}`,
      );
      advance(s, node.onTimeout);
      return;
    }
    default:
      assertNever(awaiting);
  }
}
