import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addNode,
  connect,
  draftNodes,
  outputsOf,
  removeNodes,
  renameNode,
  targetOf,
} from './edit.ts';
import { validateJourney } from './validate.ts';
import type { JourneyDraft } from './edit.ts';
import type { NodeType } from './schema.ts';

const blank = (): JourneyDraft => ({
  schemaVersion: 1,
  id: 'basket',
  name: 'Basket',
  trigger: { type: 'event', event: 'cart_abandoned' },
  nodes: {},
});

/** Scenario 7's route, built the way the canvas builds it: add, connect, fill in. */
function basket(): JourneyDraft {
  let d = blank();
  const add = (type: NodeType, after?: { node: string; field: string }): string => {
    const added = addNode(d, type, after ? { after } : {});
    d = added.draft;
    return added.id;
  };
  const email = add('send');
  const wait = add('wait_for', { node: email, field: 'next' });
  const sms = add('send', { node: wait, field: 'onTimeout' });
  const done = add('exit', { node: wait, field: 'next' });
  d = connect(d, sms, 'next', done);
  const nodes = draftNodes(d);
  Object.assign(nodes[email]!, { channel: 'email', template: 'basket_email' });
  Object.assign(nodes[wait]!, { outcome: { node: email, is: ['opened'] }, timeout: 'PT12H' });
  Object.assign(nodes[sms]!, { channel: 'sms', template: 'basket_sms' });
  return {
    ...d,
    templates: {
      basket_email: { channel: 'email', subject: 'Your basket', html: '<p>Hi</p>' },
      basket_sms: { channel: 'sms', body: 'Your basket is waiting' },
    },
  };
}

describe('journey drafts: editing as the canvas does', () => {
  it('builds a valid journey from a blank draft by adding and connecting nodes', () => {
    const d = basket();
    assert.equal(d.start, 'send');
    assert.deepEqual(Object.keys(draftNodes(d)), ['send', 'wait_for', 'send_2', 'exit']);
    assert.equal(targetOf(d, 'wait_for', 'onTimeout'), 'send_2');
    const result = validateJourney(d);
    assert.ok(result.ok, JSON.stringify(result));
  });

  it('never changes the draft it is given', () => {
    const d = basket();
    const before = JSON.stringify(d);
    removeNodes(d, ['wait_for']);
    renameNode(d, 'send', 'welcome');
    connect(d, 'send', 'next', null);
    addNode(d, 'wait');
    assert.equal(JSON.stringify(d), before);
  });

  it('removing nodes disconnects what pointed at them and clears the start', () => {
    const d = removeNodes(basket(), ['send', 'exit']);
    assert.equal(d.start, undefined);
    assert.equal(targetOf(d, 'wait_for', 'next'), undefined);
    assert.equal(targetOf(d, 'send_2', 'next'), undefined);
    assert.equal(targetOf(d, 'wait_for', 'onTimeout'), 'send_2');
  });

  it('renaming a node carries its edges, the start and the waits that name it', () => {
    const d = renameNode(basket(), 'send', 'basket_email');
    assert.equal(d.start, 'basket_email');
    const wait = draftNodes(d).wait_for as { outcome: { node: string } };
    assert.equal(wait.outcome.node, 'basket_email');
    assert.equal(targetOf(d, 'basket_email', 'next'), 'wait_for');
    const result = validateJourney(d);
    assert.ok(result.ok, JSON.stringify(result));
    assert.throws(() => renameNode(d, 'wait_for', 'send_2'), /exists already/);
    assert.throws(() => renameNode(d, 'wait_for', 'no spaces'), /not an id/);
  });

  it('connects the outputs of list items, creating the item when it is missing', () => {
    let { draft: d } = addNode(blank(), 'branch');
    ({ draft: d } = addNode(d, 'exit'));
    d = connect(d, 'branch', 'cases.0.next', 'exit');
    d = connect(d, 'branch', 'default', 'exit');
    assert.deepEqual(draftNodes(d).branch, {
      type: 'branch',
      cases: [{ next: 'exit' }],
      default: 'exit',
    });
    assert.deepEqual(
      outputsOf(draftNodes(d).branch!).map((o) => o.field),
      ['cases.0.next', 'default'],
    );
  });

  it('every output of a valid node is one of its edges, and every edge an output', async () => {
    const { BASKET, COLLECTION, QUEUE, VOUCHER, APPOINTMENT, load } =
      await import('./examples.fixtures.ts');
    const { edgesOf } = await import('../nodes/registry.ts');
    for (const yaml of [BASKET, COLLECTION, QUEUE, VOUCHER, APPOINTMENT]) {
      for (const [id, node] of Object.entries(draftNodes(load(yaml)))) {
        assert.deepEqual(
          outputsOf(node)
            .map((o) => o.field)
            .sort(),
          edgesOf(node)
            .map((e) => e.field)
            .sort(),
          id,
        );
      }
    }
  });
});
