import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from './rng.ts';
import {
  DAY,
  Driver,
  HOUR,
  MIN,
  RUN_ID,
  T0,
  event,
  journey,
  outcome,
  profile,
} from './step.fixtures.ts';
import { describeAwaiting } from './awaiting.ts';
import { step } from './step.ts';

const end = { type: 'exit' } as const;

describe('step: entering a run', () => {
  it('creates the run from the trigger event and walks from the start node', () => {
    const signup = event('signup', T0, { plan: 'pro' });
    const run = new Driver(
      journey({
        start: 'welcome',
        nodes: {
          welcome: { type: 'send', channel: 'email', template: 'welcome', next: 'done' },
          done: end,
        },
      }),
      T0,
      { event: signup, data: { source: 'test' } },
    );
    const { state, trace } = run.last;
    assert.equal(state.runId, RUN_ID);
    assert.equal(state.enteredAt, T0);
    assert.deepEqual(state.trigger, signup);
    assert.deepEqual(state.data, { source: 'test' });
    assert.deepEqual(
      trace.map((t) => t.what),
      ['entered', 'node', 'exit'],
    );
    assert.deepEqual(run.sends(), ['email welcome']);
  });

  it('a run that has ended ignores every input and does not change', () => {
    const run = new Driver(journey({ start: 'done', nodes: { done: end } }), T0);
    assert.equal(run.state.status, 'exited');
    const before = run.state;
    for (const input of [
      { kind: 'timer' },
      { kind: 'event', event: event('signup', T0) },
    ] as const) {
      const result = run.feed(input, T0 + DAY);
      assert.equal(result.state, before);
      assert.deepEqual(result.commands, []);
      assert.equal(result.trace[0]?.what, 'ignored');
    }
  });
});

