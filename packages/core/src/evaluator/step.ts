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
 *
 * This module builds the step and dispatches its input: what each node kind does is its
 * `visit` (`nodes/<kind>/`), what a waiting run does with an input is `inputs.ts`.
 */
import { resolveZone } from '../time/zones.ts';
import { assertNever } from '../util/assert-never.ts';
import { advance } from './advance.ts';
import { onEvent, onOutcome, onTask, onTimer, recordSeen } from './inputs.ts';
import { endRun, note, type Stepping } from './stepping.ts';
import type { RunState, StepArgs, StepResult } from './types.ts';

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
    case 'cancel':
      endRun(s, { kind: 'cancelled', reason: input.reason }, `cancelled: ${input.reason}`);
      break;
    default:
      assertNever(input);
  }
  state.updatedAt = now;
  return { state, commands: s.commands, trace: s.trace };
}
