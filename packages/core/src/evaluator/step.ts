/**
 * The evaluator: `step()` moves one run of a journey forward by one input (entry, a timer, an
 * event, a message outcome, a task outcome) and returns the new state, the commands for the
 * runtime and human-readable trace lines. Pure and deterministic: time, randomness and the
 * profile are passed in, idempotency keys derive from the run id, the node and `state.seq`.
 *
 * The run passes through instantaneous nodes (sends, profile updates, branches…) in one step
 * and stops at a wait or at its end. While waiting it reacts to:
 * - events: recorded in `seen` when the journey refers to the name; goals (which may exit the
 *   run); a `wait_for` event with its `where` filter
 * - outcomes: recorded on the message; a `wait_for` outcome/reply on that message. Outcomes
 *   flagged `machine` (privacy-proxy opens, link-scanner clicks) are recorded apart; they satisfy
 *   an outcome wait or condition unless the wait says `ignoreMachine` or the journey's
 *   `policies.tracking.ignoreMachine` does (a wait's own setting wins). Replies are never machine
 * - task outcomes: recorded; a `wait_for` task on that task
 * - timers: due ones end the wait (timeout path for wait_for); early or stale ones are ignored.
 *
 * The race at a timeout: an awaited event or outcome stamped at or before the wait's deadline
 * counts when it is processed before the timer; once the timer has fired the run has moved on
 * and the late arrival is ignored. An arrival stamped after the deadline never counts.
 */
import { CHANNELS } from '../channels/catalogue.ts';
import { evaluateCondition, getPath, type ConditionScope } from '../conditions/evaluate.ts';
import type { Condition } from '../conditions/schema.ts';
import { durationMs } from '../journey/duration.ts';
import { applyInterestNode } from '../personalization/interest-node.ts';
import type { Channel, JourneyDefinition, JourneyNode, SendWindow } from '../journey/schema.ts';
import { isInsideWindow, nextAllowedSlot } from '../time/window.ts';
import {
  formatLocal,
  localTimeOnOrAfter,
  parseDateValue,
  relativeTime,
  resolveZone,
} from '../time/zones.ts';
import type {
  Awaiting,
  Command,
  EventFact,
  ExitReason,
  OutcomeFact,
  ProfileFact,
  Rng,
  RunState,
  StepArgs,
  StepResult,
  TaskOutcomeFact,
  TraceEntry,
} from './types.ts';
import { matchGoals } from './goals.ts';

/** Node visits allowed in one step before the run is stopped (validation forbids loops without waits). */
export const MAX_VISITS_PER_STEP = 1000;
/** Entries kept in `state.seen` (the oldest are dropped). */
export const MAX_SEEN = 1000;

type NodeOf<K extends JourneyNode['type']> = Extract<JourneyNode, { type: K }>;

