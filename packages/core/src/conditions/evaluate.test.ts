import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventFact } from '../evaluator/types.ts';
import { evaluateCondition, getPath, type ConditionScope } from './evaluate.ts';
import type { Condition } from './schema.ts';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const MIN = 60_000;

const trigger: EventFact = {
  id: 'e1',
  type: 'track',
  name: 'order_completed',
  properties: { total: '129.90', items: ['shoes', 'socks'], shipping: { country: 'PT' } },
  timestamp: NOW - 10 * MIN,
};

const scope: ConditionScope = {
  profile: {
    id: 'p1',
    traits: {
      plan: 'pro',
      age: 42,
      signup_at: '2026-01-15T10:00:00Z',
      address: { city: 'Lisboa' },
      'utm.source': 'newsletter',
      score: null,
      tags: ['vip', 'early'],
    },
    lists: ['newsletter'],
    timezone: 'Europe/Lisbon',
  },
  event: trigger,
  trigger,
  run: { variant: 'B', enteredAt: NOW - 10 * MIN },
  seen: [
    { id: 's1', name: 'call_completed', at: NOW - 3 * MIN, properties: { result: 'success' } },
    { id: 's2', name: 'call_completed', at: NOW - 30 * MIN, properties: { result: 'failed' } },
    { id: 's3', name: 'page_viewed', at: NOW - 2 * MIN, properties: { category: 'shoes' } },
  ],
  messages: { 'send-email': { key: 'r:send-email:1', outcomes: ['delivered', 'opened'] } },
  last: {
    outcome: {
      messageKey: 'r:sms:2',
      nodeId: 'sms',
      type: 'replied',
      at: NOW,
      reply: { text: 'YES it arrived, thanks', intent: 'yes', score: 4 },
    },
  },
  now: NOW,
};

const holds = (c: Condition, s: ConditionScope = scope): boolean => evaluateCondition(c, s);

describe('getPath', () => {
  it('reads profile traits, nested traits and trait names with dots', () => {
    assert.equal(getPath(scope, 'profile.traits.plan'), 'pro');
    assert.equal(getPath(scope, 'profile.traits.address.city'), 'Lisboa');
    assert.equal(getPath(scope, 'profile.traits.utm.source'), 'newsletter');
    assert.equal(getPath(scope, 'profile.id'), 'p1');
    assert.equal(getPath(scope, 'profile.timezone'), 'Europe/Lisbon');
  });
  it('reads the event, the trigger, the last reply and the run', () => {
    assert.equal(getPath(scope, 'event.properties.shipping.country'), 'PT');
    assert.equal(getPath(scope, 'trigger.name'), 'order_completed');
    assert.equal(getPath(scope, 'last.reply.intent'), 'yes');
    assert.equal(getPath(scope, 'last.outcome'), 'replied');
    assert.equal(getPath(scope, 'run.variant'), 'B');
  });
  it('is undefined for anything missing, never throwing', () => {
    for (const path of [
      'profile.traits.nope.deeper',
      'event.properties.total.x',
      'bogus.path',
      'last.task.outcome',
      '',
    ]) {
      assert.equal(getPath(scope, path), undefined, path);
    }
    assert.equal(getPath({ profile: scope.profile, now: NOW }, 'trigger.properties.x'), undefined);
  });
});

