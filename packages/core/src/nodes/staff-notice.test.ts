// Validation of staff-facing nodes: task escalations (template exists and fits the channel,
// webhook targets are URLs), alert webhook targets, and which nodes an outcome wait may name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateJourney } from '../journey/validate.ts';

function doc(nodes: Record<string, unknown>, templates: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    id: 'collection',
    name: 'Collection',
    trigger: { type: 'event', event: 'invoice_overdue' },
    start: 'call',
    nodes: { ...nodes, done: { type: 'exit' } },
    templates,
  };
}

function issues(input: unknown): Array<[string, string]> {
  const result = validateJourney(input);
  return result.ok ? [] : result.issues.map((i) => [i.path, i.code]);
}

const managerSms = { channel: 'sms', body: 'Call {{ profile.traits.name }}: not done' };

describe('task escalation', () => {
  it('accepts an escalation whose template exists and fits', () => {
    const ok = validateJourney(
      doc(
        {
          call: {
            type: 'task',
            team: 'collection',
            title: 'Call about the invoice',
            due: 'PT4H',
            escalate: { channel: 'sms', to: '+351912000000', template: 'overdue-call' },
            next: 'done',
          },
        },
        { 'overdue-call': managerSms },
      ),
    );
    assert.equal(ok.ok, true);
    assert.equal(ok.ok && ok.definition.nodes.call?.type, 'task');
  });

  it('names the field: unknown template, wrong channel, not a URL, unknown key', () => {
    const task = (escalate: unknown) => ({
      call: { type: 'task', team: 'c', title: 'Call', due: 'PT4H', escalate, next: 'done' },
    });
    assert.deepEqual(
      issues(
        doc(task({ channel: 'sms', to: '+351912000000', template: 'overdue-cal' }), {
          'overdue-call': managerSms,
        }),
      ),
      [['nodes.call.escalate.template', 'unknown_template']],
    );
    assert.deepEqual(
      issues(
        doc(task({ channel: 'email', to: 'boss@example.com', template: 'overdue-call' }), {
          'overdue-call': managerSms,
        }),
      ),
      [['nodes.call.escalate.template', 'unknown_template']],
    );
    assert.deepEqual(
      issues(
        doc(task({ channel: 'webhook', to: 'slack', template: 'hook' }), {
          hook: { channel: 'webhook', body: 'overdue' },
        }),
      ),
      [['nodes.call.escalate.to', 'invalid_url']],
    );
    const extra = issues(
      doc(task({ channel: 'sms', to: '+351912000000', template: 'overdue-call', after: 'PT1H' }), {
        'overdue-call': managerSms,
      }),
    );
    assert.equal(extra[0]?.[0]?.startsWith('nodes.call.escalate'), true, JSON.stringify(extra));
  });
});

describe('alerts and outcome waits', () => {
  it('an alert by webhook goes to a URL', () => {
    assert.deepEqual(
      issues(
        doc(
          {
            call: { type: 'alert', channel: 'webhook', to: 'manager', template: 'a', next: 'done' },
          },
          { a: { body: 'x' } },
        ),
      ),
      [['nodes.call.to', 'invalid_url']],
    );
  });

  it('a wait_for outcome may name a send or a webhook node, not a task', () => {
    const found = issues(
      doc({
        call: { type: 'task', team: 'c', title: 'Call', due: 'PT4H', next: 'wait' },
        wait: {
          type: 'wait_for',
          outcome: { node: 'call', is: ['delivered'] },
          timeout: 'PT1H',
          onTimeout: 'done',
          next: 'done',
        },
      }),
    );
    assert.deepEqual(found, [['nodes.wait.outcome.node', 'unknown_target']]);
  });
});
