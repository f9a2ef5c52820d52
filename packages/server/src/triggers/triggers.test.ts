// What each trigger kind asks for at publish: the event kept on the journey row and the
// journey-wide job (a broadcast only when publishing; the pass over existing profiles for
// inactivity and profile dates, on publishing and on resuming). Events and timers are driven end
// to end in runtime/engine.test.ts and the e2e scenarios.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trigger } from '@waymark/core';
import { serverTrigger } from './index.ts';

const NOW = Date.parse('2026-05-01T08:00:00Z');
const PRO = { field: 'profile.traits.plan', op: 'eq', value: 'pro' } as const;

function atPublish(trigger: Trigger, publishing = true) {
  const kind = serverTrigger(trigger);
  return {
    event: kind.publishedEvent(trigger),
    job: kind.journeyJob(trigger, { now: NOW, publishing }),
  };
}

describe('trigger kinds at publish', () => {
  it('keeps the event name of event triggers and event-date triggers', () => {
    assert.deepEqual(atPublish({ type: 'event', event: 'signed_up' }), {
      event: 'signed_up',
      job: null,
    });
    assert.deepEqual(atPublish({ type: 'date', field: 'event.properties.due', event: 'booked' }), {
      event: 'booked',
      job: null,
    });
  });

  it('schedules a broadcast at its time, or now, and only when publishing', () => {
    const audience = PRO;
    const at = '2026-05-02T09:00:00+01:00';
    assert.deepEqual(atPublish({ type: 'broadcast', audience, at }).job, {
      kind: 'broadcast',
      wakeAt: Date.parse(at),
    });
    assert.deepEqual(atPublish({ type: 'broadcast', audience }).job, {
      kind: 'broadcast',
      wakeAt: NOW,
    });
    assert.equal(atPublish({ type: 'broadcast', audience }, false).job, null);
  });

  it('passes over existing profiles for inactivity and profile dates, also on resuming', () => {
    for (const publishing of [true, false]) {
      assert.deepEqual(atPublish({ type: 'inactivity', after: 'P7D' }, publishing).job, {
        kind: 'inactivity',
        wakeAt: NOW,
      });
      assert.deepEqual(atPublish({ type: 'date', field: 'profile.traits.birthday' }, publishing), {
        event: null,
        job: { kind: 'date', wakeAt: NOW },
      });
    }
  });

  it('asks nothing at publish of segment, inbound and manual triggers', () => {
    const triggers: Trigger[] = [
      { type: 'segment', condition: PRO, on: 'enter' },
      { type: 'inbound', channel: 'sms', keyword: 'JOIN' },
      { type: 'manual' },
    ];
    for (const t of triggers) assert.deepEqual(atPublish(t), { event: null, job: null });
  });
});
