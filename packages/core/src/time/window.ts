/**
 * Per-recipient send windows: is an instant inside a channel's allowed local hours, and when
 * does the next allowed slot start. A window belongs to the local weekday on which it starts;
 * `start` after (or equal to) `end` crosses midnight (`21:00–08:00`). Messages are never
 * dropped for being outside a window, only moved to the next slot.
 */
import type { SendWindow } from '../journey/schema.ts';
import {
  addDays,
  localDateOf,
  localToInstant,
  parseLocalTime,
  weekdayOf,
  type LocalDate,
} from './zones.ts';

/** Arguments of the window functions (an instant, a window and the recipient's zone). */
export interface WindowArgs {
  at: number;
  window: SendWindow;
  zone: string;
}

/** The window opened on local date `date`, as `[start, end)` instants. */
function intervalOn(
  date: LocalDate,
  window: SendWindow,
  zone: string,
): { start: number; end: number } {
  const start = localToInstant({ ...date, ...parseLocalTime(window.start) }, zone);
  const crosses = window.end <= window.start;
  const endDate = crosses ? addDays(date, 1) : date;
  const end = localToInstant({ ...endDate, ...parseLocalTime(window.end) }, zone);
  return { start, end };
}

/** Whether a window opens on a local date (an empty day list never blocks: it means every day). */
function opensOn(date: LocalDate, window: SendWindow): boolean {
  return window.days.length === 0 || window.days.includes(weekdayOf(date));
}

/** True when instant `at` lies inside the window in `zone`. */
export function isInsideWindow({ at, window, zone }: WindowArgs): boolean {
  const today = localDateOf(at, zone);
  for (const date of [addDays(today, -1), today]) {
    if (!opensOn(date, window)) continue;
    const { start, end } = intervalOn(date, window, zone);
    if (start <= at && at < end) return true;
  }
  return false;
}

/** `at` itself when inside the window, else the start of the next allowed slot. */
export function nextAllowedSlot({ at, window, zone }: WindowArgs): number {
  if (isInsideWindow({ at, window, zone })) return at;
  const today = localDateOf(at, zone);
  for (let i = 0; i <= 8; i++) {
    const date = addDays(today, i);
    if (!opensOn(date, window)) continue;
    const { start, end } = intervalOn(date, window, zone);
    // A window swallowed whole by a DST gap (02:00–02:30 on spring-forward night) is empty.
    if (start >= at && end > start) return start;
  }
  return at;
}
