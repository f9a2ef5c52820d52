import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  atLocalTime,
  formatLocal,
  localTimeOnOrAfter,
  localToInstant,
  parseDateValue,
  relativeTime,
  resolveZone,
} from './zones.ts';

const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;
const D = 24 * H;

describe('resolveZone', () => {
  it('prefers the profile zone, then the journey zone, then the workspace zone', () => {
    assert.equal(resolveZone('Asia/Kolkata', 'Europe/Lisbon', 'America/New_York'), 'Asia/Kolkata');
    assert.equal(resolveZone(undefined, 'Europe/Lisbon', 'America/New_York'), 'Europe/Lisbon');
    assert.equal(resolveZone(null, undefined, 'America/New_York'), 'America/New_York');
  });
  it('skips zones that do not exist, ending at UTC', () => {
    assert.equal(resolveZone('Mars/Olympus', 'Europe/Lisbon', 'UTC'), 'Europe/Lisbon');
    assert.equal(resolveZone('', 'nope', 'America/New_York'), 'America/New_York');
    assert.equal(resolveZone('x', 'y', 'z'), 'UTC');
  });
});

describe('localToInstant', () => {
  it('moves a time inside a spring-forward gap to the first valid instant', () => {
    // New York: 02:00 EST jumps to 03:00 EDT on 8 March 2026; 02:30 does not exist.
    const ny = localToInstant(
      { year: 2026, month: 3, day: 8, hour: 2, minute: 30 },
      'America/New_York',
    );
    assert.equal(formatLocal(ny, 'America/New_York'), '2026-03-08 03:00 America/New_York');
    assert.equal(ny, at('2026-03-08T07:00:00Z'));
    // Lisbon: 01:00 WET jumps to 02:00 WEST on 29 March 2026.
    const lis = localToInstant(
      { year: 2026, month: 3, day: 29, hour: 1, minute: 30 },
      'Europe/Lisbon',
    );
    assert.equal(formatLocal(lis, 'Europe/Lisbon'), '2026-03-29 02:00 Europe/Lisbon');
    // Lord Howe moves its clocks by 30 minutes: 02:00 becomes 02:30 on 4 October 2026.
    const lh = localToInstant(
      { year: 2026, month: 10, day: 4, hour: 2, minute: 10 },
      'Australia/Lord_Howe',
    );
    assert.equal(formatLocal(lh, 'Australia/Lord_Howe'), '2026-10-04 02:30 Australia/Lord_Howe');
    assert.equal(lh, at('2026-10-03T15:30:00Z'));
  });

  it('takes the first occurrence of a time that happens twice at fall-back', () => {
    // New York 1 Nov 2026: 01:30 EDT (05:30Z) then again 01:30 EST (06:30Z).
    const ny = localToInstant(
      { year: 2026, month: 11, day: 1, hour: 1, minute: 30 },
      'America/New_York',
    );
    assert.equal(ny, at('2026-11-01T05:30:00Z'));
    // Lisbon 25 Oct 2026: 01:30 WEST (00:30Z) then 01:30 WET (01:30Z).
    const lis = localToInstant(
      { year: 2026, month: 10, day: 25, hour: 1, minute: 30 },
      'Europe/Lisbon',
    );
    assert.equal(lis, at('2026-10-25T00:30:00Z'));
    // Lord Howe 5 Apr 2026: 01:45 at +11:00 (14:45Z) then at +10:30 (15:15Z).
    const lh = localToInstant(
      { year: 2026, month: 4, day: 5, hour: 1, minute: 45 },
      'Australia/Lord_Howe',
    );
    assert.equal(lh, at('2026-04-04T14:45:00Z'));
  });

  it('is a plain offset in Kolkata (+05:30, no DST) on the days other zones change', () => {
    for (const day of [8, 29]) {
      const t = localToInstant({ year: 2026, month: 3, day, hour: 2, minute: 30 }, 'Asia/Kolkata');
      assert.equal(t, Date.UTC(2026, 2, day, 2, 30) - 5.5 * H);
    }
  });
});

describe('atLocalTime and localTimeOnOrAfter', () => {
  it('gives a local time of day on the local date of an instant', () => {
    // 23:30Z on 1 May is already 2 May in Kolkata: 09:00 IST on 2 May.
    const t = atLocalTime({
      date: at('2026-05-01T23:30:00Z'),
      time: '09:00',
      zone: 'Asia/Kolkata',
    });
    assert.equal(formatLocal(t, 'Asia/Kolkata'), '2026-05-02 09:00 Asia/Kolkata');
  });
  it('gives today when the time is still ahead, tomorrow when it has passed', () => {
    const zone = 'Europe/Lisbon';
    const morning = at('2026-05-01T07:00:00Z'); // 08:00 Lisbon
    assert.equal(
      formatLocal(localTimeOnOrAfter({ at: morning, time: '09:00', zone }), zone),
      '2026-05-01 09:00 Europe/Lisbon',
    );
    const evening = at('2026-05-01T20:00:00Z'); // 21:00 Lisbon
    assert.equal(
      formatLocal(localTimeOnOrAfter({ at: evening, time: '09:00', zone }), zone),
      '2026-05-02 09:00 Europe/Lisbon',
    );
    const exactly = at('2026-05-01T08:00:00Z'); // 09:00 Lisbon
    assert.equal(localTimeOnOrAfter({ at: exactly, time: '09:00', zone }), exactly);
  });
});

describe('parseDateValue', () => {
  it('reads ISO date-times, local dates and epoch milliseconds', () => {
    const zone = 'America/New_York';
    assert.equal(parseDateValue('2026-05-02T10:00:00Z', zone), at('2026-05-02T10:00:00Z'));
    assert.equal(parseDateValue('2026-05-02T10:00:00+05:30', zone), at('2026-05-02T04:30:00Z'));
    // No offset: the recipient's local time.
    assert.equal(parseDateValue('2026-05-02T10:00', zone), at('2026-05-02T14:00:00Z'));
    assert.equal(parseDateValue('2026-05-02', zone), at('2026-05-02T04:00:00Z'));
    assert.equal(parseDateValue(1_777_716_000_000, zone), 1_777_716_000_000);
    assert.equal(parseDateValue('1777716000000', zone), 1_777_716_000_000);
  });
  it('returns null for what is not a date', () => {
    for (const bad of ['tomorrow', '', null, undefined, {}, Number.NaN, true]) {
      assert.equal(parseDateValue(bad, 'UTC'), null, String(bad));
    }
  });
});

describe('relativeTime', () => {
  it('"one day before, at 18:00" is 18:00 the local day before, even across a DST change', () => {
    // Appointment on Sunday 29 March 2026 at 10:00 Lisbon (after the spring-forward night).
    const appointment = at('2026-03-29T09:00:00Z');
    const reminder = relativeTime({
      base: appointment,
      offset: -D,
      time: '18:00',
      zone: 'Europe/Lisbon',
    });
    assert.equal(formatLocal(reminder, 'Europe/Lisbon'), '2026-03-28 18:00 Europe/Lisbon');
  });
  it('without a local time the offset is absolute', () => {
    assert.equal(relativeTime({ base: 1000, offset: -D, zone: 'Europe/Lisbon' }), 1000 - D);
  });
});
