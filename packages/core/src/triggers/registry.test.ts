import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JourneyDocument } from '../journey/schema.ts';
import { TRIGGER_KINDS, triggerSummary } from './registry.ts';

/** The trigger of a one-node journey, as the validator parses it. */
const parsed = (trigger: Record<string, unknown>) =>
  JourneyDocument.parse({
    schemaVersion: 1,
    id: 'j',
    name: 'J',
    trigger,
    start: 'done',
    nodes: { done: { type: 'exit' } },
  }).trigger;

describe('trigger registry', () => {
  it('lists every kind under its own type', () => {
    for (const [type, kind] of Object.entries(TRIGGER_KINDS)) assert.equal(kind.type, type);
  });

  it('names a trigger in a few words, by its kind', () => {
    assert.equal(
      triggerSummary(parsed({ type: 'event', event: 'cart_abandoned' })),
      'event cart_abandoned',
    );
    assert.equal(
      triggerSummary(parsed({ type: 'inbound', channel: 'sms', keyword: 'JOIN' })),
      'inbound sms JOIN',
    );
    assert.equal(
      triggerSummary(parsed({ type: 'inactivity', after: '30d', activity: ['order_placed'] })),
      'inactivity 30d',
    );
    assert.equal(triggerSummary(parsed({ type: 'manual' })), 'manual');
  });
});
