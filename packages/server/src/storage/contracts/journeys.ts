/**
 * Journeys and their immutable versions.
 * Part of the storage contract (../store.ts); implemented by ../repos/journeys.repo.ts.
 */
import type { JourneyDefinition } from '@waymark/core';

/** A journey (its versions are stored apart). */
export interface JourneyRow {
  workspaceId: string;
  id: string;
  name: string;
  /** The version new runs enter; null until first published. */
  publishedVersion: number | null;
  latestVersion: number;
  /** Trigger type of the published version, for lookups by trigger. */
  triggerType: string | null;
  /** Event name of the published trigger (event/date-on-event triggers), for lookups. */
  triggerEvent: string | null;
  status: 'draft' | 'live' | 'paused' | 'archived';
  createdAt: number;
  updatedAt: number;
}

/** One immutable version of a journey. */
export interface JourneyVersionRow {
  workspaceId: string;
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  createdAt: number;
  publishedAt: number | null;
}

/** Journeys and their versions. */
export interface JourneyRepo {
  get(workspaceId: string, id: string): Promise<JourneyRow | null>;
  list(workspaceId: string): Promise<JourneyRow[]>;
  /** Published, live journeys with a trigger of this type (and event name, when given). */
  live(
    workspaceId: string,
    filter: { triggerType?: string | undefined; triggerEvent?: string | undefined },
  ): Promise<JourneyRow[]>;
  upsert(row: JourneyRow): Promise<void>;
  addVersion(row: JourneyVersionRow): Promise<void>;
  /** Sets a version's `publishedAt` when it has none yet (first publication). */
  markPublished(workspaceId: string, journeyId: string, version: number, at: number): Promise<void>;
  getVersion(
    workspaceId: string,
    journeyId: string,
    version: number,
  ): Promise<JourneyVersionRow | null>;
  listVersions(workspaceId: string, journeyId: string): Promise<JourneyVersionRow[]>;
}
