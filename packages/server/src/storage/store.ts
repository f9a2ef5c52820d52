/**
 * storage/ owns persistence: the `Store` contract below, its one Kysely implementation for the
 * embedded store (SQLite through better-sqlite3, WAL, synchronous=FULL) and PostgreSQL, and the
 * migrations. app/ and runtime/ see storage only through these interfaces; nothing outside
 * storage/ imports kysely, pg or better-sqlite3.
 *
 * Conventions: every row is keyed by workspace (and profile-owned rows also by profile, so tables
 * can be distributed by (workspace_id, profile_id)); times are epoch milliseconds; JSON columns
 * are plain objects at this interface.
 */
import type {
  Awaiting,
  ExitReason,
  JourneyDefinition,
  RunState,
  RunStatus,
  TraceEntry,
} from '@waymark/core';

/** Kinds of key a workspace has. */
export type KeyKind = 'write' | 'admin';

/** Identity kinds that resolve to a profile. */
export type IdentityKind = 'userId' | 'anonymousId' | 'email' | 'phone';

/** A workspace. */
export interface WorkspaceRow {
  id: string;
  name: string;
  timezone: string;
  createdAt: number;
}

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

/** A run: one profile's trip through one journey version. `state` is the evaluator's RunState. */
export interface RunRow {
  workspaceId: string;
  profileId: string;
  id: string;
  journeyId: string;
  version: number;
  status: RunStatus;
  node: string | null;
  /** Indexed: due-timer claims read `status in (active, waiting) and wake_at <= now`. */
  wakeAt: number | null;
  awaiting: Awaiting | null;
  state: RunState;
  enteredAt: number;
  updatedAt: number;
  endedAt: number | null;
  exit: ExitReason | null;
}

/** A line of a run's history. */
export interface RunTraceRow extends TraceEntry {
  workspaceId: string;
  profileId: string;
  runId: string;
}

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

/** A task for staff. */
export interface TaskRow {
  workspaceId: string;
  profileId: string;
  id: string;
  idempotencyKey: string;
  runId: string | null;
  journeyId: string | null;
  nodeId: string | null;
  team: string;
  title: string;
  description: string | null;
  dueAt: number;
  status: 'open' | 'claimed' | 'done';
  assignee: string | null;
  outcome: string | null;
  note: string | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
  /** When the overdue escalation went out (once per task); null until then. */
  escalatedAt: number | null;
}

/**
 * A conversion: a goal of a journey reached by a profile's event, attributed to the run and to the
 * last message it sent inside the goal's attribution window (node, message and channel are null
 * when no message qualifies: a conversion while the run was in progress, or of a held-out run).
 * Unique per (workspace, profile, journey, event, goal): an event converts a goal once per journey.
 */
export interface ConversionRow {
  workspaceId: string;
  profileId: string;
  id: string;
  journeyId: string;
  version: number;
  runId: string;
  goalId: string;
  /** The goal event's id (Segment `messageId`). */
  eventId: string;
  eventName: string;
  /** `in_run`: the run was in progress; `after_run`: it had ended, inside the window. */
  stage: 'in_run' | 'after_run';
  /** The run's split variant, `holdout` for the control group; null without a split. */
  variant: string | null;
  nodeId: string | null;
  messageId: string | null;
  channel: string | null;
  /** The goal's `valueProperty` of the event (revenue). */
  value: number | null;
  currency: string | null;
  /** The goal event's time. */
  at: number;
  createdAt: number;
}

/**
 * An open attribution window: until `until`, an event `eventName` of the profile may still
 * convert a goal of the run (which may have ended). Written when the run sends or is held out.
 */
export interface ConversionWindowRow {
  workspaceId: string;
  profileId: string;
  eventName: string;
  journeyId: string;
  runId: string;
  until: number;
}

/** Conversion counts and revenue of a group (a goal, a node, a channel, all). */
export interface ConversionTotals {
  conversions: number;
  /** Distinct runs with at least one conversion. */
  convertedRuns: number;
  /** Sum of the values (null values count as 0). */
  revenue: number;
}

