// Webhook nodes as the evaluator sees them: placeholders filled into body and headers, the call
// tracked like a sent message so a `wait_for outcome` gets the answer (outcome `delivered` with
// data `{ status, body }`, or `failed` with `{ status, body, error }`), and branches on
// `last.data.status` / `last.data.body.<field>`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateJourney } from '../../journey/validate.ts';
import { Driver, HOUR, MIN, T0, journey, outcome, profile } from '../../evaluator/step.fixtures.ts';
import type { Command } from '../../evaluator/types.ts';

const end = { type: 'exit' } as const;

const doc = {
  start: 'check',
  nodes: {
    check: {
      type: 'webhook',
      url: 'https://crm.example.com/credit-check',
      headers: { 'X-Customer': '{{ profile.id }}' },
      body: {
        email: '{{ profile.traits.email }}',
        plan: '{{ trigger.properties.plan }}',
        tags: ['vip', '{{ profile.traits.city }}'],
        missing: '{{ profile.traits.nope }}',
      },
      next: 'answer',
    },
    answer: {
      type: 'wait_for',
      outcome: { node: 'check', is: ['delivered', 'failed'] },
      timeout: 'PT1H',
      onTimeout: 'manual',
      next: 'route',
    },
    route: {
      type: 'branch',
      cases: [
        {
          when: {
            all: [
              { field: 'last.data.status', op: 'eq', value: 200 },
              { field: 'last.data.body.approved', op: 'eq', value: true },
            ],
          },
          next: 'approved',
        },
        { when: { field: 'last.outcome', op: 'eq', value: 'failed' }, next: 'manual' },
      ],
      default: 'declined',
    },
    approved: { type: 'send', channel: 'email', template: 'approved', next: 'done' },
    declined: { type: 'send', channel: 'email', template: 'declined', next: 'done' },
    manual: { type: 'send', channel: 'email', template: 'manual', next: 'done' },
    done: end,
  },
  templates: {
    approved: { channel: 'email', subject: 'Approved', body: 'yes' },
    declined: { channel: 'email', subject: 'Declined', body: 'no' },
    manual: { channel: 'email', subject: 'We will call', body: 'soon' },
  },
} as const;

const def = journey(doc as never);
const signup = {
  event: {
    id: 'e1',
    type: 'track' as const,
    name: 'signup',
    properties: { plan: 'pro' },
    timestamp: T0,
  },
  profile: profile({ city: 'Porto' }),
};

function webhookCommand(run: Driver): Extract<Command, { type: 'webhook' }> {
  const c = run.commands.find((x) => x.type === 'webhook');
  assert.ok(c && c.type === 'webhook');
  return c;
}

describe('webhook node', () => {
  it('validates, and a wait_for outcome may name a webhook node', () => {
    const result = validateJourney({
      schemaVersion: 1,
      id: 'j1',
      name: 'x',
      trigger: { type: 'event', event: 'signup' },
      ...doc,
    });
    assert.deepEqual(result.ok ? [] : result.issues, []);
  });

  it('fills placeholders into the body and headers when the call is made', () => {
    const run = new Driver(def, T0, signup);
    const c = webhookCommand(run);
    assert.deepEqual(c.body, { email: 'ana@example.com', plan: 'pro', tags: ['vip', 'Porto'] });
    assert.deepEqual(c.headers, { 'X-Customer': 'p1' });
    assert.equal(run.state.messages.check?.key, c.key, 'tracked like a sent message');
    assert.equal(run.state.awaiting?.kind, 'outcome');
  });

  it('branches on the status and a field of the JSON answer', () => {
    const run = new Driver(def, T0, signup);
    run.feed(
      outcome(run.state, 'check', 'delivered', T0 + MIN, {
        data: { status: 200, body: { approved: true, limit: 500 } },
      }),
      T0 + MIN,
    );
    assert.deepEqual(run.sends(), ['email approved']);
    assert.deepEqual(run.state.last?.outcome?.data, {
      status: 200,
      body: { approved: true, limit: 500 },
    });
  });

  it('a 2xx answer that declines takes the default path', () => {
    const run = new Driver(def, T0, signup);
    run.feed(
      outcome(run.state, 'check', 'delivered', T0 + MIN, {
        data: { status: 200, body: { approved: false } },
      }),
      T0 + MIN,
    );
    assert.deepEqual(run.sends(), ['email declined']);
  });

  it('a permanent failure arrives as `failed` with its data', () => {
    const run = new Driver(def, T0, signup);
    run.feed(
      outcome(run.state, 'check', 'failed', T0 + MIN, {
        data: { status: 400, body: { error: 'unknown customer' }, error: 'HTTP 400' },
      }),
      T0 + MIN,
    );
    assert.deepEqual(run.sends(), ['email manual']);
    assert.equal(run.state.last?.outcome?.data?.status, 400);
  });

  it('an answer that came before the wait was reached keeps its data', () => {
    const later = journey({
      ...doc,
      start: 'check',
      nodes: {
        ...doc.nodes,
        check: { ...doc.nodes.check, next: 'pause' },
        pause: { type: 'wait', duration: 'PT1H', next: 'answer' },
      },
    } as never);
    const run = new Driver(later, T0, signup);
    run.feed(
      outcome(run.state, 'check', 'delivered', T0 + MIN, {
        data: { status: 200, body: { approved: true } },
      }),
      T0 + MIN,
    );
    assert.deepEqual(run.sends(), []);
    run.timer(T0 + HOUR);
    assert.deepEqual(run.sends(), ['email approved']);
  });

  it('no answer within the timeout takes the timeout path', () => {
    const run = new Driver(def, T0, signup);
    run.timer();
    assert.deepEqual(run.sends(), ['email manual']);
  });
});
