// Seed scenarios written as a user would write them (YAML), validated whole; then broken the
// ways users break them, each producing the issue a user would need to fix it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadJourney, parseJourneyText } from './parse.ts';
import { validateJourney } from './validate.ts';
import type { ValidateOptions, ValidationIssue } from './validate.ts';

/** Scenario 7: cart abandoned -> email -> not opened in 12 h -> SMS inside 09:00-21:00. */
const BASKET = `
schemaVersion: 1
id: basket-retargeting
name: Basket retargeting
trigger:
  type: event
  event: cart_abandoned
  where: { field: event.properties.total, op: gt, value: 0 }
start: basket-email
nodes:
  basket-email:
    type: send
    channel: email
    template: basket-email
    next: wait-open
  wait-open:
    type: wait_for
    outcome: { node: basket-email, is: [opened, clicked] }
    timeout: 12h
    onTimeout: basket-sms
    next: done
  basket-sms:
    type: send
    channel: sms
    template: basket-sms
    next: done
  done:
    type: exit
    reason: reminded
policies:
  reentry: { mode: after, after: 7d }
  timezone: Europe/Lisbon
  sendWindows:
    sms: { start: "09:00", end: "21:00" }
  goals:
    - id: purchased
      event: order_completed
      valueProperty: revenue
templates:
  basket-email:
    channel: email
    subject: "[[[customer_name]]], you left something behind"
    body: "Hello [[[customer_name]]]. Your basket is waiting: {{ trigger.properties.cart_url }}"
    html: "<p>Hello {{ profile.traits.customer_name | default: 'there' }}</p>"
  basket-sms:
    channel: sms
    body: >-
      Hello [[[customer_name]]]. Just a friendly reminder that you've left some articles in
      your basket. Get them before they're gone! If you need help, call 900-900-900.
`;

/** Scenario 2: invoice overdue -> email -> SMS -> phone-call task; payment exits (goal). */
const COLLECTION = `
schemaVersion: 1
id: collection
name: Overdue invoice collection
trigger:
  type: event
  event: invoice_overdue
start: reminder-email
nodes:
  reminder-email:
    type: send
    channel: email
    template: reminder-email
    transactional: true
    next: wait-open
  wait-open:
    type: wait_for
    outcome: { node: reminder-email, is: [opened] }
    timeout: 24h
    onTimeout: reminder-sms
    next: grace
  grace:
    type: wait
    duration: 3d
    next: reminder-sms
  reminder-sms:
    type: send
    channel: sms
    template: reminder-sms
    transactional: true
    next: wait-click
  wait-click:
    type: wait_for
    outcome: { node: reminder-sms, is: [clicked] }
    timeout: 48h
    onTimeout: call-task
    next: grace-after-click
  grace-after-click:
    type: wait
    duration: 24h
    next: call-task
  call-task:
    type: task
    team: collection
    title: "Call {{ profile.traits.name }} about invoice {{ trigger.properties.invoice_id }}"
    due: 1d
    next: wait-call
  wait-call:
    type: wait_for
    task: { node: call-task }
    timeout: 3d
    onTimeout: escalate
    next: call-outcome
  call-outcome:
    type: branch
    cases:
      - when: { field: last.outcome, op: eq, value: promised_to_pay }
        next: done
    default: escalate
  escalate:
    type: alert
    channel: email
    to: collections-lead@example.com
    template: escalation
    next: done
  done:
    type: exit
policies:
  reentry: { mode: concurrent }
  sendWindows:
    default: { days: [mon, tue, wed, thu, fri, sat], start: "08:00", end: "20:00" }
  goals:
    - id: payment_received
      event: payment_received
      where: { field: event.properties.invoice_id, op: exists }
      valueProperty: amount
templates:
  reminder-email:
    channel: email
    subject: "Invoice {{ trigger.properties.invoice_id }} is overdue"
    body: "Pay here: {{ trigger.properties.pay_url }}"
  reminder-sms:
    channel: sms
    body: "Your invoice {{ trigger.properties.invoice_id }} is overdue. Pay: {{ trigger.properties.pay_url }}"
  escalation:
    channel: email
    subject: "Collection call got no promise: {{ profile.id }}"
    body: "{{ profile.traits.name }} ({{ profile.traits.phone }}) still owes {{ trigger.properties.amount }}."
`;