/** One step in progress: the state and profile copies it changes, and what it emits. */
interface Stepping {
  readonly def: JourneyDefinition;
  readonly now: number;
  readonly rng: Rng;
  readonly zone: string;
  readonly state: RunState;
  profile: ProfileFact;
  readonly commands: Command[];
  readonly trace: TraceEntry[];
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

/** Copies a state deeply enough that the step never mutates its input. */
function copyState(state: RunState): RunState {
  const messages: RunState['messages'] = {};
  for (const [node, m] of Object.entries(state.messages)) messages[node] = { ...m };
  return {
    ...state,
    messages,
    tasks: { ...state.tasks },
    seen: [...state.seen],
    ...(state.taskOutcomes ? { taskOutcomes: { ...state.taskOutcomes } } : {}),
    ...(state.last ? { last: { ...state.last } } : {}),
  };
}

function note(s: Stepping, what: TraceEntry['what'], detail: string): void {
  s.trace.push({ at: s.now, node: s.state.node, what, detail });
}

/**
 * What a run's conditions read: the profile, the trigger, what the last wait received, the events
 * seen and the messages sent. The runtime re-checks a send's `skipIf` with it just before sending.
 */
export function runScope(a: {
  state: RunState;
  profile: ProfileFact;
  now: number;
  event?: EventFact | undefined;
  /** Leave machine outcomes out of outcome conditions (`policies.tracking.ignoreMachine`). */
  ignoreMachine?: boolean | undefined;
}): ConditionScope {
  const { state } = a;
  return {
    profile: a.profile,
    event: a.event ?? state.trigger ?? undefined,
    trigger: state.trigger,
    last: state.last,
    run: { variant: state.variant, enteredAt: state.enteredAt },
    seen: state.seen,
    messages: a.ignoreMachine ? state.messages : withMachineOutcomes(state.messages),
    now: a.now,
  };
}

/** Messages whose `outcomes` include their machine outcomes too (what conditions see by default). */
function withMachineOutcomes(messages: RunState['messages']): RunState['messages'] {
  if (!Object.values(messages).some((m) => m.machine?.length)) return messages;
  const out: RunState['messages'] = {};
  for (const [node, m] of Object.entries(messages))
    out[node] = m.machine?.length ? { ...m, outcomes: [...m.outcomes, ...m.machine] } : m;
  return out;
}

/** Whether machine outcomes are ignored: the wait's own setting, else the journey's policy. */
function ignoresMachine(s: Stepping, wait?: { ignoreMachine?: boolean | undefined }): boolean {
  return wait?.ignoreMachine ?? s.def.policies.tracking?.ignoreMachine ?? false;
}

function scopeOf(s: Stepping, event?: EventFact): ConditionScope {
  return runScope({
    state: s.state,
    profile: s.profile,
    now: s.now,
    event,
    ignoreMachine: ignoresMachine(s),
  });
}

/** The next idempotency key of the run: `${runId}:${nodeId}:${seq}`. */
function nextKey(s: Stepping, nodeId: string): string {
  s.state.seq += 1;
  return `${s.state.runId}:${nodeId}:${s.state.seq}`;
}

function endRun(s: Stepping, reason: ExitReason, detail: string): void {
  const { state } = s;
  const what = reason.kind === 'completed' ? 'completed' : reason.kind === 'goal' ? 'goal' : 'exit';
  note(s, what, detail);
  state.status = reason.kind === 'completed' ? 'completed' : 'exited';
  state.node = null;
  state.wakeAt = null;
  state.awaiting = null;
  state.exit = reason;
  s.commands.push(reason.kind === 'completed' ? { type: 'complete' } : { type: 'exit', reason });
}

function waitFor(s: Stepping, awaiting: Awaiting, what: TraceEntry['what'], detail: string): void {
  const { state } = s;
  state.status = 'waiting';
  state.awaiting = awaiting;
  state.wakeAt = awaiting.until;
  s.commands.push({ type: 'schedule', wakeAt: awaiting.until, reason: awaiting.kind });
  s.commands.push({ type: 'await', awaiting });
  note(s, what, detail);
}

function resume(s: Stepping, what: TraceEntry['what'], detail: string): void {
  note(s, what, detail);
  s.state.status = 'active';
  s.state.awaiting = null;
  s.state.wakeAt = null;
}

/** The node the run is at, when it is of the expected kind; otherwise the run is stopped. */
function currentNode<K extends JourneyNode['type']>(s: Stepping, type: K): NodeOf<K> | null {
  const id = s.state.node;
  const node = id === null ? undefined : s.def.nodes[id];
  if (node?.type === type) return node as NodeOf<K>;
  endRun(
    s,
    {
      kind: 'definition_changed',
      detail: `the run is at ${id ?? 'no node'}, expected a ${type} node`,
    },
    `node ${id ?? '?'} is no longer a ${type} node; the run stops`,
  );
  return null;
}

// ---------------------------------------------------------------------------------------------
// Nodes

function sendWindowFor(def: JourneyDefinition, channel: Channel): SendWindow | undefined {
  const windows = def.policies.sendWindows;
  return windows?.[channel] ?? windows?.default;
}

function windowText(window: SendWindow): string {
  const days =
    window.days.length === 0 || window.days.length === 7 ? '' : ` ${window.days.join(',')}`;
  return `${window.start}–${window.end}${days}`;
}

function visitSend(s: Stepping, id: string, node: NodeOf<'send'>): string | null {
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

function visitWait(s: Stepping, node: NodeOf<'wait'>): string | null {
  const { now, zone } = s;
  let until: number | null = node.duration ? now + durationMs(node.duration) : null;
  if (node.until) {
    const { field, offset, at } = node.until;
    const shift = offset ? durationMs(offset) : 0;
    let target: number;
    if (field) {
      const base = parseDateValue(getPath(scopeOf(s), field), zone);
      if (base === null) {
        note(s, 'skipped', `${field} is not a date; the wait is skipped`);
        return node.next;
      }
      target = relativeTime({ base, offset: shift, time: at, zone });
    } else {
      target = at ? localTimeOnOrAfter({ at: now + shift, time: at, zone }) : now + shift;
    }
    until = Math.max(until ?? target, target);
  }
  if (until === null || until <= now) {
    note(
      s,
      'node',
      `wait time ${until === null ? 'not set' : `${formatLocal(until, zone)} already passed`}; continuing`,
    );
    return node.next;
  }
  const awaiting: Awaiting = { kind: 'duration', until };
  waitFor(s, awaiting, 'waiting', describeAwaiting(awaiting, zone, s.def));
  return null;
}

function matchedEarly(s: Stepping, node: NodeOf<'wait_for'>, detail: string): string {
  note(s, 'matched', `${detail} already received; continuing`);
  return node.next;
}

function visitWaitFor(s: Stepping, id: string, node: NodeOf<'wait_for'>): string | null {
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

function visitBranch(s: Stepping, node: NodeOf<'branch'>): string {
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

function visitSplit(s: Stepping, node: NodeOf<'split'>): string | null {
  const holdout = node.holdout ?? 0;
  if (holdout > 0 && s.rng() < holdout / 100) {
    s.state.variant = 'holdout';
    note(s, 'split', `held out (${holdout}% control group)`);
    endRun(s, { kind: 'holdout' }, 'the run leaves the journey as part of the control group');
    return null;
  }
  const total = node.variants.reduce((sum, v) => sum + v.weight, 0);
  let pick = s.rng() * total;
  let chosen = node.variants[node.variants.length - 1];
  for (const variant of node.variants) {
    pick -= variant.weight;
    if (pick < 0) {
      chosen = variant;
      break;
    }
  }
  if (!chosen) return null; // unreachable: the schema requires a variant
  s.state.variant = chosen.name;
  note(s, 'split', `variant ${chosen.name} (weight ${chosen.weight} of ${total}) → ${chosen.next}`);
  return chosen.next;
}

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([^{}\s]+)\s*\}\}$/;

/** Resolves `{{ path }}` placeholders; a value that is one placeholder keeps the field's type. */
function fillPlaceholders(value: unknown, scope: ConditionScope): unknown {
  if (typeof value !== 'string') return value;
  const whole = WHOLE_PLACEHOLDER.exec(value);
  if (whole?.[1]) return getPath(scope, whole[1]);
  return value.replace(PLACEHOLDER, (_, path: string) => {
    const found = getPath(scope, path);
    if (found === undefined || found === null) return '';
    return typeof found === 'object' ? JSON.stringify(found) : String(found);
  });
}

/** `fillPlaceholders` through arrays and objects (a webhook body); unresolved whole values drop. */
function fillDeep(value: unknown, scope: ConditionScope): unknown {
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, scope) ?? null);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const filled = fillDeep(v, scope);
      if (filled !== undefined) out[k] = filled;
    }
    return out;
  }
  return fillPlaceholders(value, scope);
}

