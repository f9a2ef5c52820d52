/**
 * One step in progress (`Stepping`) and the moves every node kind makes with it: note a trace
 * line, take the next idempotency key, wait, resume, end the run, read the run's conditions.
 * Node kinds (`nodes/<kind>/`) and the input handlers use these; `step.ts` builds the `Stepping`.
 */
import type { ConditionScope } from '../conditions/evaluate.ts';
import type { JourneyDefinition, NodeOf, NodeType } from '../journey/schema.ts';
import type {
  Awaiting,
  Command,
  EventFact,
  ExitReason,
  ProfileFact,
  Rng,
  RunState,
  TraceEntry,
} from './types.ts';

/** One step in progress: the state and profile copies it changes, and what it emits. */
export interface Stepping {
  readonly def: JourneyDefinition;
  readonly now: number;
  readonly rng: Rng;
  readonly zone: string;
  readonly state: RunState;
  profile: ProfileFact;
  readonly commands: Command[];
  readonly trace: TraceEntry[];
}

/** Adds a trace line at the run's current node. */
export function note(s: Stepping, what: TraceEntry['what'], detail: string): void {
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
export function ignoresMachine(
  s: Stepping,
  wait?: { ignoreMachine?: boolean | undefined },
): boolean {
  return wait?.ignoreMachine ?? s.def.policies.tracking?.ignoreMachine ?? false;
}

/** The scope the run's conditions see now (with `event` when one is being handled). */
export function scopeOf(s: Stepping, event?: EventFact): ConditionScope {
  return runScope({
    state: s.state,
    profile: s.profile,
    now: s.now,
    event,
    ignoreMachine: ignoresMachine(s),
  });
}

/** The next idempotency key of the run: `${runId}:${nodeId}:${seq}`. */
export function nextKey(s: Stepping, nodeId: string): string {
  s.state.seq += 1;
  return `${s.state.runId}:${nodeId}:${s.state.seq}`;
}

/** Ends the run (completed, exited, a goal, a holdout…) and tells the runtime. */
export function endRun(s: Stepping, reason: ExitReason, detail: string): void {
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

/** Puts the run to wait, with the timer that ends the wait. */
export function waitFor(
  s: Stepping,
  awaiting: Awaiting,
  what: TraceEntry['what'],
  detail: string,
): void {
  const { state } = s;
  state.status = 'waiting';
  state.awaiting = awaiting;
  state.wakeAt = awaiting.until;
  s.commands.push({ type: 'schedule', wakeAt: awaiting.until, reason: awaiting.kind });
  s.commands.push({ type: 'await', awaiting });
  note(s, what, detail);
}

/** Ends a wait: the run is active again. */
export function resume(s: Stepping, what: TraceEntry['what'], detail: string): void {
  note(s, what, detail);
  s.state.status = 'active';
  s.state.awaiting = null;
  s.state.wakeAt = null;
}

/** The node the run is at, when it is of the expected kind; otherwise the run is stopped. */
export function currentNode<K extends NodeType>(s: Stepping, type: K): NodeOf<K> | null {
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
