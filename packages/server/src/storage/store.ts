/**
 * storage/ owns persistence: the `Store` contract, one file per aggregate in contracts/ (1:1 with
 * the Kysely repos in repos/) assembled here, its one Kysely implementation for the embedded
 * store (SQLite through better-sqlite3, WAL, synchronous=FULL) and PostgreSQL, and the
 * migrations. app/ and runtime/ see storage only through this file; nothing outside storage/
 * imports kysely, pg or better-sqlite3, and nothing outside it knows which backend it talks to:
 * what differs between them that callers tune to is in `StoreCapabilities`.
 *
 * Conventions: every row is keyed by workspace (and profile-owned rows also by profile, so tables
 * can be distributed by (workspace_id, profile_id)); times are epoch milliseconds; JSON columns
 * are plain objects at this interface.
 */
import type { WorkspaceRepo } from './contracts/workspaces.ts';
import type { ProfileRepo } from './contracts/profiles.ts';
import type { EventRepo } from './contracts/events.ts';
import type { JourneyRepo } from './contracts/journeys.ts';
import type { RunRepo } from './contracts/runs.ts';
import type { MessageRepo } from './contracts/messages.ts';
import type { TaskRepo } from './contracts/tasks.ts';
import type { ConversionRepo } from './contracts/conversions.ts';
import type { ReportRepo } from './contracts/reports.ts';
import type { TriggerTimerRepo } from './contracts/trigger-timers.ts';
import type { ListRepo } from './contracts/lists.ts';
import type { ChannelConfigRepo } from './contracts/channel-configs.ts';
import type { SubscriptionRepo } from './contracts/subscriptions.ts';
import type { SuppressionRepo } from './contracts/suppressions.ts';
import type { FormRepo, FormSubmissionRepo } from './contracts/forms.ts';
import type { LeaseRepo } from './contracts/leases.ts';
import type { UserRepo } from './contracts/users.ts';
import type { SessionRepo } from './contracts/sessions.ts';
import type { AuditRepo } from './contracts/audit.ts';
import type { JourneyDraftRepo } from './contracts/journey-drafts.ts';

export type * from './contracts/workspaces.ts';
export type * from './contracts/profiles.ts';
export type * from './contracts/personalization.ts';
export type * from './contracts/events.ts';
export type * from './contracts/journeys.ts';
export type * from './contracts/runs.ts';
export type * from './contracts/messages.ts';
export { heldKey } from './contracts/messages.ts';
export type * from './contracts/tasks.ts';
export type * from './contracts/conversions.ts';
export type * from './contracts/reports.ts';
export type * from './contracts/trigger-timers.ts';
export type * from './contracts/lists.ts';
export type * from './contracts/channel-configs.ts';
export type * from './contracts/subscriptions.ts';
export type * from './contracts/suppressions.ts';
export type * from './contracts/forms.ts';
export type * from './contracts/leases.ts';
export type * from './contracts/page.ts';
export type * from './contracts/users.ts';
export type * from './contracts/sessions.ts';
export type * from './contracts/audit.ts';
export type * from './contracts/journey-drafts.ts';

/**
 * Everything available inside one transaction: the one table of repos, by the field callers
 * reach them by. The store has the same fields, and the implementation's table of classes
 * (kysely-store.ts) is checked against this one, so a new repo is a line here and a line there.
 */
export interface Tx {
  workspaces: WorkspaceRepo;
  profiles: ProfileRepo;
  events: EventRepo;
  journeys: JourneyRepo;
  runs: RunRepo;
  messages: MessageRepo;
  tasks: TaskRepo;
  conversions: ConversionRepo;
  reports: ReportRepo;
  lists: ListRepo;
  triggerTimers: TriggerTimerRepo;
  leases: LeaseRepo;
  channelConfigs: ChannelConfigRepo;
  subscriptions: SubscriptionRepo;
  suppressions: SuppressionRepo;
  forms: FormRepo;
  formSubmissions: FormSubmissionRepo;
  users: UserRepo;
  sessions: SessionRepo;
  audit: AuditRepo;
  journeyDrafts: JourneyDraftRepo;
}

/**
 * What the backend can do, for callers that size or spread their work to it: these properties,
 * never the backend's name, are what app/ and runtime/ may depend on.
 */
export interface StoreCapabilities {
  /**
   * Claims lock the rows they take (`FOR UPDATE SKIP LOCKED`) until the transaction ends, so
   * concurrent transactions claim disjoint rows. Without, there is a single writer at a time.
   */
  readonly rowLocks: boolean;
  /**
   * Write transactions worth running at once: one where there is a single writer (they would only
   * queue), a few where the server commits them in parallel.
   */
  readonly writeLanes: number;
  /**
   * Due runs one claim should take. Larger batches pay off where each statement is a round trip
   * to a server (100,000 due runs on PostgreSQL: 4,100/s at 500 a batch, 5,600/s at 2,000);
   * an embedded store whose transactions run on the event loop keeps them short (500), so HTTP
   * answers stay quick in a single process.
   */
  readonly dueRunBatch: number;
}

/** The storage contract, implemented once with Kysely for SQLite and PostgreSQL. */
export interface Store extends Tx {
  readonly capabilities: StoreCapabilities;
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<{ applied: string[] }>;
  /**
   * Runs `fn` in one transaction and commits, or rolls back when it throws. SQLite: BEGIN
   * IMMEDIATE (one writer). PostgreSQL: READ COMMITTED with row locks taken by claims.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
