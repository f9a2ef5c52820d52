/**
 * The daily series of journey reports: the local days asked for (checked, at most a year), the
 * time buckets the storage counts in so that no bucket straddles two local days of the
 * workspace's zone, and the days summed from those buckets.
 */
import { DateTime } from 'luxon';
import { AppError } from '../errors.ts';
import type { ReportAggregates } from '../storage/store.ts';

const DAY_MS = 86_400_000;
/** Days of the series when no range is given. */
const DEFAULT_DAYS = 30;
/** The longest series. */
const MAX_DAYS = 366;

/** One day of the series. */
export interface Day {
  date: string;
  entered: number;
  /** Messages sent by send nodes, per channel. */
  sent: Record<string, number>;
  opens: number;
  machineOpens: number;
  clicks: number;
  machineClicks: number;
  conversions: number;
  revenue: number;
}

/** The series of a report: its first and last local day, and each day in between. */
export interface DailySeries {
  from: string;
  to: string;
  days: Day[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function localDay(text: string, field: string, zone: string): DateTime {
  const day = DATE.test(text) ? DateTime.fromISO(text, { zone }) : null;
  if (!day?.isValid)
    throw new AppError('invalid_input', `${field} must be a date YYYY-MM-DD (got "${text}")`, [
      { path: field, message: 'expected a date YYYY-MM-DD', hint: 'e.g. 2026-05-01' },
    ]);
  return day.startOf('day');
}

/** The local days of the series, checked. */
export function seriesRange(
  req: { from?: string | undefined; to?: string | undefined },
  zone: string,
  now: number,
) {
  const to = req.to
    ? localDay(req.to, 'to', zone)
    : DateTime.fromMillis(now, { zone }).startOf('day');
  const from = req.from ? localDay(req.from, 'from', zone) : to.minus({ days: DEFAULT_DAYS - 1 });
  if (from > to)
    throw new AppError('invalid_input', 'from is after to', [
      { path: 'from', message: `must be on or before to (${to.toISODate()})` },
    ]);
  const days: string[] = [];
  for (let d = from; d <= to; d = d.plus({ days: 1 })) {
    days.push(d.toISODate() ?? '');
    if (days.length > MAX_DAYS)
      throw new AppError('invalid_input', `the range is longer than ${MAX_DAYS} days`, [
        { path: 'from', message: `at most ${MAX_DAYS} days before to` },
      ]);
  }
  const start = from.toMillis();
  const end = to.plus({ days: 1 }).toMillis();
  // Day buckets when the zone keeps one offset over the range; else buckets of the largest size
  // that divides an hour and every offset met, so that no bucket straddles two local days.
  const offsets = new Set<number>();
  for (let d = from; d <= to; d = d.plus({ days: 1 }))
    offsets.add(d.offset).add(d.endOf('day').offset);
  const [only] = offsets;
  const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));
  const buckets =
    offsets.size === 1 && only !== undefined
      ? { bucketMs: DAY_MS, bucketOffsetMs: only * 60_000 }
      : { bucketMs: [...offsets].reduce(gcd, 60) * 60_000, bucketOffsetMs: 0 };
  return { from, to, days, start, end, ...buckets };
}

/** The daily series from the storage's buckets, per local day of the workspace. */
export function daily(
  a: ReportAggregates,
  range: ReturnType<typeof seriesRange>,
  zone: string,
  sendNodes: Set<string>,
): DailySeries {
  const days = new Map<string, Day>(
    range.days.map((date) => [
      date,
      {
        date,
        entered: 0,
        sent: {},
        opens: 0,
        machineOpens: 0,
        clicks: 0,
        machineClicks: 0,
        conversions: 0,
        revenue: 0,
      },
    ]),
  );
  const dayOf = (bucket: number): Day | undefined =>
    days.get(
      DateTime.fromMillis(bucket * range.bucketMs - range.bucketOffsetMs, { zone }).toISODate() ??
        '',
    );
  for (const r of a.series.entered) {
    const day = dayOf(r.bucket);
    if (day) day.entered += r.count;
  }
  for (const m of a.series.sent) {
    const day = dayOf(m.bucket);
    if (day && m.nodeId !== null && sendNodes.has(m.nodeId))
      day.sent[m.channel] = (day.sent[m.channel] ?? 0) + m.count;
  }
  for (const h of a.series.hits) {
    const day = dayOf(h.bucket);
    if (!day) continue;
    if (h.type === 'opened') day[h.human ? 'opens' : 'machineOpens'] += h.count;
    if (h.type === 'clicked') day[h.human ? 'clicks' : 'machineClicks'] += h.count;
  }
  for (const c of a.series.conversions) {
    const day = dayOf(c.bucket);
    if (!day) continue;
    day.conversions += c.count;
    day.revenue += c.revenue;
  }
  return {
    from: range.from.toISODate() ?? '',
    to: range.to.toISODate() ?? '',
    days: [...days.values()],
  };
}