/** Scenario 8: abandoned call -> 5 min -> voice callback unless a call succeeded -> else SMS. */
const QUEUE = `
schemaVersion: 1
id: queue-abandon-recovery
name: Queue-abandon recovery
trigger:
  type: event
  event: call_abandoned
start: wait-5m
nodes:
  wait-5m:
    type: wait
    duration: 5m
    next: callback
  callback:
    type: send
    channel: voice
    template: callback-script
    connectTo: "+351210000000"
    skipIf:
      event: call_completed
      where: { field: event.properties.status, op: eq, value: answered }
      within: 10m
    next: wait-bridge
  wait-bridge:
    type: wait_for
    outcome: { node: callback, is: [bridged] }
    timeout: 15m
    onTimeout: sms-fallback
    next: done
  sms-fallback:
    type: send
    channel: sms
    template: sorry-sms
    skipIf: { event: call_completed, within: 30m }
    next: done
  done:
    type: exit
policies:
  reentry: { mode: after, after: 1h }
  timezone: Europe/Lisbon
  sendWindows:
    voice: { start: "08:00", end: "22:00" }
templates:
  callback-script:
    channel: voice
    body: "Hello {{ profile.traits.first_name }}, we are connecting you to an agent now."
  sorry-sms:
    channel: sms
    body: "Sorry we missed you, [[[first_name]]]. Call us back on 210 000 000."
`;

/** Scenario 10: a segment now -> voucher email -> not opened in 48 h -> SMS with the same code. */
const VOUCHER = `
schemaVersion: 1
id: voucher-broadcast
name: Spring voucher
trigger:
  type: broadcast
  audience:
    all:
      - { inList: newsletter }
      - { field: profile.traits.country, op: in, value: [PT, ES] }
start: assign-code
nodes:
  assign-code:
    type: update_profile
    set:
      voucher_code: "SPRING-{{ profile.id | slice: 0, 6 | upcase }}"
    next: ab
  ab:
    type: split
    holdout: 10
    variants:
      - { name: plain, weight: 50, next: voucher-email }
      - { name: urgent, weight: 50, next: voucher-email-urgent }
  voucher-email:
    type: send
    channel: email
    template: voucher-email
    next: wait-open
  voucher-email-urgent:
    type: send
    channel: email
    template: voucher-email-urgent
    next: wait-open-urgent
  wait-open:
    type: wait_for
    outcome: { node: voucher-email, is: [opened] }
    timeout: 48h
    onTimeout: voucher-sms
    next: done
  wait-open-urgent:
    type: wait_for
    outcome: { node: voucher-email-urgent, is: [opened] }
    timeout: 48h
    onTimeout: voucher-sms
    next: done
  voucher-sms:
    type: send
    channel: sms
    template: voucher-sms
    next: done
  done:
    type: exit
policies:
  reentry: { mode: once }
  frequencyCaps:
    - { channel: sms, max: 2, per: 7d }
  goals:
    - id: redeemed
      event: voucher_redeemed
      where: { field: event.properties.code, op: starts_with, value: SPRING- }
templates:
  voucher-email:
    channel: email
    subject: "A spring voucher for you"
    body: "Your code: {{ profile.traits.voucher_code }}"
  voucher-email-urgent:
    channel: email
    subject: "Only 3 days left: your spring voucher"
    body: "Your code: {{ profile.traits.voucher_code }} (ends Sunday)"
  voucher-sms:
    channel: sms
    body: "Your spring voucher {{ profile.traits.voucher_code }} is waiting. Ends Sunday."
`;

/** Scenario 6: appointment booked -> confirmation now -> reminder a day before at 10:00. */
const APPOINTMENT = `
schemaVersion: 1
id: appointment-reminder
name: Appointment reminder
trigger:
  type: date
  field: event.properties.appointment_at
  event: appointment_booked
  offset: -P1D
  at: "10:00"
start: reminder
nodes:
  reminder:
    type: send
    channel: sms
    template: reminder
    next: done
  done:
    type: exit
templates:
  reminder:
    channel: sms
    body: "See you tomorrow at {{ trigger.properties.appointment_at | date: '%H:%M' }}. Map: {{ trigger.properties.map_url }}"
`;