describe('field comparisons', () => {
  it('eq and ne compare numbers numerically even against numeric strings', () => {
    assert.ok(holds({ field: 'event.properties.total', op: 'eq', value: 129.9 }));
    assert.ok(holds({ field: 'profile.traits.age', op: 'eq', value: '42' }));
    assert.ok(holds({ field: 'profile.traits.plan', op: 'ne', value: 'free' }));
    assert.ok(holds({ field: 'profile.traits.tags', op: 'eq', value: ['vip', 'early'] }));
    assert.ok(!holds({ field: 'profile.traits.plan', op: 'eq', value: 'Pro' }));
  });
  it('gt/gte/lt/lte compare numbers, and ISO dates as dates', () => {
    assert.ok(holds({ field: 'event.properties.total', op: 'gt', value: 100 }));
    assert.ok(holds({ field: 'profile.traits.age', op: 'lte', value: 42 }));
    assert.ok(holds({ field: 'profile.traits.signup_at', op: 'lt', value: '2026-02-01' }));
    assert.ok(
      holds({ field: 'profile.traits.signup_at', op: 'gte', value: '2026-01-15T10:00:00.000Z' }),
    );
    assert.ok(holds({ field: 'profile.traits.signup_at', op: 'lt', value: NOW }));
    assert.ok(!holds({ field: 'profile.traits.plan', op: 'gt', value: 1 }));
  });
  it('in, nin, contains, starts_with and matches', () => {
    assert.ok(holds({ field: 'profile.traits.plan', op: 'in', value: ['pro', 'team'] }));
    assert.ok(holds({ field: 'profile.traits.plan', op: 'nin', value: ['free'] }));
    assert.ok(holds({ field: 'event.properties.items', op: 'contains', value: 'socks' }));
    assert.ok(holds({ field: 'profile.traits.address.city', op: 'contains', value: 'sbo' }));
    assert.ok(holds({ field: 'profile.traits.address.city', op: 'starts_with', value: 'Lis' }));
    assert.ok(
      holds({ field: 'profile.traits.address.city', op: 'matches', value: '/^lisbo[an]$/i' }),
    );
    assert.ok(!holds({ field: 'profile.traits.address.city', op: 'matches', value: '^lisbo' }));
    assert.ok(
      !holds({ field: 'profile.traits.address.city', op: 'matches', value: '([' }),
      'a bad regex is false, not a crash',
    );
  });
  it('a missing field satisfies only exists-negatives: not_exists, ne and nin', () => {
    const f = 'profile.traits.missing';
    assert.ok(holds({ field: f, op: 'not_exists' }));
    assert.ok(holds({ field: f, op: 'ne', value: 'x' }));
    assert.ok(holds({ field: f, op: 'nin', value: ['x'] }));
    for (const op of [
      'eq',
      'gt',
      'gte',
      'lt',
      'lte',
      'in',
      'contains',
      'starts_with',
      'matches',
      'exists',
    ] as const) {
      assert.equal(holds({ field: f, op, value: 'x' }), false, op);
    }
    assert.ok(holds({ field: 'profile.traits.score', op: 'not_exists' }), 'null counts as absent');
  });
  it('valueFrom compares with another field; a missing one compares like a missing value', () => {
    assert.ok(
      holds({ field: 'event.properties.total', op: 'eq', valueFrom: 'trigger.properties.total' }),
    );
    assert.ok(
      holds({ field: 'profile.traits.age', op: 'gt', valueFrom: 'trigger.properties.total' }) ===
        false,
    );
    assert.ok(
      holds({ field: 'trigger.properties.total', op: 'gt', valueFrom: 'profile.traits.age' }),
    );
    assert.ok(holds({ field: 'profile.traits.signup_at', op: 'lt', valueFrom: 'now' }));
    assert.ok(
      holds({ field: 'profile.traits.plan', op: 'in', valueFrom: 'trigger.properties.items' }) ===
        false,
    );
    assert.ok(
      holds({ field: 'profile.traits.tags', op: 'contains', valueFrom: 'run.variant' }) === false,
    );
    assert.ok(
      !holds({ field: 'profile.traits.plan', op: 'eq', valueFrom: 'trigger.properties.missing' }),
    );
    assert.ok(
      holds({ field: 'profile.traits.plan', op: 'ne', valueFrom: 'trigger.properties.missing' }),
    );
  });
});

describe('composite, list, event-count, reply and outcome conditions', () => {
  it('all / any / not', () => {
    assert.ok(holds({ all: [{ inList: 'newsletter' }, { not: { inList: 'blocked' } }] }));
    assert.ok(holds({ any: [{ inList: 'blocked' }, { notInList: 'blocked' }] }));
    assert.ok(!holds({ not: { inList: 'newsletter' } }));
  });
  it('counts events seen, within a duration before now, with a filter', () => {
    assert.ok(holds({ event: 'call_completed' }), 'default: at least one');
    assert.ok(holds({ event: 'call_completed', within: 'PT5M' }));
    assert.ok(holds({ event: 'call_completed', count: { op: 'eq', value: 2 } }));
    assert.ok(
      !holds({
        event: 'call_completed',
        within: 'PT5M',
        where: { field: 'event.properties.result', op: 'eq', value: 'failed' },
      }),
    );
    assert.ok(
      holds({
        event: 'call_completed',
        within: '1h',
        where: { field: 'event.properties.result', op: 'eq', value: 'failed' },
      }),
    );
    assert.ok(!holds({ event: 'never_happened' }));
    assert.ok(holds({ event: 'never_happened', count: { op: 'eq', value: 0 } }));
    // The counted event against the run's trigger: only the call about this order.
    const about = (id: string) => ({
      ...scope,
      trigger: { ...trigger, properties: { order: id } },
    });
    const sameOrder: Condition = {
      event: 'call_completed',
      where: { field: 'event.properties.order', op: 'eq', valueFrom: 'trigger.properties.order' },
    };
    const seen = [
      { id: 's9', name: 'call_completed', at: NOW - MIN, properties: { order: 'A-1' } },
    ];
    assert.ok(evaluateCondition(sameOrder, { ...about('A-1'), seen }));
    assert.ok(!evaluateCondition(sameOrder, { ...about('A-2'), seen }));
  });
  it('tests the last reply: intent, score, keyword (any case), pattern', () => {
    assert.ok(holds({ reply: { intent: 'yes' } }));
    assert.ok(holds({ reply: { score: { op: 'gte', value: 4 } } }));
    assert.ok(!holds({ reply: { score: { op: 'lt', value: 3 } } }));
    assert.ok(holds({ reply: { keyword: 'yes' } }));
    assert.ok(holds({ reply: { pattern: 'arrived' } }));
    assert.ok(!holds({ reply: { intent: 'yes', keyword: 'no' } }), 'every given part must match');
    assert.ok(
      !holds({ reply: { intent: 'yes' } }, { ...scope, last: undefined }),
      'no reply: false',
    );
  });
  it('tests outcomes of messages sent by earlier nodes', () => {
    assert.ok(holds({ outcome: { node: 'send-email', is: 'opened' } }));
    assert.ok(!holds({ outcome: { node: 'send-email', is: 'clicked' } }));
    assert.ok(!holds({ outcome: { node: 'never-sent', is: 'opened' } }));
  });
});
