import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DAY,
  Driver,
  HOUR,
  MIN,
  T0,
  event,
  journey,
  outcome,
} from '../../evaluator/step.fixtures.ts';

const end = { type: 'exit' } as const;

/** Collection: invoice email, wait for the payment up to 2 days, else an SMS. */
const collection = journey({
  start: 'email',
  nodes: {
    email: {
      type: 'send',
      channel: 'email',
      template: 'invoice',
      transactional: true,
      next: 'wait',
    },
    wait: {
      type: 'wait_for',
      event: 'payment_received',
      where: { field: 'event.properties.amount', op: 'gte', value: 50 },
      timeout: 'P2D',
      onTimeout: 'sms',
      next: 'thanks',
    },
    thanks: {
      type: 'send',
      channel: 'email',
      template: 'thanks',
      transactional: true,
      next: 'done',
    },
    sms: { type: 'send', channel: 'sms', template: 'overdue', transactional: true, next: 'done' },
    done: end,
  },
});
const deadline = T0 + 2 * DAY;
const pay = (at: number, amount = 80) =>
  ({ kind: 'event', event: event('payment_received', at, { amount }) }) as const;

describe('wait_for an event', () => {
  it('the awaited event (matching where) moves the run down `next` and is kept as last.event', () => {
    const run = new Driver(collection, T0);
    assert.deepEqual(run.state.awaiting, {
      kind: 'event',
      event: 'payment_received',
      until: deadline,
    });
    run.feed(pay(T0 + HOUR, 20), T0 + HOUR);
    assert.equal(run.state.status, 'waiting', 'a payment below the filter does not count');
    run.feed(pay(T0 + 2 * HOUR), T0 + 2 * HOUR);
    assert.deepEqual(run.sends(), ['email invoice', 'email thanks']);
    assert.equal(run.state.last?.event?.properties.amount, 80);
  });

  it('no payment within two days: the timer takes the timeout path', () => {
    const run = new Driver(collection, T0);
    const result = run.timer();
    assert.ok(result.trace.some((t) => t.what === 'timeout'));
    assert.deepEqual(run.sends(), ['email invoice', 'sms overdue']);
  });

  it('RACE, event first: a payment stamped exactly at the deadline counts when processed before the timer', () => {
    const run = new Driver(collection, T0);
    run.feed(pay(deadline), deadline + 5);
    assert.deepEqual(run.sends(), ['email invoice', 'email thanks']);
    const stale = run.timer(deadline + 10);
    assert.equal(stale.trace[0]?.what, 'ignored', 'the timer that was due finds nothing to do');
    assert.deepEqual(run.sends(), ['email invoice', 'email thanks'], 'no SMS');
  });

  it('RACE, timer first: once the timeout fired, the same payment arriving later is ignored', () => {
    const run = new Driver(collection, T0);
    run.timer(deadline);
    const late = run.feed(pay(deadline), deadline + 5);
    assert.equal(late.trace[0]?.what, 'ignored');
    assert.deepEqual(
      run.sends(),
      ['email invoice', 'sms overdue'],
      'no thank-you for the timed-out route',
    );
  });

  it('a payment stamped after the deadline does not count even if the timer is late', () => {
    const run = new Driver(collection, T0);
    run.feed(pay(deadline + 1), deadline + 2);
    assert.equal(run.state.status, 'waiting');
    run.timer(deadline + 3);
    assert.deepEqual(run.sends(), ['email invoice', 'sms overdue']);
  });
});

/** Basket: email, wait 12 h for an open, else SMS. */
const basket = journey({
  start: 'email',
  nodes: {
    email: { type: 'send', channel: 'email', template: 'basket', next: 'opened' },
    opened: {
      type: 'wait_for',
      outcome: { node: 'email', is: ['opened', 'clicked'] },
      timeout: 'PT12H',
      onTimeout: 'sms',
      next: 'done',
    },
    sms: { type: 'send', channel: 'sms', template: 'hurry', next: 'done' },
    done: end,
  },
});

