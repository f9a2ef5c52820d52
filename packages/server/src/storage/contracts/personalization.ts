/**
 * What the website's personalisation reads of a profile (`/v1/personalize`).
 * Part of the storage contract (../store.ts); implemented by ../repos/personalization.repo.ts.
 */

/** A profile's traits and list ids, for `/v1/personalize`. */
export interface PersonalizationRow {
  profileId: string;
  traits: Record<string, unknown>;
  /** List ids, sorted. */
  lists: string[];
}