function visitUpdateProfile(s: Stepping, id: string, node: NodeOf<'update_profile'>): string {
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

function bagOf(profile: ProfileFact, bag: string): Record<string, unknown> {
  const current = profile.traits[bag];
  return typeof current === 'object' && current !== null
    ? { ...(current as Record<string, unknown>) }
    : {};
}

function visitAction(
  s: Stepping,
  id: string,
  node: NodeOf<'list' | 'interest' | 'site_flag' | 'task' | 'webhook' | 'alert'>,
): string {
  switch (node.type) {
    case 'list': {
      const lists = s.profile.lists.filter((l) => l !== node.list);
      s.profile = { ...s.profile, lists: node.action === 'add' ? [...lists, node.list] : lists };
      s.commands.push({ type: 'list', nodeId: id, action: node.action, list: node.list });
      note(s, 'node', `${node.action === 'add' ? 'added to' : 'removed from'} list ${node.list}`);
      break;
    }
    case 'interest': {
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
      break;
    }
    case 'site_flag': {
      const flags = bagOf(s.profile, 'site_flags');
      flags[node.flag] = node.value;
      s.profile = { ...s.profile, traits: { ...s.profile.traits, site_flags: flags } };
      s.commands.push({ type: 'site_flag', nodeId: id, flag: node.flag, value: node.value });
      note(s, 'node', `site flag ${node.flag} = ${String(node.value)}`);
      break;
    }
    case 'task': {
      const key = nextKey(s, id);
      s.state.tasks[id] = key;
      const dueAt = s.now + durationMs(node.due);
      s.commands.push({
        type: 'task',
        key,
        nodeId: id,
        team: node.team,
        title: node.title,
        description: node.description,
        dueAt,
      });
      note(s, 'node', `task "${node.title}" for ${node.team}, due ${formatLocal(dueAt, s.zone)}`);
      break;
    }
    case 'webhook': {
      const key = nextKey(s, id);
      const scope = scopeOf(s);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(node.headers ?? {})) {
        const filled = fillPlaceholders(value, scope);
        if (filled !== undefined && filled !== null) headers[name] = String(filled);
      }
      s.commands.push({
        type: 'webhook',
        key,
        nodeId: id,
        url: node.url,
        method: node.method,
        headers,
        body: fillDeep(node.body, scope),
      });
      // Tracked like a sent message: a `wait_for` outcome on this node gets the response.
      s.state.messages[id] = { key, outcomes: [] };
      note(s, 'node', `webhook ${node.method} ${node.url} (${key})`);
      break;
    }
    case 'alert': {
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
      break;
    }
    default:
      assertNever(node);
  }
  return node.next;
}

