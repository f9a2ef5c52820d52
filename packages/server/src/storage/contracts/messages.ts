/**
 * The outbox: messages, webhooks and alerts to deliver, and their delivery state.
 * Part of the storage contract (../store.ts); implemented by ../repos/messages.repo.ts.
 */
import type { Page } from './page.ts';

/**
 * Outbox / message status. `unknown`: the process died while the provider had the message and
 * its channel sends at most once, so it is not sent again (it may or may not have gone out).
 */
export type MessageStatus =
  'pending' | 'sending' | 'sent' | 'delivered' | 'failed' | 'skipped' | 'dead' | 'unknown';

/** An outbox row: a message (or webhook/alert) to deliver, written with the state change. */
export interface MessageRow {
  workspaceId: string;
  profileId: string;
  id: string;
  /** Deterministic; unique per workspace. */
  idempotencyKey: string;
  runId: string | null;
  journeyId: string | null;
  /** The run's journey version (reports); absent on messages of no run. */
  version?: number | null | undefined;
  nodeId: string | null;
  kind: 'message' | 'webhook' | 'alert';
  channel: string;
  recipient: string | null;
  template: string | null;
  /** Rendered content (subject, body, html, …) or the webhook request. */
  content: Record<string, unknown>;
  status: MessageStatus;
  attempts: number;
  /** Not before this time (retries, send windows). */
  availableAt: number;
  /** Claimed until; a crashed worker's claim expires. */
  leaseUntil: number | null;
  providerMessageId: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
  /**
   * When the attempt in flight was handed to the provider; null (or absent) when none is. Set just
   * before the send, cleared with its recorded result: a row claimed with it set is one whose
   * sender died while the provider had it.
   */
  attemptAt?: number | null | undefined;
}

/** A row a worker holds, named by the lease it holds it with. */
export type HeldMessage = Pick<MessageRow, 'workspaceId' | 'profileId' | 'id' | 'leaseUntil'>;

/** The key `extendLeases` returns for a held row: workspace and id, which no id can forge. */
export const heldKey = (workspaceId: string, id: string): string => `${workspaceId}\u0000${id}`;

/** The outbox. */
export interface MessageRepo {
  /** Inserts, skipping duplicates of (workspace, idempotencyKey); returns the rows inserted. */
  insert(rows: MessageRow[]): Promise<MessageRow[]>;
  /**
   * Claims pending rows with `availableAt <= now` (and `sending` rows whose lease expired),
   * sets status `sending` and `leaseUntil` — and `availableAt` to the lease's end, so rows in
   * flight are out of the due range until then (renewing a lease moves both) — and returns them.
   * SKIP LOCKED on PostgreSQL.
   */
  claim(now: number, limit: number, leaseMs: number): Promise<MessageRow[]>;
  update(
    workspaceId: string,
    id: string,
    patch: Partial<
      Pick<
        MessageRow,
        | 'status'
        | 'attempts'
        | 'availableAt'
        | 'leaseUntil'
        | 'providerMessageId'
        | 'error'
        | 'updatedAt'
        | 'sentAt'
        | 'content'
        | 'recipient'
        | 'attemptAt'
      >
    >,
  ): Promise<void>;
  /**
   * Writes the delivery fields of many rows at once (status, attempts, availableAt, leaseUntil,
   * providerMessageId, error, updatedAt, sentAt, content), each row to its own values, matched by
   * (workspace, profile, id): one statement per chunk, for recording a batch of send results.
   * Given `contentChanged`, content is written only for the rows whose id it holds.
   */
  recordResults(rows: MessageRow[], contentChanged?: ReadonlySet<string>): Promise<void>;
  /**
   * Moves the leases of rows this worker holds to `leaseUntil` (and `availableAt` with them),
   * matching each row by the lease it was claimed or last renewed with: a row another worker has
   * claimed since is left alone. With `attemptAt`, also records that an attempt starts (just
   * before the rows go to their provider). Returns the ids updated, as `workspace NUL id`.
   */
  extendLeases(
    rows: readonly HeldMessage[],
    a: { leaseUntil: number; now: number; attemptAt?: number | undefined },
  ): Promise<Set<string>>;
  get(workspaceId: string, id: string): Promise<MessageRow | null>;
  getByKey(workspaceId: string, idempotencyKey: string): Promise<MessageRow | null>;
  list(
    workspaceId: string,
    opts: {
      limit: number;
      cursor?: string | undefined;
      channel?: string | undefined;
      profileId?: string | undefined;
      runId?: string | undefined;
    },
  ): Promise<Page<MessageRow>>;
  nextAvailable(): Promise<number | null>;
  /** The message a provider knows by this id (status callbacks, bounces); by index. */
  getByProviderId(workspaceId: string, providerMessageId: string): Promise<MessageRow | null>;
  /**
   * How many messages of the profile on the channel went out (`sent` or `delivered`) at or after
   * `since`; only the journey's when `journeyId` is given (frequency caps). By index.
   */
  countSent(a: {
    workspaceId: string;
    profileId: string;
    channel: string;
    since: number;
    journeyId?: string | undefined;
  }): Promise<number>;
}
