/**
 * Time-zone maths for journeys (luxon over the IANA database): which zone a recipient is in,
 * turning a local wall-clock time into an instant (DST gaps move forward to the first valid
 * instant, DST overlaps take the first occurrence), reading dates from profiles and events, and
 * formatting instants for people. Pure: every instant is epoch milliseconds passed in.
 */
import { DateTime, IANAZone } from 'luxon';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A calendar date in some zone (month 1–12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A wall-clock time in some zone. */
export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
}

const zoneValidity = new Map<string, boolean>();

/** True when `zone` is an IANA zone name this runtime knows (`Europe/Lisbon`, `UTC`). */
export function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone === '') return false;
  // Checking a zone builds an Intl formatter: costly on the hot path, so answers are remembered.
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size > 10_000) zoneValidity.clear();
    zoneValidity.set(zone, valid);
  }
  return valid;
}

/** The recipient's zone: the profile's, else the journey's, else the workspace's; invalid names fall through to the next, and to `UTC` last. */
export function resolveZone(
  profileZone: string | null | undefined,
  journeyZone: string | null | undefined,
  workspaceZone: string | null | undefined,
): string {
  for (const zone of [profileZone, journeyZone, workspaceZone]) {
    if (isValidZone(zone)) return zone;
  }
  return 'UTC';
}

/** UTC offset of `zone` at instant `at`, in milliseconds. */
function offsetMs(zone: string, at: number): number {
  return IANAZone.create(zone).offset(at) * MINUTE;
}

/** Parses `HH:MM` (already validated by the schema) into hour and minute. */
export function parseLocalTime(time: string): { hour: number; minute: number } {
  const [h, m] = time.split(':');
  return { hour: Number(h), minute: Number(m) };
}

/** The calendar date of instant `at` in `zone`. */
export function localDateOf(at: number, zone: string): LocalDate {
  const wall = new Date(at + offsetMs(zone, at));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** The calendar date `days` after `date` (negative: before); pure calendar arithmetic. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day of the week of a calendar date, `sun`…`sat`. */
export function weekdayOf(date: LocalDate): 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' {
  const names = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
  return names[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()] ?? 'sun';
}

/**
 * The instant a wall-clock time happens in `zone`. A time inside a DST gap (02:30 on a
 * spring-forward night) becomes the first valid instant after the gap (03:00); a time inside a
 * DST overlap (01:30 on a fall-back night) is its first occurrence.
 */
export function localToInstant(wall: LocalDateTime, zone: string): number {
  const wallMs = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const offsets = new Set([
    offsetMs(zone, wallMs - DAY),
    offsetMs(zone, wallMs + DAY),
    offsetMs(zone, wallMs - offsetMs(zone, wallMs)),
  ]);
  let first: number | null = null;
  for (const o of offsets) {
    const t = wallMs - o;
    if (offsetMs(zone, t) === o && (first === null || t < first)) first = t;
  }
  if (first !== null) return first;
  // A gap: the transition lies between the wall time read with the later and the earlier offset.
  let lo = wallMs - Math.max(...offsets);
  let hi = wallMs - Math.min(...offsets);
  const after = offsetMs(zone, hi);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(zone, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The instant of local time `time` (`HH:MM`) on the local calendar date of `date` in `zone`. */
export function atLocalTime(args: { date: number; time: string; zone: string }): number {
  return localToInstant(
    { ...localDateOf(args.date, args.zone), ...parseLocalTime(args.time) },
    args.zone,
  );
}

/** The next instant at or after `at` when the local clock in `zone` shows `time` (`HH:MM`). */
export function localTimeOnOrAfter(args: { at: number; time: string; zone: string }): number {
  const date = localDateOf(args.at, args.zone);
  const hm = parseLocalTime(args.time);
  for (let i = 0; i < 3; i++) {
    const t = localToInstant({ ...addDays(date, i), ...hm }, args.zone);
    if (t >= args.at) return t;
  }
  return localToInstant({ ...addDays(date, 3), ...hm }, args.zone);
}

/**
 * Reads a date value from a profile trait or event property: epoch milliseconds (number or
 * digit string), an ISO date-time (with an offset, or else local to `zone`), or an ISO date
 * (`2026-05-02`, local midnight in `zone`). Returns null for anything else.
 */
export function parseDateValue(value: unknown, zone: string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d{9,}$/.test(text)) return Number(text);
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dateOnly) {
    const [, y, m, d] = dateOnly;
    return localToInstant(
      { year: Number(y), month: Number(m), day: Number(d), hour: 0, minute: 0 },
      zone,
    );
  }
  const parsed = DateTime.fromISO(text, { zone });
  return parsed.isValid ? parsed.toMillis() : null;
}

/**
 * `base` moved by `offset` ms. With a local `time`, the offset moves the local calendar date
 * (so "-P1D at 10:00" is 10:00 the local day before, whatever DST does) and the result is that
 * date at `time` in `zone`; without one it is plain `base + offset`.
 */
export function relativeTime(args: {
  base: number;
  offset: number;
  time?: string | undefined;
  zone: string;
}): number {
  const { base, offset, time, zone } = args;
  if (time === undefined) return base + offset;
  const wall = new Date(base + offsetMs(zone, base) + offset);
  const date = {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
  };
  return localToInstant({ ...date, ...parseLocalTime(time) }, zone);
}

/** An instant as people read it: `2026-05-02 09:00 Europe/Lisbon`. */
export function formatLocal(at: number, zone: string): string {
  return `${DateTime.fromMillis(at, { zone }).toFormat('yyyy-LL-dd HH:mm')} ${zone}`;
}
