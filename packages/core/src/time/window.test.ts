import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SendWindow } from '../journey/schema.ts';
import { isInsideWindow, nextAllowedSlot } from './window.ts';
import { formatLocal, localToInstant } from './zones.ts';

const at = (iso: string): number => Date.parse(iso);
const EVERY_DAY: SendWindow['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAYS: SendWindow['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const win = (start: string, end: string, days = EVERY_DAY): SendWindow => ({ days, start, end });

/** When a message asked for at `iso` goes out, in the recipient's local time. */
function sendsAt(iso: string, window: SendWindow, zone: string): string {
  return formatLocal(nextAllowedSlot({ at: at(iso), window, zone }), zone);
}

describe('send windows: daytime hours', () => {
  const daytime = win('09:00', '21:00');

  it('an SMS at 02:00 Lisbon waits for 09:00 the same morning; one at 22:00 for 09:00 the next', () => {
    assert.equal(
      sendsAt('2026-05-02T01:00:00Z', daytime, 'Europe/Lisbon'),
      '2026-05-02 09:00 Europe/Lisbon',
    );
    assert.equal(
      sendsAt('2026-05-01T21:00:00Z', daytime, 'Europe/Lisbon'),
      '2026-05-02 09:00 Europe/Lisbon',
    );
  });

  it('inside the window the message goes now; the end is exclusive, the start inclusive', () => {
    const noon = at('2026-05-01T11:00:00Z');
    assert.equal(nextAllowedSlot({ at: noon, window: daytime, zone: 'Europe/Lisbon' }), noon);
    assert.equal(
      isInsideWindow({ at: at('2026-05-01T08:00:00Z'), window: daytime, zone: 'Europe/Lisbon' }),
      true,
    );
    assert.equal(
      isInsideWindow({ at: at('2026-05-01T20:00:00Z'), window: daytime, zone: 'Europe/Lisbon' }),
      false,
    );
  });

  it('the same instant is allowed in New York and not in Kolkata', () => {
    const instant = '2026-05-01T18:00:00Z'; // 14:00 New York, 23:30 Kolkata
    assert.equal(
      isInsideWindow({ at: at(instant), window: daytime, zone: 'America/New_York' }),
      true,
    );
    assert.equal(isInsideWindow({ at: at(instant), window: daytime, zone: 'Asia/Kolkata' }), false);
    assert.equal(sendsAt(instant, daytime, 'Asia/Kolkata'), '2026-05-02 09:00 Asia/Kolkata');
    assert.equal(
      nextAllowedSlot({ at: at(instant), window: daytime, zone: 'Asia/Kolkata' }),
      at('2026-05-02T03:30:00Z'),
    );
  });
});

describe('send windows crossing midnight (21:00–08:00, night calls)', () => {
  const night = win('21:00', '08:00');

  it('02:00 is inside a window that started the evening before', () => {
    for (const zone of [
      'Europe/Lisbon',
      'America/New_York',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
    ]) {
      const twoAm = localToInstant({ year: 2026, month: 5, day: 2, hour: 2, minute: 0 }, zone);
      assert.equal(nextAllowedSlot({ at: twoAm, window: night, zone }), twoAm, zone);
      const noon = localToInstant({ year: 2026, month: 5, day: 2, hour: 12, minute: 0 }, zone);
      assert.equal(sendsAt(new Date(noon).toISOString(), night, zone), `2026-05-02 21:00 ${zone}`);
    }
    // 02:00 Lisbon on Saturday (01:00Z): inside, sent now.
    assert.equal(
      isInsideWindow({ at: at('2026-05-02T01:00:00Z'), window: night, zone: 'Europe/Lisbon' }),
      true,
    );
    // 12:00 Kolkata: outside, waits for 21:00 Kolkata.
    assert.equal(
      sendsAt('2026-05-02T06:30:00Z', night, 'Asia/Kolkata'),
      '2026-05-02 21:00 Asia/Kolkata',
    );
  });

  it('belongs to the weekday it starts on: a Friday-only night window covers Saturday 03:00', () => {
    const fridayNight = win('21:00', '08:00', ['fri']);
    // Saturday 2 May 2026 03:00 New York = 07:00Z.
    assert.equal(
      isInsideWindow({
        at: at('2026-05-02T07:00:00Z'),
        window: fridayNight,
        zone: 'America/New_York',
      }),
      true,
    );
    // Saturday 22:00 New York: the Saturday night window does not exist, next is Friday 8 May.
    assert.equal(
      sendsAt('2026-05-03T02:00:00Z', fridayNight, 'America/New_York'),
      '2026-05-08 21:00 America/New_York',
    );
  });

  it('spans a spring-forward night: Lisbon 21:00 WET to 08:00 WEST is ten hours', () => {
    // Saturday 28 March 21:00 WET = 21:00Z; Sunday 29 March 08:00 WEST = 07:00Z.
    assert.equal(
      isInsideWindow({ at: at('2026-03-29T06:59:00Z'), window: night, zone: 'Europe/Lisbon' }),
      true,
    );
    assert.equal(
      isInsideWindow({ at: at('2026-03-29T07:00:00Z'), window: night, zone: 'Europe/Lisbon' }),
      false,
    );
    assert.equal(
      sendsAt('2026-03-29T07:00:00Z', night, 'Europe/Lisbon'),
      '2026-03-29 21:00 Europe/Lisbon',
    );
  });

  it('spans a fall-back night: New York 21:00 EDT to 08:00 EST is twelve hours', () => {
    // Saturday 31 Oct 21:00 EDT = 01:00Z Nov 1; Sunday 1 Nov 08:00 EST = 13:00Z.
    assert.equal(
      isInsideWindow({ at: at('2026-11-01T12:59:00Z'), window: night, zone: 'America/New_York' }),
      true,
    );
    assert.equal(
      isInsideWindow({ at: at('2026-11-01T13:00:00Z'), window: night, zone: 'America/New_York' }),
      false,
    );
  });
});

describe('send windows at DST changes: a slot start that does not exist, or exists twice', () => {
  it('Lisbon spring-forward: a 01:30 slot opens at 02:00 WEST, the first instant after the gap', () => {
    assert.equal(
      sendsAt('2026-03-28T23:00:00Z', win('01:30', '06:00'), 'Europe/Lisbon'),
      '2026-03-29 02:00 Europe/Lisbon',
    );
  });
  it('Lisbon fall-back: a 01:30 slot opens at the first 01:30 (WEST, 00:30Z)', () => {
    const slot = nextAllowedSlot({
      at: at('2026-10-24T23:00:00Z'),
      window: win('01:30', '06:00'),
      zone: 'Europe/Lisbon',
    });
    assert.equal(slot, at('2026-10-25T00:30:00Z'));
  });
  it('New York spring-forward: a 02:30 slot opens at 03:00 EDT; fall-back: 01:30 at the first (EDT) one', () => {
    assert.equal(
      sendsAt('2026-03-08T05:00:00Z', win('02:30', '07:00'), 'America/New_York'),
      '2026-03-08 03:00 America/New_York',
    );
    const slot = nextAllowedSlot({
      at: at('2026-11-01T04:00:00Z'),
      window: win('01:30', '07:00'),
      zone: 'America/New_York',
    });
    assert.equal(slot, at('2026-11-01T05:30:00Z'));
  });
  it('Lord Howe (30-minute DST): a 02:15 slot opens at 02:30; at fall-back 01:45 opens at its first occurrence', () => {
    assert.equal(
      sendsAt('2026-10-03T13:00:00Z', win('02:15', '07:00'), 'Australia/Lord_Howe'),
      '2026-10-04 02:30 Australia/Lord_Howe',
    );
    assert.equal(
      isInsideWindow({
        at: at('2026-10-03T15:30:00Z'),
        window: win('02:15', '07:00'),
        zone: 'Australia/Lord_Howe',
      }),
      true,
    );
    const slot = nextAllowedSlot({
      at: at('2026-04-04T13:00:00Z'),
      window: win('01:45', '07:00'),
      zone: 'Australia/Lord_Howe',
    });
    assert.equal(slot, at('2026-04-04T14:45:00Z'));
  });
  it('Kolkata has no DST: the same slot is 09:00 IST on those Sundays', () => {
    for (const [iso, day] of [
      ['2026-03-28T20:00:00Z', '2026-03-29'],
      ['2026-10-24T20:00:00Z', '2026-10-25'],
    ] as const) {
      assert.equal(
        sendsAt(iso, win('09:00', '21:00'), 'Asia/Kolkata'),
        `${day} 09:00 Asia/Kolkata`,
      );
    }
  });
  it('a window swallowed by a DST gap is skipped rather than opening and closing at once', () => {
    // Lisbon 29 March: 01:00–01:59 does not exist; that night's window is empty.
    const slot = sendsAt('2026-03-28T23:00:00Z', win('01:00', '01:45'), 'Europe/Lisbon');
    assert.equal(slot, '2026-03-30 01:00 Europe/Lisbon');
  });
});

describe('send windows restricted to weekdays', () => {
  const office = win('09:00', '18:00', WEEKDAYS);

  it('a message on Friday evening waits for Monday 09:00, not Saturday', () => {
    // Friday 1 May 2026 19:00 New York = 23:00Z.
    assert.equal(
      sendsAt('2026-05-01T23:00:00Z', office, 'America/New_York'),
      '2026-05-04 09:00 America/New_York',
    );
    // Sunday noon Lord Howe → Monday 09:00 Lord Howe.
    assert.equal(
      sendsAt('2026-05-03T02:00:00Z', office, 'Australia/Lord_Howe'),
      '2026-05-04 09:00 Australia/Lord_Howe',
    );
  });

  it('a weekday night window (21:00–08:00) ends Saturday 08:00 and reopens Monday 21:00', () => {
    const nights = win('21:00', '08:00', WEEKDAYS);
    // Saturday 2 May 07:00 Kolkata: still Friday's window.
    assert.equal(
      isInsideWindow({ at: at('2026-05-02T01:30:00Z'), window: nights, zone: 'Asia/Kolkata' }),
      true,
    );
    // Saturday 22:00 Kolkata: no Saturday window → Monday 21:00.
    assert.equal(
      sendsAt('2026-05-02T16:30:00Z', nights, 'Asia/Kolkata'),
      '2026-05-04 21:00 Asia/Kolkata',
    );
    // Sunday night 23:00 Lisbon: outside (Sunday has no window) → Monday 21:00.
    assert.equal(
      sendsAt('2026-05-03T22:00:00Z', nights, 'Europe/Lisbon'),
      '2026-05-04 21:00 Europe/Lisbon',
    );
  });
});
