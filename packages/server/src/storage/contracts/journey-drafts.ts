/**
 * Journey drafts: the editor's working copy of a journey, one per (workspace, journey), saved as
 * it is edited. A draft may be invalid (it is checked when published, not when saved). Each save
 * names the revision it was made on and bumps it, so a save made on an older revision — another
 * tab, another person — is refused rather than silently overwriting theirs.
 * Part of the storage contract (../store.ts); implemented by ../repos/journey-drafts.repo.ts.
 */

/** Canvas positions of a draft's nodes, by node id (kept outside the journey document). */
export type DraftLayout = Record<string, { x: number; y: number }>;

/** A journey's draft. */
export interface JourneyDraftRow {
  workspaceId: string;
  journeyId: string;
  /** The journey document as last saved (JSON; possibly incomplete). */
  document: Record<string, unknown>;
  layout: DraftLayout;
  /** 1 for the first save, one more for each later one. */
  revision: number;
  updatedAt: number;
  /** The user who saved it last; null for the admin token or the system. */
  updatedBy: string | null;
}

/** Drafts of journeys. */
export interface JourneyDraftRepo {
  get(workspaceId: string, journeyId: string): Promise<JourneyDraftRow | null>;
  /** The drafts of a workspace, in journey id order. */
  list(workspaceId: string): Promise<JourneyDraftRow[]>;
  /**
   * Saves a draft made on `baseRevision` (0: there was none) as revision `baseRevision + 1`;
   * answers null, writing nothing, when the stored revision is not `baseRevision`.
   */
  save(
    row: Omit<JourneyDraftRow, 'revision'> & { baseRevision: number },
  ): Promise<JourneyDraftRow | null>;
  /** Removes the draft (after it was published); true when there was one. */
  remove(workspaceId: string, journeyId: string): Promise<boolean>;
}
