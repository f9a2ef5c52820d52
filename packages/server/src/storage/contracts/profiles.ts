/**
 * Profiles (customers) and the identities that resolve to them.
 * Part of the storage contract (../store.ts); implemented by ../repos/profiles.repo.ts.
 */
import type { Page } from './page.ts';
import type { PersonalizationRow } from './personalization.ts';

/** Identity kinds that resolve to a profile. */
export type IdentityKind = 'userId' | 'anonymousId' | 'email' | 'phone';

/** A profile (a customer). */
export interface ProfileRow {
  workspaceId: string;
  id: string;
  traits: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  /** Time of the latest event (activity), for inactivity triggers. */
  lastSeenAt: number | null;
  /** When this profile was merged into another, the survivor's id. */
  mergedInto: string | null;
}

/** One identity of a profile. */
export interface IdentityRow {
  workspaceId: string;
  kind: IdentityKind;
  value: string;
  profileId: string;
}

/** Profiles and identities. */
export interface ProfileRepo {
  get(workspaceId: string, id: string): Promise<ProfileRow | null>;
  getMany(workspaceId: string, ids: string[]): Promise<ProfileRow[]>;
  /**
   * Resolves identities to profile ids, keyed `${kind}:${value}`; unknown identities are absent.
   * Merged profiles resolve to their survivor.
   */
  resolve(
    workspaceId: string,
    identities: Array<{ kind: IdentityKind; value: string }>,
  ): Promise<Map<string, string>>;
  identities(workspaceId: string, profileId: string): Promise<IdentityRow[]>;
  insert(rows: ProfileRow[]): Promise<void>;
  /** Links identities; an identity already linked to a profile is left as it is. */
  link(rows: IdentityRow[]): Promise<void>;
  /** Re-points identities (used by merges). */
  relink(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void>;
  update(
    workspaceId: string,
    id: string,
    patch: Partial<Pick<ProfileRow, 'traits' | 'updatedAt' | 'lastSeenAt' | 'mergedInto'>>,
  ): Promise<void>;
  list(
    workspaceId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<ProfileRow>>;
  /**
   * Moves the last-seen time of many profiles forward, without reading them: each row is written
   * only when its stored time is unset or at least `granularityMs` older than the given one
   * (activity is kept to that precision, so most events write nothing). One statement per chunk.
   */
  touch(
    rows: Array<Pick<ProfileRow, 'workspaceId' | 'id' | 'lastSeenAt'>>,
    granularityMs: number,
  ): Promise<void>;
  /** Writes traits and times of many profiles, one statement per chunk (ingestion, engine batches). */
  updateMany(
    rows: Array<Pick<ProfileRow, 'workspaceId' | 'id' | 'traits' | 'updatedAt' | 'lastSeenAt'>>,
  ): Promise<void>;
  /**
   * What the website's personalisation needs of the profile an identity resolves to (merged
   * profiles: their survivor), in one statement (identity, profile and lists by their keys);
   * null for an unknown identity.
   */
  personalization(
    workspaceId: string,
    identity: { kind: IdentityKind; value: string },
  ): Promise<PersonalizationRow | null>;
}