type Doc = Record<string, unknown>;

function load(yaml: string): Doc {
  const parsed = parseJourneyText(yaml);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value as Doc;
}

/** Walks to the parent of `path` (creating nothing) and hands it to `edit`. */
function at(doc: Doc, path: string[], edit: (parent: Doc, key: string) => void): void {
  let parent: unknown = doc;
  for (const key of path.slice(0, -1)) parent = (parent as Doc)[key];
  edit(parent as Doc, path[path.length - 1] ?? '');
}

function set(doc: Doc, path: string[], value: unknown): void {
  at(doc, path, (parent, key) => (parent[key] = value));
}

function remove(doc: Doc, path: string[]): void {
  at(doc, path, (parent, key) => delete parent[key]);
}

/** Validates a changed copy of a scenario and returns its issues as `[path, code]` pairs. */
function broken(yaml: string, change: (doc: Doc) => void, opts?: ValidateOptions) {
  const doc = structuredClone(load(yaml));
  change(doc);
  const result = validateJourney(doc, opts);
  assert.equal(result.ok, false, 'the broken variant should not validate');
  return result.ok ? [] : pairs(result.issues);
}

function pairs(issues: ValidationIssue[]): Array<[string, string]> {
  return issues.map((i) => [i.path, i.code]);
}

describe('seed scenarios', () => {
  const scenarios = {
    'basket retargeting (7)': BASKET,
    'collection (2)': COLLECTION,
    'queue-abandon recovery (8)': QUEUE,
    'voucher broadcast (10)': VOUCHER,
    'appointment reminder (6)': APPOINTMENT,
  };
  for (const [name, yaml] of Object.entries(scenarios)) {
    it(`${name} validates with no warnings`, () => {
      const result = loadJourney(yaml);
      assert.ok(result.ok, JSON.stringify(result, null, 2));
      assert.deepEqual(result.warnings, []);
    });
  }

  it('keeps what the marketer wrote and fills in the defaults', () => {
    const result = loadJourney(BASKET);
    assert.ok(result.ok);
    const { definition } = result;
    assert.deepEqual(definition.policies.sendWindows?.sms, {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: '09:00',
      end: '21:00',
    });
    assert.equal(definition.policies.goals?.[0]?.exit, true);
    assert.deepEqual(definition.nodes['wait-open'], {
      type: 'wait_for',
      outcome: { node: 'basket-email', is: ['opened', 'clicked'] },
      timeout: '12h',
      onTimeout: 'basket-sms',
      next: 'done',
    });
  });

  it('accepts the voice channel without configuration (it goes to the dev outbox)', () => {
    const result = validateJourney(load(QUEUE), { knownChannels: ['email', 'sms', 'voice'] });
    assert.ok(result.ok, JSON.stringify(result));
  });
});

