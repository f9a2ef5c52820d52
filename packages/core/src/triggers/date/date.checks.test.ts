// The date trigger's own rules, on the seed scenarios: an event date names its event.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APPOINTMENT, broken, remove, set } from '../../journey/examples.fixtures.ts';

describe('broken scenarios', () => {
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
});