/** Runs one node; returns the next node to visit, or null when the run waits or ended. */
function visit(s: Stepping, id: string, node: JourneyNode): string | null {
  switch (node.type) {
    case 'send':
      return visitSend(s, id, node);
    case 'wait':
      return visitWait(s, node);
    case 'wait_for':
      return visitWaitFor(s, id, node);
    case 'branch':
      return visitBranch(s, node);
    case 'split':
      return visitSplit(s, node);
    case 'update_profile':
      return visitUpdateProfile(s, id, node);
    case 'list':
    case 'interest':
    case 'site_flag':
    case 'task':
    case 'webhook':
    case 'alert':
      return visitAction(s, id, node);
    case 'exit':
      endRun(
        s,
        { kind: 'exit_node', node: id, reason: node.reason },
        `exit${node.reason ? `: ${node.reason}` : ''}`,
      );
      return null;
    default:
      return assertNever(node);
  }
}

/** Walks the graph from `from` until the run waits or ends. */
function advance(s: Stepping, from: string): void {
  let current: string | null = from;
  let visits = 0;
  while (current !== null) {
    visits += 1;
    if (visits > MAX_VISITS_PER_STEP) {
      endRun(
        s,
        {
          kind: 'definition_changed',
          detail: `more than ${MAX_VISITS_PER_STEP} nodes in one step: a loop without a wait`,
        },
        `stopped after ${MAX_VISITS_PER_STEP} nodes without a wait`,
      );
      return;
    }
    const node: JourneyNode | undefined = s.def.nodes[current];
    if (!node) {
      s.state.node = null;
      endRun(s, { kind: 'completed' }, `the route ends (no node ${current})`);
      return;
    }
    s.state.node = current;
    current = visit(s, current, node);
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs

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
    if (node.type === 'wait_for') {
      if (node.event !== undefined) names.add(node.event);
      collectCountEvents(node.where, names);
    } else if (node.type === 'branch') {
      for (const c of node.cases) collectCountEvents(c.when, names);
    } else if (node.type === 'send') {
      collectCountEvents(node.skipIf, names);
    }
  }
  referencedCache.set(def, names);
  return names;
}