describe('wait_for a message outcome', () => {
  it('an open of that email ends the wait; no SMS', () => {
    const run = new Driver(basket, T0);
    assert.equal(run.state.awaiting?.kind, 'outcome');
    run.feed(outcome(run.state, 'email', 'opened', T0 + HOUR), T0 + HOUR);
    assert.deepEqual(run.sends(), ['email basket']);
    assert.equal(run.state.last?.outcome?.type, 'opened');
  });

  it('a machine open (privacy proxy) is recorded apart and, by default, still ends the wait', () => {
    const run = new Driver(basket, T0);
    run.feed(outcome(run.state, 'email', 'opened', T0 + MIN, { machine: true }), T0 + MIN);
    assert.deepEqual(run.state.messages.email?.machine, ['opened']);
    assert.deepEqual(run.state.messages.email?.outcomes, []);
    assert.equal(run.state.last?.outcome?.machine, true);
    assert.deepEqual(run.sends(), ['email basket'], 'no SMS (see step-machine.test.ts to ignore)');
  });

  it('outcomes of other messages, and repeated outcomes, do not end the wait but are recorded once', () => {
    const run = new Driver(basket, T0);
    run.feed(outcome(run.state, 'email', 'delivered', T0 + MIN), T0 + MIN);
    run.feed(outcome(run.state, 'email', 'delivered', T0 + 2 * MIN), T0 + 2 * MIN);
    assert.deepEqual(run.state.messages.email?.outcomes, ['delivered']);
    const stranger = run.feed(
      {
        kind: 'outcome',
        outcome: { messageKey: 'other:email:1', nodeId: 'email', type: 'opened', at: T0 },
      },
      T0 + 3 * MIN,
    );
    assert.equal(stranger.trace[0]?.what, 'ignored');
    assert.equal(run.state.status, 'waiting');
  });

  it('RACE: an open stamped at the deadline counts before the timer, not after it', () => {
    const first = new Driver(basket, T0);
    first.feed(outcome(first.state, 'email', 'opened', T0 + 12 * HOUR), T0 + 12 * HOUR);
    first.timer(T0 + 12 * HOUR);
    assert.deepEqual(first.sends(), ['email basket']);

    const second = new Driver(basket, T0);
    const email = second.state;
    second.timer(T0 + 12 * HOUR);
    const late = second.feed(outcome(email, 'email', 'opened', T0 + 12 * HOUR), T0 + 12 * HOUR);
    assert.equal(late.trace[0]?.what, 'ignored');
    assert.deepEqual(second.sends(), ['email basket', 'sms hurry']);
  });

  it('an outcome that arrived before the wait was reached satisfies it at once', () => {
    // The email waits an hour before the wait_for starts; the open arrives during that hour.
    const delayed = journey({
      start: 'email',
      nodes: {
        email: { type: 'send', channel: 'email', template: 'basket', next: 'pause' },
        pause: { type: 'wait', duration: 'PT1H', next: 'opened' },
        opened: {
          type: 'wait_for',
          outcome: { node: 'email', is: ['opened'] },
          timeout: 'PT12H',
          onTimeout: 'sms',
          next: 'done',
        },
        sms: { type: 'send', channel: 'sms', template: 'hurry', next: 'done' },
        done: end,
      },
    });
    const run = new Driver(delayed, T0);
    run.feed(outcome(run.state, 'email', 'opened', T0 + 10 * MIN), T0 + 10 * MIN);
    run.timer();
    assert.equal(run.state.status, 'exited');
    assert.deepEqual(run.sends(), ['email basket']);
    assert.ok(run.last.trace.some((t) => t.what === 'matched'));
  });
});