describe('step: instantaneous nodes', () => {
  it('send: one send command per node with a deterministic key, recorded on the run', () => {
    const def = journey({
      start: 'email',
      nodes: {
        email: { type: 'send', channel: 'email', template: 'invoice', next: 'sms' },
        sms: {
          type: 'send',
          channel: 'sms',
          template: 'reminder',
          transactional: true,
          to: 'profile.traits.mobile',
          next: 'done',
        },
        done: end,
      },
    });
    const a = new Driver(def, T0);
    const b = new Driver(def, T0);
    assert.deepEqual(a.commands, b.commands, 'same input, same commands (same keys)');
    const [email, sms] = a.sendCommands();
    assert.equal(email?.key, `${RUN_ID}:email:1`);
    assert.equal(sms?.key, `${RUN_ID}:sms:2`);
    assert.equal(email?.transactional, false);
    assert.equal(sms?.transactional, true);
    assert.equal(sms?.to, 'profile.traits.mobile');
    assert.deepEqual(a.state.messages.email, { key: `${RUN_ID}:email:1`, outcomes: [] });
  });

  it('send with skipIf: skipped (and recorded in the trace) when the condition holds', () => {
    const def = journey({
      start: 'email',
      nodes: {
        email: {
          type: 'send',
          channel: 'email',
          template: 'coupon',
          skipIf: { inList: 'customers' },
          next: 'done',
        },
        done: end,
      },
    });
    const skipped = new Driver(def, T0, { profile: profile({}, { lists: ['customers'] }) });
    assert.deepEqual(skipped.sends(), []);
    assert.ok(skipped.last.trace.some((t) => t.what === 'skipped' && t.node === 'email'));
    assert.deepEqual(new Driver(def, T0).sends(), ['email coupon']);
  });

  it('update_profile fills {{ placeholders }} and later branches in the same step see the change', () => {
    const def = journey({
      start: 'mark',
      nodes: {
        mark: {
          type: 'update_profile',
          set: {
            last_plan: '{{ trigger.properties.plan }}',
            greeting: 'Hi {{ profile.traits.first_name }} ({{ trigger.properties.plan }})',
            seats: '{{ trigger.properties.seats }}',
            ghost: '{{ trigger.properties.nothing }}',
          },
          unset: ['trial'],
          next: 'check',
        },
        check: {
          type: 'branch',
          cases: [
            { when: { field: 'profile.traits.last_plan', op: 'eq', value: 'pro' }, next: 'pro' },
          ],
          default: 'other',
        },
        pro: { type: 'send', channel: 'email', template: 'pro', next: 'done' },
        other: { type: 'send', channel: 'email', template: 'other', next: 'done' },
        done: end,
      },
    });
    const run = new Driver(def, T0, {
      event: event('signup', T0, { plan: 'pro', seats: 5 }),
      profile: profile({ first_name: 'Ana', trial: true }),
    });
    const update = run.commands.find((c) => c.type === 'update_profile');
    assert.deepEqual(update, {
      type: 'update_profile',
      nodeId: 'mark',
      set: { last_plan: 'pro', greeting: 'Hi Ana (pro)', seats: 5 },
      unset: ['trial'],
    });
    assert.deepEqual(run.sends(), ['email pro']);
  });

  it('list, interest, site_flag: commands, and a later branch sees the list membership', () => {
    const def = journey({
      start: 'join',
      nodes: {
        join: { type: 'list', action: 'add', list: 'course-students', next: 'interest' },
        interest: { type: 'interest', interest: 'shoes', weight: 2, next: 'flag' },
        flag: { type: 'site_flag', flag: 'offer_live_chat', next: 'check' },
        check: {
          type: 'branch',
          cases: [{ when: { inList: 'course-students' }, next: 'slides' }],
          default: 'done',
        },
        slides: {
          type: 'send',
          channel: 'sms',
          template: 'slides',
          transactional: true,
          next: 'done',
        },
        done: end,
      },
    });
    const run = new Driver(def, T0);
    assert.deepEqual(
      run.commands.filter((c) => ['list', 'interest', 'site_flag'].includes(c.type)),
      [
        { type: 'list', nodeId: 'join', action: 'add', list: 'course-students' },
        { type: 'interest', nodeId: 'interest', interest: 'shoes', weight: 2, at: T0 },
        { type: 'site_flag', nodeId: 'flag', flag: 'offer_live_chat', value: true },
      ],
    );
    assert.deepEqual(run.sends(), ['sms slides']);
  });

  it('task, webhook and alert: keyed commands; the task is recorded on the run', () => {
    const def = journey({
      start: 'call',
      nodes: {
        call: {
          type: 'task',
          team: 'collections',
          title: 'Call the customer',
          due: 'P1D',
          next: 'hook',
        },
        hook: {
          type: 'webhook',
          url: 'https://crm.example.com/hook',
          body: { a: 1 },
          next: 'alert',
        },
        alert: {
          type: 'alert',
          channel: 'email',
          to: 'manager@example.com',
          template: 'manager',
          next: 'done',
        },
        done: end,
      },
    });
    const run = new Driver(def, T0);
    const [task, hook, alert] = run.commands;
    assert.deepEqual(task, {
      type: 'task',
      key: `${RUN_ID}:call:1`,
      nodeId: 'call',
      team: 'collections',
      title: 'Call the customer',
      description: undefined,
      dueAt: T0 + DAY,
    });
    assert.deepEqual(hook, {
      type: 'webhook',
      key: `${RUN_ID}:hook:2`,
      nodeId: 'hook',
      url: 'https://crm.example.com/hook',
      method: 'POST',
      headers: {},
      body: { a: 1 },
    });
    assert.deepEqual(alert, {
      type: 'alert',
      key: `${RUN_ID}:alert:3`,
      nodeId: 'alert',
      channel: 'email',
      to: 'manager@example.com',
      template: 'manager',
    });
    assert.equal(run.state.tasks.call, `${RUN_ID}:call:1`);
    assert.equal(run.state.seq, 3);
  });

  it('branch: the first case that holds wins; otherwise the default', () => {
    const def = journey({
      start: 'score',
      nodes: {
        score: {
          type: 'branch',
          cases: [
            { when: { field: 'trigger.properties.score', op: 'lte', value: 2 }, next: 'low' },
            { when: { field: 'trigger.properties.score', op: 'lte', value: 4 }, next: 'mid' },
          ],
          default: 'high',
        },
        low: {
          type: 'alert',
          channel: 'email',
          to: 'cx@example.com',
          template: 'low',
          next: 'done',
        },
        mid: { type: 'send', channel: 'email', template: 'mid', next: 'done' },
        high: { type: 'send', channel: 'email', template: 'high', next: 'done' },
        done: end,
      },
    });
    const route = (score: number): string | undefined => {
      const run = new Driver(def, T0, { event: event('signup', T0, { score }) });
      return run.last.trace.find((t) => t.what === 'branch')?.detail;
    };
    assert.equal(route(1), 'case 1 holds → low');
    assert.equal(route(2), 'case 1 holds → low');
    assert.equal(route(3), 'case 2 holds → mid');
    assert.equal(route(5), 'no case holds → default high');
  });

  it('exit: the run ends with the node and its reason', () => {
    const run = new Driver(
      journey({ start: 'bye', nodes: { bye: { type: 'exit', reason: 'not eligible' } } }),
      T0,
    );
    assert.equal(run.state.status, 'exited');
    assert.deepEqual(run.state.exit, { kind: 'exit_node', node: 'bye', reason: 'not eligible' });
    assert.equal(run.state.node, null);
    assert.equal(run.state.wakeAt, null);
    assert.equal(run.state.awaiting, null);
    assert.deepEqual(run.commands.at(-1), { type: 'exit', reason: run.state.exit });
  });

  it('reaching the end of the route completes the run', () => {
    const run = new Driver(
      journey({
        start: 'email',
        nodes: { email: { type: 'send', channel: 'email', template: 'x', next: 'gone' } },
      }),
      T0,
    );
    assert.equal(run.state.status, 'completed');
    assert.deepEqual(run.state.exit, { kind: 'completed' });
    assert.deepEqual(run.commands.at(-1), { type: 'complete' });
  });

  it('a loop without a wait is stopped after 1000 nodes instead of spinning forever', () => {
    const def = journey({
      start: 'a',
      nodes: {
        a: { type: 'interest', interest: 'x', next: 'b' },
        b: { type: 'interest', interest: 'y', next: 'a' },
      },
    });
    const run = new Driver(def, T0);
    assert.equal(run.state.status, 'exited');
    assert.equal(run.state.exit?.kind, 'definition_changed');
    assert.equal(run.commands.filter((c) => c.type === 'interest').length, 1000);
  });
});

