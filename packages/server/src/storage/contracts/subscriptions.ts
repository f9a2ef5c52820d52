/**
 * Consent of profiles per channel and topic.
 * Part of the storage contract (../store.ts); implemented by ../repos/subscriptions.repo.ts.
 */

/** Consent of a profile for a channel and topic (`''` = the whole channel). */
export interface SubscriptionRow {
  workspaceId: string;
  profileId: string;
  channel: string;
  topic: string;
  status: 'subscribed' | 'unsubscribed';
  /** What changed it: `unsubscribe_link`, `sms_stop`, `sms_start`, `api`, `import`. */
  source: string;
  updatedAt: number;
}

/** Consent per profile, channel and topic. */
export interface SubscriptionRepo {
  /** Every subscription row of the profile. */
  forProfile(workspaceId: string, profileId: string): Promise<SubscriptionRow[]>;
  /** `forProfile` of several profiles at once (profiles without rows are absent). */
  forProfiles(
    workspaceId: string,
    profileIds: readonly string[],
  ): Promise<Map<string, SubscriptionRow[]>>;
  /** Inserts or replaces rows by (workspace, profile, channel, topic); of duplicates, the last. */
  set(rows: SubscriptionRow[]): Promise<void>;
  /**
   * Moves a merged profile's rows to the survivor; where both have a row for the same channel and
   * topic, the more recent decision stands (the survivor's on a tie).
   */
  reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void>;
}
