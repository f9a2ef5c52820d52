import { z } from 'zod';

/**
 * Durations in journey documents: ISO 8601 (`PT12H`, `P2D`, `-P1D`) or shorthand (`12h`, `30m`,
 * `7d`, `2w`, `90s`, `-1d`). A day is 24 hours: waits are absolute, not calendar-aware.
 */
const SHORTHAND = /^(-)?(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const ISO = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

/** Parses a duration string to milliseconds, or returns null when it is not one. */
export function parseDuration(text: string): number | null {
  const short = SHORTHAND.exec(text);
  if (short) {
    const ms = Number(short[2]) * UNIT_MS[short[3] as keyof typeof UNIT_MS];
    return short[1] ? -ms : ms;
  }
  const iso = ISO.exec(text);
  if (!iso || text === 'P' || text.endsWith('T') || text === '-P') return null;
  const [, sign, w, d, h, m, s] = iso;
  const ms =
    Number(w ?? 0) * UNIT_MS.w +
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s;
  return sign ? -ms : ms;
}

/** A duration field: any string `parseDuration` accepts. */
export const Duration = z
  .string()
  .refine((v) => parseDuration(v) !== null, {
    message: 'expected a duration such as "PT12H", "P2D", "12h", "30m" or "7d"',
  })
  .meta({ title: 'duration' });

/** A duration that must be positive (waits, timeouts). */
export const PositiveDuration = z
  .string()
  .refine((v) => (parseDuration(v) ?? 0) > 0, {
    message: 'expected a positive duration such as "PT12H", "P2D", "12h", "30m" or "7d"',
  })
  .meta({ title: 'positive duration' });

/** Parses a duration already validated by the schema; throws on programmer error. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new Error(`not a duration: ${text}`);
  return ms;
}