describe('step: waits', () => {
  const def = journey({
    start: 'wait',
    nodes: {
      wait: { type: 'wait', duration: 'PT12H', next: 'email' },
      email: { type: 'send', channel: 'email', template: 'later', next: 'done' },
      done: end,
    },
  });

  it('waits a duration, ignoring early timers, then carries on', () => {
    const run = new Driver(def, T0);
    assert.equal(run.state.status, 'waiting');
    assert.equal(run.state.wakeAt, T0 + 12 * HOUR);
    assert.deepEqual(run.last.commands, [
      { type: 'schedule', wakeAt: T0 + 12 * HOUR, reason: 'duration' },
      { type: 'await', awaiting: { kind: 'duration', until: T0 + 12 * HOUR } },
    ]);
    const early = run.timer(T0 + HOUR);
    assert.equal(early.trace[0]?.what, 'ignored');
    assert.deepEqual(early.commands, []);
    assert.equal(run.state.updatedAt, T0 + HOUR);
    run.timer();
    assert.deepEqual(run.sends(), ['email later']);
    assert.equal(run.state.status, 'exited');
  });

  it('an event nobody waits for is ignored without commands', () => {
    const run = new Driver(def, T0);
    const result = run.feed({ kind: 'event', event: event('page_viewed', T0 + MIN) }, T0 + MIN);
    assert.deepEqual(result.commands, []);
    assert.equal(result.trace[0]?.what, 'ignored');
    assert.equal(run.state.status, 'waiting');
    assert.deepEqual(run.state.seen, []);
  });

  it('waits until a local time relative to a date: the reminder goes at 18:00 Lisbon the day before the appointment', () => {
    const reminder = journey({
      start: 'confirm',
      policies: { timezone: 'Europe/Lisbon' },
      nodes: {
        confirm: {
          type: 'send',
          channel: 'sms',
          template: 'confirm',
          transactional: true,
          next: 'wait',
        },
        wait: {
          type: 'wait',
          until: { field: 'trigger.properties.appointment_at', offset: '-P1D', at: '18:00' },
          next: 'remind',
        },
        remind: {
          type: 'send',
          channel: 'sms',
          template: 'remind',
          transactional: true,
          next: 'done',
        },
        done: end,
      },
    });
    const run = new Driver(reminder, T0, {
      event: event('appointment_booked', T0, { appointment_at: '2026-05-08T09:30:00Z' }),
    });
    assert.deepEqual(run.sends(), ['sms confirm']);
    assert.equal(run.wakesAt('Europe/Lisbon'), '2026-05-07 18:00 Europe/Lisbon');
    run.timer();
    assert.deepEqual(run.sends(), ['sms confirm', 'sms remind']);

    // Booked for this evening: "the day before at 18:00" has passed, so the reminder goes now.
    const late = new Driver(reminder, T0, {
      event: event('appointment_booked', T0, { appointment_at: '2026-05-01T19:00:00Z' }),
    });
    assert.deepEqual(late.sends(), ['sms confirm', 'sms remind']);
  });

  it('waits until the next local time of day without a field', () => {
    const nine = journey({
      start: 'wait',
      nodes: { wait: { type: 'wait', until: { at: '09:00' }, next: 'done' }, done: end },
    });
    const run = new Driver(nine, T0, { profile: profile({}, { timezone: 'Asia/Kolkata' }) });
    // 10:00Z is 15:30 in Kolkata: the next 09:00 there is tomorrow.
    assert.equal(run.wakesAt('Asia/Kolkata'), '2026-05-02 09:00 Asia/Kolkata');
  });
});

