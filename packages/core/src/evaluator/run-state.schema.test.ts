import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwaitingSchema, ExitReasonSchema, RunStateSchema } from './run-state.schema.ts';
import { Driver, event, journey, MIN, outcome, T0 } from './step.fixtures.ts';

/** What a store gives back: the state after a JSON round trip. */
const stored = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('run state schema', () => {
  it('reads back every state a run passes through, as it was', () => {
    const run = new Driver(
      journey({
        start: 'email',
        nodes: {
          email: { type: 'send', channel: 'email', template: 'x', next: 'w' },
          w: {
            type: 'wait_for',
            outcome: { node: 'email', is: ['clicked'] },
            timeout: 'P1D',
            onTimeout: 'done',
            next: 'done',
          },
          done: { type: 'exit' },
        },
      }),
      T0,
      { event: event('signup', T0, { plan: 'pro' }), data: { source: 'test' } },
    );
    const states = [run.state];
    assert.equal(run.state.awaiting?.kind, 'outcome');
    run.feed(outcome(run.state, 'email', 'opened', T0 + MIN), T0 + MIN);
    states.push(run.state);
    run.feed(outcome(run.state, 'email', 'clicked', T0 + 2 * MIN), T0 + 2 * MIN);
    states.push(run.state);
    assert.equal(run.state.status, 'exited');
    for (const state of states)
      assert.deepEqual(RunStateSchema.parse(stored(state)), stored(state));
    assert.deepEqual(
      AwaitingSchema.parse(stored(states[0]!.awaiting)),
      stored(states[0]!.awaiting),
    );
    assert.deepEqual(ExitReasonSchema.parse(stored(run.state.exit)), stored(run.state.exit));
  });

  it('keeps keys it does not know, and refuses a wrong field by its path', () => {
    const run = new Driver(journey({ start: 'done', nodes: { done: { type: 'exit' } } }), T0);
    const later = { ...(stored(run.state) as object), addedByALaterBuild: 1 };
    assert.equal(Reflect.get(RunStateSchema.parse(later), 'addedByALaterBuild'), 1);
    const wrong = RunStateSchema.safeParse({ ...later, status: 'sleeping' });
    assert.equal(wrong.success, false);
    assert.deepEqual(wrong.error?.issues[0]?.path, ['status']);
  });
});