describe('wait_for a reply, then branch on it', () => {
  const arrival = journey({
    start: 'ask',
    nodes: {
      ask: {
        type: 'send',
        channel: 'sms',
        template: 'did-it-arrive',
        transactional: true,
        next: 'reply',
      },
      reply: {
        type: 'wait_for',
        reply: { node: 'ask' },
        timeout: 'P1D',
        onTimeout: 'done',
        next: 'route',
      },
      route: {
        type: 'branch',
        cases: [{ when: { reply: { intent: 'yes' } }, next: 'thanks' }],
        default: 'sorry',
      },
      thanks: {
        type: 'send',
        channel: 'sms',
        template: 'thanks',
        transactional: true,
        next: 'done',
      },
      sorry: {
        type: 'alert',
        channel: 'email',
        to: 'manager@example.com',
        template: 'missing-delivery',
        next: 'done',
      },
      done: end,
    },
  });

  it('"Yes!" leads to the thank-you; "no" to the manager alert', () => {
    const yes = new Driver(arrival, T0);
    assert.equal(yes.state.awaiting?.kind, 'reply');
    yes.feed(
      outcome(yes.state, 'ask', 'replied', T0 + HOUR, { reply: { text: 'Yes!', intent: 'yes' } }),
      T0 + HOUR,
    );
    assert.deepEqual(yes.sends(), ['sms did-it-arrive', 'sms thanks']);

    const no = new Driver(arrival, T0);
    no.feed(
      outcome(no.state, 'ask', 'replied', T0 + HOUR, {
        reply: { text: 'no, nothing', intent: 'no' },
      }),
      T0 + HOUR,
    );
    assert.deepEqual(no.sends(), ['sms did-it-arrive']);
    assert.ok(no.commands.some((c) => c.type === 'alert'));
  });
});

describe('wait_for a task outcome', () => {
  const call = journey({
    start: 'task',
    nodes: {
      task: { type: 'task', team: 'collections', title: 'Call', due: 'P1D', next: 'wait' },
      wait: {
        type: 'wait_for',
        task: { node: 'task' },
        timeout: 'P2D',
        onTimeout: 'done',
        next: 'route',
      },
      route: {
        type: 'branch',
        cases: [{ when: { field: 'last.task.outcome', op: 'eq', value: 'paid' }, next: 'thanks' }],
        default: 'done',
      },
      thanks: { type: 'send', channel: 'email', template: 'thanks', next: 'done' },
      done: end,
    },
  });

  it('the agent reports "paid": the run takes next and can branch on the outcome', () => {
    const run = new Driver(call, T0);
    const taskKey = run.state.tasks.task ?? '';
    assert.deepEqual(run.state.awaiting, {
      kind: 'task',
      node: 'task',
      taskKey,
      until: T0 + 2 * DAY,
    });
    run.feed(
      {
        kind: 'task',
        task: { taskKey: 'someone-else', nodeId: 'task', outcome: 'paid', at: T0 + HOUR },
      },
      T0 + HOUR,
    );
    assert.equal(run.state.status, 'waiting');
    run.feed(
      { kind: 'task', task: { taskKey, nodeId: 'task', outcome: 'paid', at: T0 + HOUR } },
      T0 + HOUR,
    );
    assert.deepEqual(run.sends(), ['email thanks']);
  });
});

/** Collection with a payment goal: paying at any point ends the route. */
const withGoal = journey({
  start: 'email',
  policies: {
    timezone: 'Europe/Lisbon',
    sendWindows: { sms: { start: '09:00', end: '21:00' } },
    goals: [
      { id: 'paid', event: 'payment_received', valueProperty: 'amount' },
      { id: 'visited', event: 'pay_page_viewed', exit: false },
    ],
  },
  nodes: {
    email: { type: 'send', channel: 'email', template: 'invoice', next: 'opened' },
    opened: {
      type: 'wait_for',
      outcome: { node: 'email', is: ['opened'] },
      timeout: 'PT12H',
      onTimeout: 'sms',
      next: 'done',
    },
    sms: { type: 'send', channel: 'sms', template: 'reminder', next: 'done' },
    done: end,
  },
});

