/**
 * Stored events (Segment calls), applied by the runtime in per-profile order.
 * Part of the storage contract (../store.ts); implemented by ../repos/events.repo.ts.
 */

/** A stored event (any Segment call). */
export interface EventRow {
  workspaceId: string;
  profileId: string;
  /** Global insertion order; the order events of one profile are applied in. */
  seq: number;
  messageId: string;
  type: 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias' | 'inbound';
  name: string;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
  /** Corrected event time. */
  timestamp: number;
  receivedAt: number;
  /** Set once the runtime has applied the event to triggers and runs. */
  processedAt: number | null;
  /** hash(profileId) mod PARTITIONS: workers lease partitions so a profile's events stay in order. */
  partition: number;
}

/** An event to insert (seq, processedAt assigned by the store). */
export type NewEvent = Omit<EventRow, 'seq' | 'processedAt'>;

/** Events. */
export interface EventRepo {
  /** Inserts, skipping duplicates of (workspace, messageId); returns the rows inserted. */
  insert(rows: NewEvent[]): Promise<EventRow[]>;
  /** Unprocessed events of the given partitions in seq order. */
  pending(partitions: number[], limit: number): Promise<EventRow[]>;
  /** Marks events processed (each named by its partition and seq, as `pending` returned it). */
  markProcessed(
    workspaceId: string,
    events: ReadonlyArray<Pick<EventRow, 'seq' | 'partition'>>,
    at: number,
  ): Promise<void>;
  listForProfile(
    workspaceId: string,
    profileId: string,
    opts: { limit: number; beforeSeq?: number | undefined },
  ): Promise<EventRow[]>;
  /** Re-points a merged profile's events to the survivor. */
  reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void>;
}
