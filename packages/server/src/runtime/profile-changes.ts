/**
 * The profile-change bus of one Waymark instance: the engine announces the profiles each batch
 * changed (traits or lists) as it writes them, and caches of profile data (personalisation) drop
 * their entries. One bus per instance, built by the composition root (`waymark.ts`), so two
 * instances in one process (tests, simulations) never hear each other's changes.
 */

/** Called with the profiles a batch changed (traits or lists), as it writes them. */
export type ProfilesChangedListener = (workspaceId: string, profileIds: string[]) => void;

/** Listeners of the profile changes this instance's engine writes. */
export class ProfileChanges {
  readonly #listeners = new Set<ProfilesChangedListener>();

  /** Subscribes a listener; returns the unsubscribe function. */
  subscribe(listener: ProfilesChangedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Whether anyone listens (a batch skips collecting its changes otherwise). */
  get heard(): boolean {
    return this.#listeners.size > 0;
  }

  /** Tells every listener which profiles of a workspace changed. */
  announce(workspaceId: string, profileIds: string[]): void {
    for (const listener of this.#listeners) listener(workspaceId, profileIds);
  }
}
