/**
 * Website personalisation (`GET /v1/personalize`): what a site may show a visitor — the
 * profile's interests with their current scores, its lists and its site flags — for a userId or
 * anonymousId. One indexed read (`profiles.personalization`) behind a small per-instance cache
 * (`PersonalizationCache`): answers live `PERSONALIZE_CACHE_MS` and are dropped as soon as this
 * instance's engine changes the profile (the composition root connects the cache to the engine's
 * profile-change bus); a change made by another process shows within the cache's lifetime.
 * Unknown visitors get an empty answer (not an error, not cached).
 */
import { interestScores, siteFlags, type InterestScore } from '@waymark/core';
import { AppError } from '../errors.ts';
import type { IdentityKind } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';

/** How long an answer is served from the cache, ms. */
export const PERSONALIZE_CACHE_MS = 1000;
/** Answers kept per instance (the cache is cleared when it grows past this). */
const MAX_CACHED = 50_000;

/** What the website gets. */
export interface Personalization {
  profile: { known: boolean };
  interests: InterestScore[];
  lists: string[];
  flags: Record<string, boolean | string | number>;
}

/** Who is asking: exactly one of the two. */
export interface Visitor {
  userId?: string | undefined;
  anonymousId?: string | undefined;
}

/** An answer as cached, with when it was read. */
export interface Cached {
  /** Wall-clock time of the read. */
  at: number;
  /** The Waymark clock at the read: windowed scores were counted at this time. */
  clockAt: number;
  value: Personalization;
}

/**
 * The answers of one Waymark instance, by `${workspace}:${kind}:${value}`, and the keys of each
 * profile so a change drops them. Built by the composition root, which has the instance's
 * engine tell it (`forget`) which profiles it changed.
 */
export class PersonalizationCache {
  readonly #answers = new Map<string, Cached>();
  readonly #byProfile = new Map<string, Set<string>>();

  /** The answer cached under `key`, if any. */
  get(key: string): Cached | undefined {
    return this.#answers.get(key);
  }

  /** Caches an answer about a profile (the cache is cleared when it grows past MAX_CACHED). */
  set(key: string, profile: { workspaceId: string; profileId: string }, cached: Cached): void {
    if (this.#answers.size >= MAX_CACHED) {
      this.#answers.clear();
      this.#byProfile.clear();
    }
    this.#answers.set(key, cached);
    const pk = `${profile.workspaceId}:${profile.profileId}`;
    const keys = this.#byProfile.get(pk) ?? new Set<string>();
    keys.add(key);
    this.#byProfile.set(pk, keys);
  }

  /**
   * Drops the answers about profiles this instance's engine changed (inside its transaction, so a
   * read racing the commit may cache the old answer again: for at most PERSONALIZE_CACHE_MS).
   */
  forget(workspaceId: string, profileIds: readonly string[]): void {
    for (const id of profileIds) {
      const pk = `${workspaceId}:${id}`;
      for (const key of this.#byProfile.get(pk) ?? []) this.#answers.delete(key);
      this.#byProfile.delete(pk);
    }
  }
}

const EMPTY: Personalization = {
  profile: { known: false },
  interests: [],
  lists: [],
  flags: {},
};

/** The identity to look up: userId wins over anonymousId (as ingestion resolves them). */
export function visitorIdentity(v: Visitor): { kind: IdentityKind; value: string } {
  const userId = v.userId?.trim();
  if (userId) return { kind: 'userId', value: userId };
  const anonymousId = v.anonymousId?.trim();
  if (anonymousId) return { kind: 'anonymousId', value: anonymousId };
  throw new AppError('invalid_input', 'query: userId or anonymousId is required', [
    {
      path: 'query.userId',
      message: 'userId or anonymousId is required',
      hint: 'GET /v1/personalize?anonymousId=<the id the page sends its events with>',
    },
  ]);
}

/** The personalisation of a visitor of a workspace. */
export async function personalize(
  deps: Pick<AppDeps, 'store' | 'clock' | 'personalization'>,
  workspaceId: string,
  visitor: Visitor,
): Promise<Personalization> {
  const identity = visitorIdentity(visitor);
  // Cache ages are wall-clock time; scores use the Waymark clock (a manual clock in demos).
  const wall = Date.now();
  const cache = deps.personalization;
  const key = `${workspaceId}:${identity.kind}:${identity.value}`;
  const now = deps.clock.now();
  const hit = cache.get(key);
  // A manual clock moved forward (demos, tests) makes the answer stale too: scores are windowed.
  const fresh = (age: number) => age >= 0 && age < PERSONALIZE_CACHE_MS;
  if (hit && fresh(wall - hit.at) && fresh(now - hit.clockAt)) return hit.value;

  const row = await deps.store.profiles.personalization(workspaceId, identity);
  const value: Personalization = row
    ? {
        profile: { known: true },
        interests: interestScores(row.traits, now),
        lists: row.lists,
        flags: siteFlags(row.traits),
      }
    : EMPTY;
  // Unknown visitors are not cached: their first event makes them known, and the page asks again.
  if (!row) return value;
  cache.set(key, { workspaceId, profileId: row.profileId }, { at: wall, clockAt: now, value });
  return value;
}
