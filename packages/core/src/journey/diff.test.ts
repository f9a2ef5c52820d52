import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffJourneys } from './diff.ts';
import { BASKET, load } from './examples.fixtures.ts';

describe('journey diff', () => {
  it('a document against itself: nothing changed', () => {
    const doc = load(BASKET);
    const diff = diffJourneys(doc, structuredClone(doc));
    assert.equal(diff.same, true);
    assert.deepEqual(diff.nodes, { added: [], removed: [], changed: [] });
  });

  it('names nodes added, removed and changed field by field, and the edges that moved', () => {
    const before = {
      trigger: { type: 'event', event: 'cart_abandoned' },
      start: 'email',
      nodes: {
        email: { type: 'send', channel: 'email', template: 'a', next: 'wait' },
        wait: { type: 'wait', duration: 'PT12H', next: 'done' },
        done: { type: 'exit' },
      },
    };
    const after = {
      trigger: { type: 'event', event: 'cart_left' },
      start: 'email',
      nodes: {
        email: { type: 'send', channel: 'email', template: 'b', next: 'sms' },
        sms: { type: 'send', channel: 'sms', template: 's', next: 'done' },
        done: { type: 'exit', reason: 'finished' },
      },
    };
    const diff = diffJourneys(before, after);
    assert.equal(diff.same, false);
    assert.deepEqual(diff.nodes.added, ['sms']);
    assert.deepEqual(diff.nodes.removed, ['wait']);
    assert.deepEqual(diff.nodes.changed, [
      { id: 'done', fields: [{ path: 'reason', before: undefined, after: 'finished' }] },
      {
        id: 'email',
        fields: [
          { path: 'next', before: 'wait', after: 'sms' },
          { path: 'template', before: 'a', after: 'b' },
        ],
      },
    ]);
    assert.deepEqual(diff.edges.added, [
      { from: 'email', field: 'next', to: 'sms' },
      { from: 'sms', field: 'next', to: 'done' },
    ]);
    assert.deepEqual(diff.edges.removed, [
      { from: 'email', field: 'next', to: 'wait' },
      { from: 'wait', field: 'next', to: 'done' },
    ]);
    assert.deepEqual(diff.other, [
      { path: 'trigger.event', before: 'cart_abandoned', after: 'cart_left' },
    ]);
  });

  it('reads list items by index (a branch case added)', () => {
    const branch = (cases: unknown[]) => ({
      nodes: {
        b: { type: 'branch', cases, default: 'x' },
        x: { type: 'exit' },
        y: { type: 'exit' },
      },
    });
    const when = { field: 'profile.traits.vip', op: 'eq', value: true };
    const diff = diffJourneys(
      branch([{ when, next: 'x' }]),
      branch([
        { when, next: 'x' },
        { when, next: 'y' },
      ]),
    );
    assert.deepEqual(
      diff.nodes.changed[0]?.fields.map((f) => f.path),
      ['cases.1'],
    );
    assert.deepEqual(diff.edges.added, [{ from: 'b', field: 'cases.1.next', to: 'y' }]);
  });
});
