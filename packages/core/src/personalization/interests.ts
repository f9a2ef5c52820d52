/**
 * Interest counting for website personalisation (scenario 9), pure: how an `interest` node counts
 * a view or a cart add into the profile, what the score of an interest is at a given time, and
 * when a threshold is crossed. The evaluator applies it to its copy of the profile; the runtime
 * applies the same function to the stored row; `/v1/personalize` reads scores with it.
 *
 * Where the state lives (reserved traits of the profile, maintained by Waymark):
 * - `interests.<name>`: the interest's score as of its latest count — a number, so conditions
 *   read `profile.traits.interests.shoes`.
 * - `interest_counts.<name>`: for interests counted in a sliding window (`within`), the window
 *   length and the counted views `[[at, weight], …]` still inside it. Views closer together than
 *   1/100 of the window share one entry (stamped with the latest), so an interest keeps at most
 *   ~100 entries however busy it is; a view leaves the window at most 1% of the window late.
 * - `site_flags.<flag>`: flags for the website (set by `site_flag` nodes and thresholds).
 */
import type { ProfileFact } from '../evaluator/types.ts';

/** Trait holding interest scores (`{ shoes: 3 }`). */
export const INTERESTS_TRAIT = 'interests';
/** Trait holding the window bookkeeping of windowed interests. */
export const INTEREST_COUNTS_TRAIT = 'interest_counts';
/** Trait holding site flags (`{ offer_live_chat: true }`). */
export const SITE_FLAGS_TRAIT = 'site_flags';
/** Longest interest name kept (longer names are cut). */
export const MAX_INTEREST_NAME = 64;

/** The window bookkeeping of one interest. */
export interface InterestCount {
  /** Window length, ms. */
  within: number;
  /** `[at, weight]` of the views inside the window, oldest first. */
  views: Array<[number, number]>;
}

/** An interest and its current score. */
export interface InterestScore {
  name: string;
  score: number;
}

/**
 * The interest name a value stands for: lower-case ASCII letters, digits, `_` and `-` (accents
 * dropped, other runs of characters become one `-`), at most 64 characters; null when nothing is
 * left (an empty or missing category). `"Running Shoes"` → `running-shoes`.
 */
export function interestName(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const slug = String(value)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_INTEREST_NAME)
    .replace(/-+$/, '');
  return slug === '' ? null : slug;
}

/** Replaces `{{ interest }}` in a threshold's list id or flag name by the interest's name. */
export function fillInterest(template: string, name: string): string {
  return template.replace(/\{\{\s*interest\s*\}\}/g, name);
}

function bag(traits: Record<string, unknown>, key: string): Record<string, unknown> {
  const current = traits[key];
  return typeof current === 'object' && current !== null && !Array.isArray(current)
    ? { ...(current as Record<string, unknown>) }
    : {};
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Reads a stored `InterestCount`, dropping anything malformed (traits are user-writable). */
function readCount(value: unknown): InterestCount | null {
  if (typeof value !== 'object' || value === null) return null;
  const { within, views } = value as { within?: unknown; views?: unknown };
  if (typeof within !== 'number' || !(within > 0) || !Array.isArray(views)) return null;
  const kept: Array<[number, number]> = [];
  for (const v of views) {
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number')
      kept.push([v[0], v[1]]);
  }
  return { within, views: kept };
}

/** Sum of the views inside the window ending at `now` (views stamped after `now` count too). */
function windowSum(count: InterestCount, now: number): number {
  let sum = 0;
  for (const [at, weight] of count.views) if (at > now - count.within) sum += weight;
  return sum;
}

/** What counting one view did. */
export interface Counted {
  /** The profile's traits with the view counted. */
  traits: Record<string, unknown>;
  /** Score before the view (inside the window, when there is one). */
  before: number;
  /** Score after it. */
  after: number;
}

/**
 * Counts `weight` for interest `name` at time `at` into `traits` (a copy is returned). Without
 * `within` the score is a running total; with it, the sum of the weights counted within the
 * last `within` ms. Changing an interest's window keeps its views and applies the new length.
 */
export function countInterest(
  traits: Record<string, unknown>,
  c: { name: string; weight: number; at: number; within?: number | undefined },
): Counted {
  const interests = bag(traits, INTERESTS_TRAIT);
  const counts = bag(traits, INTEREST_COUNTS_TRAIT);
  if (c.within === undefined) {
    const before = finite(interests[c.name]);
    interests[c.name] = before + c.weight;
    delete counts[c.name];
    const next: Record<string, unknown> = { ...traits, [INTERESTS_TRAIT]: interests };
    if (INTEREST_COUNTS_TRAIT in traits) next[INTEREST_COUNTS_TRAIT] = counts;
    return { traits: next, before, after: before + c.weight };
  }
  const stored = readCount(counts[c.name]);
  const views = (stored?.views ?? []).filter(([at]) => at > c.at - c.within!);
  const before = views.reduce((sum, [, weight]) => sum + weight, 0);
  const last = views[views.length - 1];
  if (last && c.at >= last[0] && c.at - last[0] < c.within / 100) {
    views[views.length - 1] = [c.at, last[1] + c.weight];
  } else {
    views.push([c.at, c.weight]);
    views.sort((a, b) => a[0] - b[0]);
  }
  const after = before + c.weight;
  interests[c.name] = after;
  counts[c.name] = { within: c.within, views } satisfies InterestCount;
  return {
    traits: { ...traits, [INTERESTS_TRAIT]: interests, [INTEREST_COUNTS_TRAIT]: counts },
    before,
    after,
  };
}

/** Whether a count from `before` to `after` reached `count` (crossed it upwards). */
export function thresholdCrossed(before: number, after: number, count: number): boolean {
  return before < count && after >= count;
}

/**
 * The profile's interests at `now`, highest score first (then by name): windowed interests are
 * re-summed over their window, so views that aged out no longer count; interests with a score of
 * zero or less are left out.
 */
export function interestScores(traits: Record<string, unknown>, now: number): InterestScore[] {
  const interests = bag(traits, INTERESTS_TRAIT);
  const counts = bag(traits, INTEREST_COUNTS_TRAIT);
  const out: InterestScore[] = [];
  for (const [name, raw] of Object.entries(interests)) {
    const count = readCount(counts[name]);
    const score = count ? windowSum(count, now) : finite(raw);
    if (score > 0) out.push({ name, score });
  }
  return out.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1));
}

/** The profile's site flags (`site_flags` trait); values other than boolean/string/number drop. */
export function siteFlags(
  traits: Record<string, unknown>,
): Record<string, boolean | string | number> {
  const out: Record<string, boolean | string | number> = {};
  for (const [name, value] of Object.entries(bag(traits, SITE_FLAGS_TRAIT))) {
    if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number')
      out[name] = value;
  }
  return out;
}

/** Sets a site flag on a profile's traits (a copy is returned). */
export function withSiteFlag(
  traits: Record<string, unknown>,
  flag: string,
  value: boolean | string | number,
): Record<string, unknown> {
  return { ...traits, [SITE_FLAGS_TRAIT]: { ...bag(traits, SITE_FLAGS_TRAIT), [flag]: value } };
}

/** A profile fact with a list added. */
export function withList(profile: ProfileFact, list: string): ProfileFact {
  return profile.lists.includes(list) ? profile : { ...profile, lists: [...profile.lists, list] };
}