describe('describeAwaiting', () => {
  it('says in words what a run waits for, in the recipient zone', () => {
    const def = journey({
      start: 'send-email',
      nodes: {
        'send-email': { type: 'send', channel: 'email', template: 'x', next: 'w' },
        w: {
          type: 'wait_for',
          outcome: { node: 'send-email', is: ['opened'] },
          timeout: 'P1D',
          onTimeout: 'done',
          next: 'done',
        },
        call: { type: 'task', team: 'cx', title: 'Call back', due: 'P1D', next: 'done' },
        done: end,
      },
    });
    const until = Date.parse('2026-05-02T08:00:00Z');
    const zone = 'Europe/Lisbon';
    assert.equal(
      describeAwaiting(
        { kind: 'outcome', node: 'send-email', messageKey: 'k', is: ['opened'], until },
        zone,
        def,
      ),
      'waiting for email opened (node send-email) until 2026-05-02 09:00 Europe/Lisbon',
    );
    assert.equal(
      describeAwaiting({ kind: 'send_window', channel: 'sms', until }, zone),
      'waiting until 2026-05-02 09:00 Europe/Lisbon (send window for sms)',
    );
    assert.equal(
      describeAwaiting({ kind: 'duration', until }, zone),
      'waiting until 2026-05-02 09:00 Europe/Lisbon',
    );
    assert.equal(
      describeAwaiting({ kind: 'event', event: 'payment_received', until }, zone),
      'waiting for event payment_received until 2026-05-02 09:00 Europe/Lisbon',
    );
    assert.equal(
      describeAwaiting({ kind: 'reply', node: 'send-email', messageKey: 'k', until }, zone, def),
      'waiting for a reply to email (node send-email) until 2026-05-02 09:00 Europe/Lisbon',
    );
    assert.equal(
      describeAwaiting({ kind: 'task', node: 'call', taskKey: 'k', until }, zone, def),
      'waiting for the outcome of task "Call back" (node call) until 2026-05-02 09:00 Europe/Lisbon',
    );
  });
});

describe('step: contract', () => {
  it('never mutates the state it is given', () => {
    const def = journey({
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
        done: end,
      },
    });
    const run = new Driver(def, T0);
    const frozen = JSON.stringify(run.state);
    const input = outcome(run.state, 'email', 'opened', T0 + MIN);
    const result = step({
      definition: def,
      state: run.state,
      input,
      now: T0 + MIN,
      rng: createRng('x'),
      context: { profile: profile(), workspaceTimezone: 'UTC' },
    });
    assert.equal(JSON.stringify(run.state), frozen);
    assert.deepEqual(result.state.messages.email?.outcomes, ['opened']);
  });
});