describe('goals', () => {
  it('a payment during a wait converts (with its value) and exits the run', () => {
    const run = new Driver(withGoal, T0);
    run.feed(
      { kind: 'event', event: event('payment_received', T0 + HOUR, { amount: '129.90' }) },
      T0 + HOUR,
    );
    assert.equal(run.state.status, 'exited');
    assert.deepEqual(run.state.exit, { kind: 'goal', goal: 'paid' });
    const conversion = run.commands.find((c) => c.type === 'conversion');
    assert.equal(conversion?.type === 'conversion' ? conversion.value : null, 129.9);
    assert.equal(run.last.trace.at(-1)?.what, 'goal');
    assert.equal(run.state.wakeAt, null, 'no timer left');
    assert.equal(run.timer(T0 + 12 * HOUR).trace[0]?.what, 'ignored');
    assert.deepEqual(run.sends(), ['email invoice'], 'no reminder after paying');
  });

  it('a payment during a send-window wait cancels the SMS that was waiting for the morning', () => {
    // Invoice at 20:00 Lisbon; not opened by 08:00 → the SMS waits for 09:00; payment at 08:30.
    const evening = Date.parse('2026-05-01T19:00:00Z');
    const run = new Driver(withGoal, evening);
    run.timer();
    assert.equal(run.state.awaiting?.kind, 'send_window');
    assert.equal(run.wakesAt('Europe/Lisbon'), '2026-05-02 09:00 Europe/Lisbon');
    const payAt = Date.parse('2026-05-02T07:30:00Z');
    run.feed({ kind: 'event', event: event('payment_received', payAt, { amount: 10 }) }, payAt);
    assert.deepEqual(run.state.exit, { kind: 'goal', goal: 'paid' });
    run.timer(Date.parse('2026-05-02T08:00:00Z'));
    assert.deepEqual(run.sends(), ['email invoice']);
  });

  it('a goal with exit: false counts a conversion and the run keeps waiting', () => {
    const run = new Driver(withGoal, T0);
    run.feed({ kind: 'event', event: event('pay_page_viewed', T0 + MIN) }, T0 + MIN);
    assert.equal(run.state.status, 'waiting');
    assert.deepEqual(
      run.commands
        .filter((c) => c.type === 'conversion')
        .map((c) => (c.type === 'conversion' ? c.goal : '')),
      ['visited'],
    );
    assert.equal(run.state.seen.length, 1, 'goal events are recorded in seen');
  });
});

describe('events seen during the run feed event-count conditions', () => {
  it('queue abandon: skip the callback when a successful call happened during the 5 minutes', () => {
    const recovery = journey({
      trigger: { type: 'event', event: 'call_abandoned' },
      start: 'pause',
      nodes: {
        pause: { type: 'wait', duration: 'PT5M', next: 'callback' },
        callback: {
          type: 'send',
          channel: 'voice',
          template: 'callback',
          transactional: true,
          skipIf: {
            event: 'call_completed',
            within: 'PT5M',
            where: { field: 'event.properties.status', op: 'eq', value: 'success' },
          },
          next: 'done',
        },
        done: end,
      },
    });
    const called = new Driver(recovery, T0);
    const call = event('call_completed', T0 + 2 * MIN, { status: 'success' });
    called.feed({ kind: 'event', event: call }, T0 + 2 * MIN);
    called.feed({ kind: 'event', event: call }, T0 + 3 * MIN);
    assert.equal(called.state.seen.length, 1, 'a redelivered event is recorded once');
    called.timer();
    assert.deepEqual(called.sends(), []);

    const missed = new Driver(recovery, T0);
    missed.feed(
      { kind: 'event', event: event('call_completed', T0 + 2 * MIN, { status: 'failed' }) },
      T0 + 2 * MIN,
    );
    missed.timer();
    assert.deepEqual(missed.sends(), ['voice callback']);
  });
});