describe('broken scenarios', () => {
  it('unknown_target: an onTimeout to a node that does not exist', () => {
    const issues = broken(BASKET, (d) => set(d, ['nodes', 'wait-open', 'onTimeout'], 'sms'));
    assert.deepEqual(issues, [
      ['nodes.basket-sms', 'unreachable_node'],
      ['nodes.wait-open.onTimeout', 'unknown_target'],
    ]);
  });

  it('unknown_target: a start, a branch default and a split variant going nowhere', () => {
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['start'], 'email')),
      // Nothing is reachable from a start that does not exist, but that is not reported twice.
      [['start', 'unknown_target']],
    );
    assert.deepEqual(
      broken(COLLECTION, (d) => set(d, ['nodes', 'call-outcome', 'default'], 'escalation')),
      [['nodes.call-outcome.default', 'unknown_target']],
    );
    assert.deepEqual(
      broken(VOUCHER, (d) => {
        const ab = (d['nodes'] as Doc)['ab'] as { variants: Doc[] };
        set(ab.variants[1] as Doc, ['next'], 'voucher-email-urgnt');
      }),
      [
        ['nodes.ab.variants.1.next', 'unknown_target'],
        ['nodes.voucher-email-urgent', 'unreachable_node'],
        ['nodes.wait-open-urgent', 'unreachable_node'],
      ],
    );
  });

  it('unknown_target: wait-for outcome, reply and task must name a node of the right kind', () => {
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['nodes', 'wait-open', 'outcome', 'node'], 'done')),
      [['nodes.wait-open.outcome.node', 'unknown_target']],
    );
    assert.deepEqual(
      broken(COLLECTION, (d) => set(d, ['nodes', 'wait-call', 'task', 'node'], 'reminder-sms')),
      [['nodes.wait-call.task.node', 'unknown_target']],
    );
    assert.deepEqual(
      broken(QUEUE, (d) => {
        remove(d, ['nodes', 'wait-bridge', 'outcome']);
        set(d, ['nodes', 'wait-bridge', 'reply'], { node: 'wait-5m' });
      }),
      [['nodes.wait-bridge.reply.node', 'unknown_target']],
    );
  });

  it('unknown_target: a branch testing the outcome of a node that sends nothing', () => {
    const issues = broken(COLLECTION, (d) => {
      const branch = (d['nodes'] as Doc)['call-outcome'] as { cases: Doc[] };
      branch.cases.push({
        when: { any: [{ outcome: { node: 'call-task', is: 'clicked' } }] },
        next: 'done',
      });
    });
    assert.deepEqual(issues, [
      ['nodes.call-outcome.cases.1.when.any.0.outcome.node', 'unknown_target'],
    ]);
  });

  it('unreachable_node: a node nothing leads to', () => {
    const issues = broken(QUEUE, (d) =>
      set(d, ['nodes', 'thank-you'], {
        type: 'send',
        channel: 'sms',
        template: 'sorry-sms',
        next: 'done',
      }),
    );
    assert.deepEqual(issues, [['nodes.thank-you', 'unreachable_node']]);
  });

  it('loop_without_wait: a cycle that never waits', () => {
    // call-outcome -> (default) escalate -> call-outcome -> ... with no wait in between.
    const issues = broken(COLLECTION, (d) => set(d, ['nodes', 'escalate', 'next'], 'call-outcome'));
    assert.deepEqual(issues, [['nodes.call-outcome', 'loop_without_wait']]);
    // The same loop through a wait-for is fine: the customer waits on every lap.
    const looped = load(COLLECTION);
    set(looped, ['nodes', 'escalate', 'next'], 'wait-call');
    assert.ok(validateJourney(looped).ok);
  });

  it('wait_for_without_target: waiting for nothing, or for two things', () => {
    assert.deepEqual(
      broken(BASKET, (d) => remove(d, ['nodes', 'wait-open', 'outcome'])),
      [['nodes.wait-open', 'wait_for_without_target']],
    );
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['nodes', 'wait-open', 'event'], 'order_completed')),
      [['nodes.wait-open', 'wait_for_without_target']],
    );
  });

  it('a wait-for without a timeout says it needs a timeout and an onTimeout path', () => {
    const doc = load(BASKET);
    remove(doc, ['nodes', 'wait-open', 'timeout']);
    const result = validateJourney(doc);
    assert.ok(!result.ok);
    const [only] = result.issues;
    assert.equal(result.issues.length, 1);
    assert.equal(only?.path, 'nodes.wait-open.timeout');
    assert.equal(only?.node, 'wait-open');
    assert.match(only?.message ?? '', /wait-for needs a timeout and an onTimeout path/);
  });

  it('unknown_template: missing, or written for another channel', () => {
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['nodes', 'basket-sms', 'template'], 'basket-txt')),
      [['nodes.basket-sms.template', 'unknown_template']],
    );
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['nodes', 'basket-sms', 'template'], 'basket-email')),
      [['nodes.basket-sms.template', 'unknown_template']],
    );
    assert.deepEqual(
      broken(COLLECTION, (d) => set(d, ['nodes', 'escalate', 'channel'], 'sms')),
      [['nodes.escalate.template', 'unknown_template']],
    );
    // A workspace template is found when the workspace says it exists.
    const doc = load(BASKET);
    set(doc, ['nodes', 'basket-sms', 'template'], 'shared-basket-sms');
    assert.ok(validateJourney(doc, { knownTemplates: ['shared-basket-sms'] }).ok);
  });

  it('unknown_channel: a channel the workspace has not configured', () => {
    assert.deepEqual(
      broken(QUEUE, () => {}, { knownChannels: ['email', 'sms'] }),
      [['nodes.callback.channel', 'unknown_channel']],
    );
  });

  it('invalid_timezone, impossible_window and a duplicated day (warning)', () => {
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['policies', 'timezone'], 'Europe/Lisboa')),
      [['policies.timezone', 'invalid_timezone']],
    );
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['policies', 'sendWindows', 'sms', 'end'], '09:00')),
      [['policies.sendWindows.sms', 'impossible_window']],
    );
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['policies', 'sendWindows', 'sms', 'days'], [])),
      [['policies.sendWindows.sms.days', 'impossible_window']],
    );
    const doc = load(COLLECTION);
    set(doc, ['policies', 'sendWindows', 'default', 'days'], ['mon', 'tue', 'mon']);
    const result = validateJourney(doc);
    assert.ok(result.ok);
    assert.deepEqual(pairs(result.warnings), [
      ['policies.sendWindows.default.days', 'duplicate_window_day'],
    ]);
  });

  it('split_weights and holdout_all', () => {
    assert.deepEqual(
      broken(VOUCHER, (d) => {
        const ab = (d['nodes'] as Doc)['ab'] as { variants: Doc[] };
        set(ab.variants[0] as Doc, ['weight'], 0);
      }),
      [['nodes.ab.variants.0.weight', 'split_weights']],
    );
    assert.deepEqual(
      broken(VOUCHER, (d) => set(d, ['nodes', 'ab', 'holdout'], 100)),
      [['nodes.ab.holdout', 'holdout_all']],
    );
  });

  it('duplicate_goal', () => {
    const issues = broken(COLLECTION, (d) => {
      const goals = (d['policies'] as Doc)['goals'] as Doc[];
      goals.push({ id: 'payment_received', event: 'payment_plan_agreed' });
    });
    assert.deepEqual(issues, [['policies.goals.1.id', 'duplicate_goal']]);
  });

  it('date_trigger_event: an event date needs its event; a profile date must not have one', () => {
    assert.deepEqual(
      broken(APPOINTMENT, (d) => remove(d, ['trigger', 'event'])),
      [['trigger.event', 'date_trigger_event']],
    );
    assert.deepEqual(
      broken(APPOINTMENT, (d) => set(d, ['trigger', 'field'], 'profile.traits.appointment_at')),
      [['trigger.event', 'date_trigger_event']],
    );
  });

  it('template_syntax: a Liquid error names the template and where it is', () => {
    const doc = load(BASKET);
    set(doc, ['templates', 'basket-sms', 'body'], 'Hello [[[customer_name]]], {{ basket.url ');
    const result = validateJourney(doc);
    assert.ok(!result.ok);
    assert.deepEqual(pairs(result.issues), [['templates.basket-sms.body', 'template_syntax']]);
    assert.match(result.issues[0]?.message ?? '', /template "basket-sms" body: .*not closed/);
  });

  it('reports every problem at once, sorted by path, each with its source line', () => {
    const yaml = BASKET.replace('onTimeout: basket-sms', 'onTimeout: sms')
      .replace('timezone: Europe/Lisbon', 'timezone: Lisbon')
      .replace('channel: sms\n    template: basket-sms', 'channel: fax\n    template: basket-sms');
    const result = loadJourney(yaml);
    assert.ok(!result.ok);
    assert.deepEqual(pairs(result.issues), [
      ['nodes.basket-sms', 'unreachable_node'],
      ['nodes.basket-sms.channel', 'invalid_value'],
      ['nodes.wait-open.onTimeout', 'unknown_target'],
      ['policies.timezone', 'invalid_timezone'],
    ]);
    const lines = yaml.split('\n');
    for (const issue of result.issues) {
      const field = issue.path.split('.').pop() ?? '';
      assert.ok(issue.line !== undefined, issue.path);
      assert.ok(lines[issue.line - 1]?.includes(field), `${issue.path} -> line ${issue.line}`);
    }
  });
});
