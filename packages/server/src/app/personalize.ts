/**
 * Website personalisation (`GET /v1/personalize`): what a site may show a visitor — the
 * profile's interests with their current scores, its lists and its site flags — for a userId or
 * anonymousId. One indexed read (`profiles.personalization`) behind a small per-process cache:
 * answers live `PERSONALIZE_CACHE_MS` and are dropped as soon as this process's engine changes
 * the profile (`runtime/engine.ts` `onProfilesChanged`); a change made by another process shows
 * within the cache's lifetime. Unknown visitors get an empty answer (not an error, not cached).
 */
import { interestScores, siteFlags, type InterestScore } from '@waymark/core';
import { AppError } from '../errors.ts';
import { onProfilesChanged } from '../runtime/engine.ts';
import type { IdentityKind, Store } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';

/** How long an answer is served from the cache, ms. */
export const PERSONALIZE_CACHE_MS = 1000;
/** Answers kept per store (the cache is cleared when it grows past this). */
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

interface Cached {
  /** Wall-clock time of the read. */
  at: number;
  /** The Waymark clock at the read: windowed scores were counted at this time. */
  clockAt: number;
  value: Personalization;
}

/** Per store: answers by `${workspace}:${kind}:${value}`, and the keys of each profile. */
interface Cache {
  answers: Map<string, Cached>;
  byProfile: Map<string, Set<string>>;
}

const caches = new WeakMap<Store, Cache>();
/** Every cache, weakly (a WeakMap cannot be iterated), for invalidation. */
const liveCaches = new Set<WeakRef<Cache>>();

function cacheOf(store: Store): Cache {
  let cache = caches.get(store);
  if (!cache) {
    const created: Cache = { answers: new Map(), byProfile: new Map() };
    caches.set(store, created);
    liveCaches.add(new WeakRef(created));
    cache = created;
  }
  return cache;
}

// Profiles changed by this process's engine (inside its transaction, so a read racing the
// commit may cache the old answer again: for at most PERSONALIZE_CACHE_MS).
onProfilesChanged((workspaceId, profileIds) => {
  for (const ref of liveCaches) {
    const cache = ref.deref();
    if (!cache) {
      liveCaches.delete(ref);
      continue;
    }
    for (const id of profileIds) {
      const pk = `${workspaceId}:${id}`;
      for (const key of cache.byProfile.get(pk) ?? []) cache.answers.delete(key);
      cache.byProfile.delete(pk);
    }
  }
});

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
  deps: Pick<AppDeps, 'store' | 'clock'>,
  workspaceId: string,
  visitor: Visitor,
): Promise<Personalization> {
  const identity = visitorIdentity(visitor);
  // Cache ages are wall-clock time; scores use the Waymark clock (a manual clock in demos).
  const wall = Date.now();
  const cache = cacheOf(deps.store);
  const key = `${workspaceId}:${identity.kind}:${identity.value}`;
  const now = deps.clock.now();
  const hit = cache.answers.get(key);
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
  if (cache.answers.size >= MAX_CACHED) {
    cache.answers.clear();
    cache.byProfile.clear();
  }
  cache.answers.set(key, { at: wall, clockAt: now, value });
  const pk = `${workspaceId}:${row.profileId}`;
  const keys = cache.byProfile.get(pk) ?? new Set<string>();
  keys.add(key);
  cache.byProfile.set(pk, keys);
  return value;
}
