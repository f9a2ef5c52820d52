import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLocal } from '../../time/zones.ts';
import { Driver, HOUR, journey, profile } from '../../evaluator/step.fixtures.ts';

const end = { type: 'exit' } as const;

const basket = (extra: { transactional?: boolean } = {}) =>
  journey({
    start: 'sms',
    policies: {
      timezone: 'Europe/Lisbon',
      sendWindows: {
        default: { start: '08:00', end: '22:00' },
        sms: { start: '09:00', end: '21:00' },
      },
      ...extra,
    },
    nodes: {
      sms: { type: 'send', channel: 'sms', template: 'hurry', next: 'email' },
      email: { type: 'send', channel: 'email', template: 'follow-up', next: 'done' },
      done: end,
    },
  });

describe('send windows in a run', () => {
  it('an SMS due at 02:00 Lisbon is sent at 09:00 Lisbon the same morning, not at 02:00', () => {
    const twoAm = Date.parse('2026-05-02T01:00:00Z');
    const run = new Driver(basket(), twoAm);
    assert.deepEqual(run.sends(), []);
    assert.equal(run.state.status, 'waiting');
    assert.deepEqual(run.state.awaiting, {
      kind: 'send_window',
      channel: 'sms',
      until: Date.parse('2026-05-02T08:00:00Z'),
    });
    const note = run.last.trace.find((t) => t.what === 'send_window');
    assert.equal(
      note?.detail,
      'SMS outside 09:00–21:00 Europe/Lisbon; waits until 2026-05-02 09:00 Europe/Lisbon',
    );
    assert.deepEqual(
      run.last.commands.map((c) => c.type),
      ['schedule', 'await'],
    );

    const sent = run.timer();
    assert.equal(
      formatLocal(sent.trace.at(-1)?.at ?? 0, 'Europe/Lisbon'),
      '2026-05-02 09:00 Europe/Lisbon',
    );
    assert.deepEqual(run.sends(), ['sms hurry', 'email follow-up']);
  });

  it('each recipient waits for their own morning: the profile zone wins over the journey zone', () => {
    const twoAmLisbon = Date.parse('2026-05-02T01:00:00Z'); // 21:00 the evening before in New York
    const ny = new Driver(basket(), twoAmLisbon, {
      profile: profile({}, { timezone: 'America/New_York' }),
    });
    assert.equal(ny.wakesAt('America/New_York'), '2026-05-02 09:00 America/New_York');
    const kolkata = new Driver(basket(), twoAmLisbon, {
      profile: profile({}, { timezone: 'Asia/Kolkata' }),
    });
    // 06:30 in Kolkata: too early there too.
    assert.equal(kolkata.wakesAt('Asia/Kolkata'), '2026-05-02 09:00 Asia/Kolkata');
    const afternoon = new Driver(basket(), Date.parse('2026-05-02T09:00:00Z'), {
      profile: profile({}, { timezone: 'Asia/Kolkata' }),
    });
    assert.deepEqual(
      afternoon.sends(),
      ['sms hurry', 'email follow-up'],
      '14:30 in Kolkata: sent at once',
    );
  });

  it('transactional sends ignore send windows', () => {
    const run = new Driver(basket({ transactional: true }), Date.parse('2026-05-02T01:00:00Z'));
    assert.deepEqual(run.sends(), ['sms hurry', 'email follow-up']);
    assert.equal(run.sendCommands()[0]?.transactional, true);
  });

  it('a timer that fires late, after the window closed again, waits for the next window instead of sending', () => {
    const run = new Driver(basket(), Date.parse('2026-05-02T01:00:00Z'));
    run.timer(Date.parse('2026-05-02T21:30:00Z')); // 22:30 Lisbon: the worker was down all day
    assert.deepEqual(run.sends(), []);
    assert.equal(run.wakesAt('Europe/Lisbon'), '2026-05-03 09:00 Europe/Lisbon');
  });

  it('skipIf is re-checked when the window opens', () => {
    const def = journey({
      start: 'sms',
      policies: {
        timezone: 'Europe/Lisbon',
        sendWindows: { sms: { start: '09:00', end: '21:00' } },
      },
      nodes: {
        sms: {
          type: 'send',
          channel: 'sms',
          template: 'hurry',
          skipIf: { field: 'profile.traits.ordered', op: 'eq', value: true },
          next: 'done',
        },
        done: end,
      },
    });
    const ordered = new Driver(def, Date.parse('2026-05-02T01:00:00Z'));
    const other = new Driver(def, Date.parse('2026-05-02T01:00:00Z'));
    assert.equal(ordered.state.awaiting?.kind, 'send_window');
    // This customer ordered overnight; the runtime loads the updated profile for the next step.
    ordered.profile = profile({ ordered: true });
    ordered.timer();
    assert.deepEqual(ordered.sends(), []);
    assert.ok(ordered.last.trace.some((t) => t.what === 'skipped'));
    other.timer();
    assert.deepEqual(other.sends(), ['sms hurry']);
  });

  it('weekday-only windows: an SMS on Friday evening in New York waits until Monday 09:00', () => {
    const def = journey({
      start: 'sms',
      policies: {
        timezone: 'America/New_York',
        sendWindows: {
          sms: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' },
        },
      },
      nodes: { sms: { type: 'send', channel: 'sms', template: 'hurry', next: 'done' }, done: end },
    });
    const friday = Date.parse('2026-05-01T23:00:00Z'); // Friday 19:00 New York
    const run = new Driver(def, friday);
    assert.equal(run.wakesAt('America/New_York'), '2026-05-04 09:00 America/New_York');
    assert.equal(run.state.wakeAt !== null && run.state.wakeAt - friday, 62 * HOUR);
  });

  it('Lord Howe spring-forward: a 02:15 voice window opens at 02:30 local, the first instant that exists', () => {
    const def = journey({
      start: 'call',
      policies: {
        timezone: 'Australia/Lord_Howe',
        sendWindows: { voice: { start: '02:15', end: '06:00' } },
      },
      nodes: {
        call: { type: 'send', channel: 'voice', template: 'night-shift', next: 'done' },
        done: end,
      },
    });
    const run = new Driver(def, Date.parse('2026-10-03T12:00:00Z')); // 22:30 Saturday, Lord Howe
    assert.equal(run.wakesAt('Australia/Lord_Howe'), '2026-10-04 02:30 Australia/Lord_Howe');
    run.timer();
    assert.deepEqual(run.sends(), ['voice night-shift']);
  });
});
