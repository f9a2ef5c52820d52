// Seed scenarios written as a user would write them (YAML), validated whole; then broken the
// ways users break them, each producing the issue a user would need to fix it. The scenarios
// are in `examples.fixtures.ts`; breakages of one kind's own rules are tested beside the kind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APPOINTMENT,
  BASKET,
  COLLECTION,
  QUEUE,
  VOUCHER,
  broken,
  load,
  pairs,
  remove,
  set,
  type Doc,
} from './examples.fixtures.ts';
import { loadJourney } from './parse.ts';
import { validateJourney } from './validate.ts';

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

  it('duplicate_goal', () => {
    const issues = broken(COLLECTION, (d) => {
      const goals = (d['policies'] as Doc)['goals'] as Doc[];
      goals.push({ id: 'payment_received', event: 'payment_plan_agreed' });
    });
    assert.deepEqual(issues, [['policies.goals.1.id', 'duplicate_goal']]);
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
