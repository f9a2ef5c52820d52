// The node registry and the document's union agree, and the defensive edge scan (used for nodes
// the schema rejected) finds exactly the edges each kind names on a valid node.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APPOINTMENT,
  BASKET,
  COLLECTION,
  QUEUE,
  VOUCHER,
  load,
} from '../journey/examples.fixtures.ts';
import { JourneyNode, Trigger } from '../journey/schema.ts';
import { TRIGGER_KINDS } from '../triggers/registry.ts';
import { kindEdges, NODE_KINDS, scanEdges } from './registry.ts';

describe('node and trigger registries', () => {
  it('list every member of the document unions, with the same schemas, in the same order', () => {
    const nodes = Object.values(NODE_KINDS).map((k) => k.schema);
    const triggers = Object.values(TRIGGER_KINDS).map((k) => k.schema);
    assert.equal(JourneyNode.options.length, nodes.length);
    JourneyNode.options.forEach((schema, i) => assert.equal(schema, nodes[i]));
    assert.equal(Trigger.options.length, triggers.length);
    Trigger.options.forEach((schema, i) => assert.equal(schema, triggers[i]));
    for (const [type, kind] of Object.entries(NODE_KINDS)) assert.equal(kind.type, type);
    for (const [type, kind] of Object.entries(TRIGGER_KINDS)) assert.equal(kind.type, type);
  });

  it("the edge scan of a valid node equals its kind's edges", () => {
    for (const yaml of [BASKET, COLLECTION, QUEUE, VOUCHER, APPOINTMENT]) {
      const nodes = load(yaml)['nodes'] as Record<string, Record<string, unknown>>;
      for (const [id, raw] of Object.entries(nodes)) {
        assert.deepEqual(kindEdges(JourneyNode.parse(raw)), scanEdges(raw), id);
      }
    }
  });
});