/** A journey's conversions, aggregated by the storage (app/conversions.ts adds the rates). */
export interface ConversionAggregates {
  total: ConversionTotals;
  byGoal: Array<ConversionTotals & { goalId: string }>;
  byNode: Array<ConversionTotals & { nodeId: string | null; channel: string | null }>;
  byChannel: Array<ConversionTotals & { channel: string | null }>;
  /** Converted runs of the control group (variant `holdout`) and of the others. */
  convertedRunsByGroup: { holdout: number; treatment: number };
  /** Runs of the journey in the control group (variant `holdout`) and the others. */
  runsByGroup: { holdout: number; treatment: number };
}

/**
 * A run's arrival at a node (reports count them per node, and per edge by `fromNodeId`): each
 * line of a step's trace at a node other than the run's previous one, so that a run coming back
 * to a node (a loop through a wait) arrives there again.
 */
export interface RunVisitRow {
  workspaceId: string;
  journeyId: string;
  version: number;
  nodeId: string;
  /** The node the run came from; null when it entered the journey at `nodeId`. */
  fromNodeId: string | null;
  /** The run's split variant after the step (`holdout` for the control group). */
  variant: string | null;
}

/**
 * An outcome of a journey's message as it reached the run (opened, clicked, replied,
 * unsubscribed…), recorded for reports: per (message, type) the first human and the first machine
 * report are kept.
 */
export interface MessageOutcomeRecord {
  workspaceId: string;
  profileId: string;
  /** The message's idempotency key. */
  messageKey: string;
  type: string;
  journeyId: string;
  version: number;
  runId: string;
  nodeId: string;
  channel: string | null;
  template: string | null;
  /** Reported by a privacy proxy or a link scanner. */
  machine: boolean;
  at: number;
}

/** What a journey report counts: of one version or all, and the series' time range. */
export interface ReportQuery {
  workspaceId: string;
  journeyId: string;
  version?: number | undefined;
  /** The series covers `from <= t < to` (epoch ms). */
  from: number;
  to: number;
  /**
   * A time t in the range falls in bucket `floor((t + bucketOffsetMs) / bucketMs)`; the caller
   * chooses them so that no bucket straddles two local days.
   */
  bucketMs: number;
  bucketOffsetMs: number;
}

/** A journey's numbers, aggregated by the storage (app/reports.ts shapes and rates them). */
export interface ReportAggregates {
  /** Runs by version, status and current node; exited runs by version and exit reason (node null). */
  runs: Array<{
    version: number;
    status: RunStatus;
    node: string | null;
    exitKind: string | null;
    exitGoal: string | null;
    runs: number;
  }>;
  /** Arrivals at each node, by version and split variant. */
  visits: Array<{ version: number; nodeId: string; variant: string | null; runs: number }>;
  /**
   * Arrivals at each node by version and the node they came from (null: entered there), counted
   * since migration 008; a node's arrivals less its edges' are those counted before it.
   */
  edges: Array<{ version: number; fromNodeId: string | null; nodeId: string; runs: number }>;
  /** Outbox rows by node, channel, template and status; `sent`: those with a send time. */
  messages: Array<{
    nodeId: string | null;
    channel: string;
    template: string | null;
    status: MessageStatus;
    messages: number;
    sent: number;
  }>;
  /** Skipped rows by node and reason (`suppressed`, `unsubscribed`, `frequency_cap`, …). */
  skipped: Array<{
    nodeId: string | null;
    channel: string;
    template: string | null;
    reason: string;
    messages: number;
  }>;
  /** Messages with an outcome by node and type; `human`: a person reported it, else only machines. */
  outcomes: Array<{
    nodeId: string;
    channel: string | null;
    template: string | null;
    type: string;
    human: boolean;
    messages: number;
  }>;
  conversions: {
    total: ConversionTotals;
    byGoal: Array<ConversionTotals & { goalId: string }>;
    byNode: Array<ConversionTotals & { nodeId: string | null; channel: string | null }>;
    byChannel: Array<ConversionTotals & { channel: string | null }>;
    byVariant: Array<ConversionTotals & { variant: string | null }>;
  };
  /** Counts per bucket of the range (`ReportQuery`): entries, sends, opens and clicks, conversions. */
  series: {
    entered: Array<{ bucket: number; count: number }>;
    sent: Array<{ bucket: number; nodeId: string | null; channel: string; count: number }>;
    /** Opens and clicks: a person's first; a machine's first where no person's is recorded. */
    hits: Array<{ bucket: number; type: string; human: boolean; count: number }>;
    conversions: Array<{ bucket: number; count: number; revenue: number }>;
  };
}

