/**
 * Machine outcomes (privacy-proxy opens, link-scanner clicks): recorded apart from human ones;
 * they satisfy a wait or an outcome condition unless the wait or the journey ignores them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JourneyDocumentInput } from '../../journey/schema.ts';
import { Driver, HOUR, MIN, T0, journey, outcome } from '../../evaluator/step.fixtures.ts';

const end = { type: 'exit' } as const;

/** Basket: email, wait 12 h for an open or a click, else SMS. */
function basket(
  opts: { ignoreMachine?: boolean; policy?: boolean } = {},
): ReturnType<typeof journey> {
  const doc: Pick<JourneyDocumentInput, 'start' | 'nodes'> & Partial<JourneyDocumentInput> = {
    start: 'email',
    nodes: {
      email: { type: 'send', channel: 'email', template: 'basket', next: 'opened' },
      opened: {
        type: 'wait_for',
        outcome: {
          node: 'email',
          is: ['opened', 'clicked'],
          ...(opts.ignoreMachine !== undefined ? { ignoreMachine: opts.ignoreMachine } : {}),
        },
        timeout: 'PT12H',
        onTimeout: 'sms',
        next: 'done',
      },
      sms: { type: 'send', channel: 'sms', template: 'hurry', next: 'done' },
      done: end,
    },
  };
  if (opts.policy !== undefined) doc.policies = { tracking: { ignoreMachine: opts.policy } };
  return journey(doc);
}

describe('machine outcomes', () => {
  it('wait_for outcome with ignoreMachine: a privacy-proxy open does not end the wait', () => {
    const run = new Driver(basket({ ignoreMachine: true }), T0);
    const result = run.feed(
      outcome(run.state, 'email', 'opened', T0 + MIN, { machine: true }),
      T0 + MIN,
    );
    assert.equal(result.trace[0]?.what, 'ignored');
    assert.match(result.trace[0]?.detail ?? '', /ignores machine outcomes/);
    assert.equal(run.state.status, 'waiting');
    assert.deepEqual(run.state.messages.email?.machine, ['opened']);
    run.timer();
    assert.deepEqual(run.sends(), ['email basket', 'sms hurry']);
  });

  it('ignoring machine outcomes, a human click afterwards still ends the wait', () => {
    const run = new Driver(basket({ ignoreMachine: true }), T0);
    run.feed(outcome(run.state, 'email', 'clicked', T0 + MIN, { machine: true }), T0 + MIN);
    run.feed(outcome(run.state, 'email', 'clicked', T0 + HOUR), T0 + HOUR);
    assert.equal(run.state.last?.outcome?.machine, undefined);
    assert.deepEqual(run.sends(), ['email basket']);
    assert.equal(run.state.status, 'exited');
  });

  it('policies.tracking.ignoreMachine applies to every wait of the journey', () => {
    const run = new Driver(basket({ policy: true }), T0);
    run.feed(outcome(run.state, 'email', 'opened', T0 + MIN, { machine: true }), T0 + MIN);
    assert.equal(run.state.status, 'waiting');
    run.timer();
    assert.deepEqual(run.sends(), ['email basket', 'sms hurry']);
  });

  it("a wait's own ignoreMachine: false wins over the journey's policy", () => {
    const run = new Driver(basket({ policy: true, ignoreMachine: false }), T0);
    run.feed(outcome(run.state, 'email', 'opened', T0 + MIN, { machine: true }), T0 + MIN);
    assert.deepEqual(run.sends(), ['email basket']);
    assert.equal(run.state.last?.outcome?.machine, true);
  });

  it('a machine open received before the wait is reached: counted or ignored by the wait', () => {
    const late = (ignoreMachine: boolean) =>
      journey({
        start: 'email',
        nodes: {
          email: { type: 'send', channel: 'email', template: 'basket', next: 'pause' },
          pause: { type: 'wait', duration: 'PT1H', next: 'opened' },
          opened: {
            type: 'wait_for',
            outcome: { node: 'email', is: ['opened'], ignoreMachine },
            timeout: 'PT12H',
            onTimeout: 'sms',
            next: 'done',
          },
          sms: { type: 'send', channel: 'sms', template: 'hurry', next: 'done' },
          done: end,
        },
      });
    const counted = new Driver(late(false), T0);
    counted.feed(outcome(counted.state, 'email', 'opened', T0 + MIN, { machine: true }), T0 + MIN);
    counted.timer(T0 + HOUR);
    assert.equal(counted.state.status, 'exited', 'matched at once on reaching the wait');
    assert.equal(counted.state.last?.outcome?.machine, true);

    const ignored = new Driver(late(true), T0);
    ignored.feed(outcome(ignored.state, 'email', 'opened', T0 + MIN, { machine: true }), T0 + MIN);
    ignored.timer(T0 + HOUR);
    assert.equal(ignored.state.status, 'waiting', 'the machine open does not count');
  });

  it('branch outcome conditions see machine outcomes unless the journey ignores them', () => {
    const branchy = (ignoreMachine: boolean) =>
      journey({
        start: 'email',
        policies: { tracking: { ignoreMachine } },
        nodes: {
          email: { type: 'send', channel: 'email', template: 'basket', next: 'pause' },
          pause: { type: 'wait', duration: 'PT1H', next: 'check' },
          check: {
            type: 'branch',
            cases: [{ when: { outcome: { node: 'email', is: 'opened' } }, next: 'done' }],
            default: 'sms',
          },
          sms: { type: 'send', channel: 'sms', template: 'hurry', next: 'done' },
          done: end,
        },
      });
    for (const ignore of [false, true]) {
      const run = new Driver(branchy(ignore), T0);
      run.feed(outcome(run.state, 'email', 'opened', T0 + MIN, { machine: true }), T0 + MIN);
      run.timer(T0 + HOUR);
      assert.deepEqual(
        run.sends(),
        ignore ? ['email basket', 'sms hurry'] : ['email basket'],
        `ignoreMachine: ${ignore}`,
      );
    }
  });

  it('a machine reply does not exist: replies flagged machine never end a reply wait', () => {
    const run = new Driver(
      journey({
        start: 'sms',
        nodes: {
          sms: { type: 'send', channel: 'sms', template: 'ask', next: 'reply' },
          reply: {
            type: 'wait_for',
            reply: { node: 'sms' },
            timeout: 'P1D',
            onTimeout: 'done',
            next: 'done',
          },
          done: end,
        },
      }),
      T0,
    );
    run.feed(outcome(run.state, 'sms', 'replied', T0 + MIN, { machine: true }), T0 + MIN);
    assert.equal(run.state.status, 'waiting');
  });
});
