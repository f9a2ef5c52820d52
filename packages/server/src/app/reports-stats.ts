/**
 * The statistics of journey reports: rates, conversion rates with Wilson score intervals, and the
 * difference of two rates with Newcombe's hybrid score interval (Newcombe 1998, method 10), which
 * keeps its coverage near 95% for small groups and rates near 0 or 1, where the Wald interval
 * (p ± z·se) is too narrow and can leave [−1, 1].
 */

/** `x / n`, or null when there is nothing to divide by (a rate of nothing is unknown, not 0). */
export const ratio = (x: number, n: number): number | null => (n > 0 ? x / n : null);

/** z of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** An interval [low, high]. */
export interface Interval {
  low: number;
  high: number;
}

/** The Wilson score interval of `successes` out of `trials` (null without trials). */
export function wilson(successes: number, trials: number, z = Z95): Interval | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** A rate compared with a control's rate. */
export interface Lift {
  /** rate − control rate, in rate units (0.05 = 5 points). */
  difference: number;
  /** 95% interval of the difference (Newcombe hybrid score). */
  interval: Interval;
  /** difference / control rate; null when the control rate is 0. */
  relative: number | null;
  /** True when the interval excludes 0. */
  significant: boolean;
}

/**
 * The difference of two proportions `a` − `b` (`x` successes of `n`) with Newcombe's interval:
 * from the Wilson intervals (l, u) of each, low = d − √((pa − la)² + (ub − pb)²) and
 * high = d + √((ua − pa)² + (pb − lb)²). Null when either group is empty.
 */
export function lift(a: { x: number; n: number }, b: { x: number; n: number }): Lift | null {
  const wa = wilson(a.x, a.n);
  const wb = wilson(b.x, b.n);
  if (!wa || !wb) return null;
  const pa = a.x / a.n;
  const pb = b.x / b.n;
  const d = pa - pb;
  const low = d - Math.sqrt((pa - wa.low) ** 2 + (wb.high - pb) ** 2);
  const high = d + Math.sqrt((wa.high - pa) ** 2 + (pb - wb.low) ** 2);
  return {
    difference: d,
    interval: { low, high },
    relative: pb > 0 ? d / pb : null,
    significant: low > 0 || high < 0,
  };
}