/** A timer that may start a run: inactivity and date-attribute triggers, scheduled broadcasts. */
export interface TriggerTimerRow {
  workspaceId: string;
  journeyId: string;
  /** Profile the trigger is for; '' for journey-wide timers (a scheduled broadcast). */
  profileId: string;
  kind: 'inactivity' | 'date' | 'broadcast';
  wakeAt: number;
  data: Record<string, unknown>;
}

/** A list (audience) of profiles. */
export interface ListRow {
  workspaceId: string;
  id: string;
  name: string;
  createdAt: number;
}

/** A channel's provider configuration for a workspace (`/api/channels`, or env for the default). */
export interface ChannelConfigRow {
  workspaceId: string;
  /** `email`, `sms`, `voice`, `whatsapp`, `push`, `webhook`. */
  channel: string;
  /** `smtp`, `twilio`, `http-sms`, … */
  provider: string;
  /** Non-secret settings (from address, base URL, rate limit). */
  settings: Record<string, unknown>;
  /** Secret settings, encrypted with WAYMARK_SECRET_KEY (opaque to storage); null when none. */
  secrets: string | null;
  updatedAt: number;
}

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

/** An address no message may go to (hard bounce, complaint, manual), whatever the consent. */
export interface SuppressionRow {
  workspaceId: string;
  channel: string;
  /** Normalised address: lower-cased email, E.164 phone. */
  address: string;
  reason: 'hard_bounce' | 'complaint' | 'manual';
  detail: string | null;
  createdAt: number;
}

/** A form definition (validated by app/forms.ts; opaque JSON here). */
export interface FormRow {
  workspaceId: string;
  id: string;
  definition: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/**
 * A profile's answers to a form through one link: `key` names the link's message (`m:<id>`), else
 * its run (`r:<id>`), else `p` (the profile). `provisional` holds a one-click answer not yet
 * confirmed; `submitted` is final and never changes again.
 */
export interface FormSubmissionRow {
  workspaceId: string;
  profileId: string;
  formId: string;
  key: string;
  id: string;
  status: 'provisional' | 'submitted';
  /** Answers by question id. */
  answers: Record<string, unknown>;
  messageId: string | null;
  runId: string | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
}

/** Entry history of a profile in a journey, for re-entry policies. */
export interface EntryHistory {
  entries: number;
  lastEnteredAt: number | null;
  active: number;
}

/** A page of results with an opaque cursor for the next. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** Everything available inside one transaction. */
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
}