function recordSeen(s: Stepping, event: EventFact): boolean {
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

function onEvent(s: Stepping, event: EventFact): void {
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

function onOutcome(s: Stepping, outcome: OutcomeFact): void {
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

function onTask(s: Stepping, task: TaskOutcomeFact): void {
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

function onTimer(s: Stepping): void {
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

function ended(state: RunState): boolean {
  return state.status === 'completed' || state.status === 'exited';
}

/** Moves a run forward by one input: `(definition, state, input, now, rng) -> (state, commands, trace)`. */
export function step(args: StepArgs): StepResult {
  const { definition, input, now, rng, context } = args;
  const zone = resolveZone(
    context.profile.timezone,
    definition.policies.timezone,
    context.workspaceTimezone,
  );
  let state: RunState;
  if (args.state === null) {
    if (input.kind !== 'enter') throw new Error(`step: a ${input.kind} input needs a run state`);
    if (!args.run) throw new Error('step: entering needs args.run (the new run identity)');
    state = {
      ...args.run,
      status: 'active',
      node: null,
      wakeAt: null,
      awaiting: null,
      enteredAt: now,
      updatedAt: now,
      seq: 0,
      trigger: input.event ?? null,
      data: input.data,
      messages: {},
      tasks: {},
      seen: [],
    };
  } else {
    if (ended(args.state)) {
      return {
        state: args.state,
        commands: [],
        trace: [
          {
            at: now,
            node: null,
            what: 'ignored',
            detail: `run already ${args.state.status}; ${input.kind} ignored`,
          },
        ],
      };
    }
    state = copyState(args.state);
  }
  const s: Stepping = {
    def: definition,
    now,
    rng,
    zone,
    state,
    profile: context.profile,
    commands: [],
    trace: [],
  };
  switch (input.kind) {
    case 'enter':
      if (args.state !== null) {
        note(s, 'ignored', 'the run has already entered');
        break;
      }
      if (input.event) recordSeen(s, input.event);
      note(s, 'entered', input.event ? `entered on ${input.event.name}` : 'entered');
      advance(s, definition.start);
      break;
    case 'timer':
      onTimer(s);
      break;
    case 'event':
      onEvent(s, input.event);
      break;
    case 'outcome':
      onOutcome(s, input.outcome);
      break;
    case 'task':
      onTask(s, input.task);
      break;
    default:
      assertNever(input);
  }
  state.updatedAt = now;
  return { state, commands: s.commands, trace: s.trace };
}

function until(at: number, zone: string): string {
  return `until ${formatLocal(at, zone)}`;
}

/** What a waiting run waits for, in words ("waiting for email opened (node send-email) until 2026-05-02 09:00 Europe/Lisbon"). */
export function describeAwaiting(
  awaiting: Awaiting,
  zone: string,
  definition?: JourneyDefinition,
): string {
  const channelOf = (node: string): string => {
    const n = definition?.nodes[node];
    return n?.type === 'send' ? n.channel : 'message';
  };
  switch (awaiting.kind) {
    case 'duration':
      return `waiting ${until(awaiting.until, zone)}`;
    case 'send_window':
      return `waiting ${until(awaiting.until, zone)} (send window for ${awaiting.channel})`;
    case 'event':
      return `waiting for event ${awaiting.event} ${until(awaiting.until, zone)}`;
    case 'outcome':
      return `waiting for ${channelOf(awaiting.node)} ${awaiting.is.join(' or ')} (node ${awaiting.node}) ${until(awaiting.until, zone)}`;
    case 'reply':
      return `waiting for a reply to ${channelOf(awaiting.node)} (node ${awaiting.node}) ${until(awaiting.until, zone)}`;
    case 'task': {
      const n = definition?.nodes[awaiting.node];
      const title = n?.type === 'task' ? ` "${n.title}"` : '';
      return `waiting for the outcome of task${title} (node ${awaiting.node}) ${until(awaiting.until, zone)}`;
    }
    default:
      return assertNever(awaiting);
  }
}