/** The storage contract, implemented once with Kysely for SQLite and PostgreSQL. */
export interface Store extends Tx {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<{ applied: string[] }>;
  /**
   * Runs `fn` in one transaction and commits, or rolls back when it throws. SQLite: BEGIN
   * IMMEDIATE (one writer). PostgreSQL: READ COMMITTED with row locks taken by claims.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Workspaces and their keys (keys are stored as SHA-256 hashes). */
export interface WorkspaceRepo {
  create(row: WorkspaceRow): Promise<void>;
  get(id: string): Promise<WorkspaceRow | null>;
  list(): Promise<WorkspaceRow[]>;
  addKey(key: {
    workspaceId: string;
    kind: KeyKind;
    hash: string;
    createdAt: number;
  }): Promise<void>;
  /** The workspace a key hash belongs to. */
  findByKey(kind: KeyKind, hash: string): Promise<string | null>;
  countKeys(workspaceId: string, kind: KeyKind): Promise<number>;
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

/** A profile's traits and list ids, for `/v1/personalize`. */
export interface PersonalizationRow {
  profileId: string;
  traits: Record<string, unknown>;
  /** List ids, sorted. */
  lists: string[];
}

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

/** Runs. */
export interface RunRepo {
  insert(rows: RunRow[]): Promise<void>;
  /** Writes state and its derived columns of each run. */
  update(rows: RunRow[]): Promise<void>;
  get(workspaceId: string, id: string): Promise<RunRow | null>;
  getMany(workspaceId: string, ids: string[]): Promise<RunRow[]>;
  listForProfile(workspaceId: string, profileId: string): Promise<RunRow[]>;
  /** Active or waiting runs of these profiles, oldest first. */
  activeForProfiles(workspaceId: string, profileIds: string[]): Promise<RunRow[]>;
  /**
   * Claims up to `limit` runs whose `wakeAt <= now` (active or waiting), oldest first, across
   * workspaces. PostgreSQL locks them (FOR UPDATE SKIP LOCKED) until the transaction ends.
   */
  claimDue(now: number, limit: number): Promise<RunRow[]>;
  /** Locks these runs for update (PostgreSQL) and returns their current rows. */
  lock(workspaceId: string, ids: string[]): Promise<RunRow[]>;
  entryHistory(workspaceId: string, journeyId: string, profileId: string): Promise<EntryHistory>;
  /** Entry histories of many profiles in one journey (profiles never entered are absent). */
  entryHistories(
    workspaceId: string,
    journeyId: string,
    profileIds: string[],
  ): Promise<Map<string, EntryHistory>>;
  appendTrace(rows: RunTraceRow[]): Promise<void>;
  trace(workspaceId: string, runId: string): Promise<RunTraceRow[]>;
  /** Next due time among waiting runs, for the worker's sleep. */
  nextWake(): Promise<number | null>;
  /** Re-points a merged profile's runs to the survivor. */
  reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void>;
}

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

/** Tasks for staff. */
export interface TaskRepo {
  insert(rows: TaskRow[]): Promise<TaskRow[]>;
  get(workspaceId: string, id: string): Promise<TaskRow | null>;
  list(
    workspaceId: string,
    opts: { team?: string | undefined; status?: TaskRow['status'] | undefined; limit: number },
  ): Promise<TaskRow[]>;
  update(
    workspaceId: string,
    id: string,
    patch: Partial<
      Pick<
        TaskRow,
        'status' | 'assignee' | 'outcome' | 'note' | 'updatedAt' | 'completedAt' | 'escalatedAt'
      >
    >,
  ): Promise<void>;
  /**
   * Open or claimed tasks due at or before `now` and not yet escalated, oldest first, across
   * workspaces; by index. PostgreSQL locks them (FOR UPDATE SKIP LOCKED) until the transaction
   * ends, so concurrent escalations in transactions take disjoint tasks.
   */
  overdue(now: number, limit: number): Promise<TaskRow[]>;
  /** The earliest due time of a task not yet done nor escalated (the worker's next wake-up). */
  nextOverdue(): Promise<number | null>;
  /**
   * Closes the open or claimed tasks among `idempotencyKeys` (status `done` with the outcome and
   * note given, at `at`), leaving done ones as they are; answers how many it closed.
   */
  closePending(
    workspaceId: string,
    idempotencyKeys: string[],
    close: { outcome: string; note: string; at: number },
  ): Promise<number>;
}

/** Conversions and the attribution windows that find them. */
export interface ConversionRepo {
  /** Inserts, skipping duplicates of (workspace, profile, journey, event, goal); returns the rows inserted. */
  insert(rows: ConversionRow[]): Promise<ConversionRow[]>;
  /** A journey's conversions, newest first (by goal event time, then id); of one goal when given. */
  list(
    workspaceId: string,
    journeyId: string,
    opts: { limit: number; cursor?: string | undefined; goalId?: string | undefined },
  ): Promise<Page<ConversionRow>>;
  /** Counts and revenue of a journey's conversions by goal, node and channel; runs per group. */
  aggregate(workspaceId: string, journeyId: string): Promise<ConversionAggregates>;
  /** Opens or extends windows: of a (profile, event, journey, run) the later `until` stays. */
  openWindows(rows: ConversionWindowRow[]): Promise<void>;
  /**
   * Windows of these profiles for these event names still open at `at` (`until >= at`); by the
   * primary key.
   */
  openWindowsFor(a: {
    workspaceId: string;
    profileIds: string[];
    eventNames: string[];
    at: number;
  }): Promise<ConversionWindowRow[]>;
  /** Deletes up to `limit` windows closed before `before`; returns how many. */
  pruneWindows(before: number, limit: number): Promise<number>;
}

/** What journey reports count: arrivals at nodes and message outcomes, and the aggregates. */
export interface ReportRepo {
  /**
   * Adds arrivals at nodes to their counts: one upsert per node and variant, one per node and the
   * node the runs came from.
   */
  recordVisits(rows: RunVisitRow[]): Promise<void>;
  /** Records outcomes; of a (message, type) the first human and first machine times stay. */
  recordOutcomes(rows: MessageOutcomeRecord[]): Promise<void>;
  /** A journey's counts, computed by aggregate queries over the report indexes of 005. */
  aggregate(q: ReportQuery): Promise<ReportAggregates>;
}

/** Channel provider configurations. */
export interface ChannelConfigRepo {
  list(workspaceId: string): Promise<ChannelConfigRow[]>;
  get(workspaceId: string, channel: string): Promise<ChannelConfigRow | null>;
  /** Inserts or replaces the configuration of (workspace, channel). */
  upsert(row: ChannelConfigRow): Promise<void>;
  /** True when a row was removed. */
  remove(workspaceId: string, channel: string): Promise<boolean>;
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

/** Suppressed addresses. */
export interface SuppressionRepo {
  get(workspaceId: string, channel: string, address: string): Promise<SuppressionRow | null>;
  /** The suppressed ones among `addresses` of a channel, by address. */
  getMany(
    workspaceId: string,
    channel: string,
    addresses: readonly string[],
  ): Promise<Map<string, SuppressionRow>>;
  /** Inserts; an existing suppression of the address is kept as it is. */
  add(row: SuppressionRow): Promise<void>;
  /** True when a row was removed. */
  remove(workspaceId: string, channel: string, address: string): Promise<boolean>;
  /** In (channel, address) order, of one channel when given. */
  list(
    workspaceId: string,
    opts: { limit: number; cursor?: string | undefined; channel?: string | undefined },
  ): Promise<Page<SuppressionRow>>;
}

/** Form definitions. */
export interface FormRepo {
  get(workspaceId: string, id: string): Promise<FormRow | null>;
  /** In id order. */
  list(workspaceId: string): Promise<FormRow[]>;
  /** Inserts or replaces the definition of (workspace, id); `createdAt` of an existing row stays. */
  upsert(row: FormRow): Promise<void>;
  /** True when a row was removed. */
  remove(workspaceId: string, id: string): Promise<boolean>;
}

/** Submissions of forms. */
export interface FormSubmissionRepo {
  get(
    workspaceId: string,
    profileId: string,
    formId: string,
    key: string,
  ): Promise<FormSubmissionRow | null>;
  /**
   * Records a provisional row: inserts it, or replaces the answers of a provisional one; a
   * submitted row is left as it is. Returns the row as stored.
   */
  saveProvisional(row: FormSubmissionRow): Promise<FormSubmissionRow>;
  /**
   * Makes the row submitted: inserts it, or turns a provisional one into it (keeping its id and
   * `createdAt`). False, changing nothing, when it was already submitted.
   */
  submit(row: FormSubmissionRow): Promise<boolean>;
  /** A form's submissions (both statuses) in id order, a page at a time; by index. */
  list(
    workspaceId: string,
    formId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<FormSubmissionRow>>;
}

/** Lists and memberships. */
export interface ListRepo {
  upsert(row: ListRow): Promise<void>;
  /** Creates the list when missing; an existing list keeps its name. */
  ensure(row: ListRow): Promise<void>;
  list(workspaceId: string): Promise<ListRow[]>;
  addMember(workspaceId: string, listId: string, profileId: string, at: number): Promise<void>;
  removeMember(workspaceId: string, listId: string, profileId: string): Promise<void>;
  /** List ids per profile. */
  membership(workspaceId: string, profileIds: string[]): Promise<Map<string, string[]>>;
  members(
    workspaceId: string,
    listId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<string>>;
  reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void>;
}

/** Timers that start runs. */
export interface TriggerTimerRepo {
  /** Sets (or moves) the timer of (workspace, journey, profile, kind). */
  upsert(rows: TriggerTimerRow[]): Promise<void>;
  delete(
    workspaceId: string,
    journeyId: string,
    profileId: string,
    kind: TriggerTimerRow['kind'],
  ): Promise<void>;
  /** Claims and deletes due timers (SKIP LOCKED on PostgreSQL); the caller acts in the same transaction. */
  claimDue(now: number, limit: number): Promise<TriggerTimerRow[]>;
  nextWake(): Promise<number | null>;
}

/** Named leases (event partitions, singleton jobs) held by worker processes. */
export interface LeaseRepo {
  /** Takes or renews the lease when free, expired or already ours; true when held. */
  acquire(name: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}
