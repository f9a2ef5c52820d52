/**
 * The tables as Kysely sees them (snake_case, one interface per table). Repos map these rows to
 * the camelCase rows of store.ts. Times are epoch milliseconds (BIGINT on PostgreSQL, parsed to a
 * JS number; INTEGER on SQLite). JSON columns are jsonb on PostgreSQL (json for journey
 * definitions, which keep their key order) and TEXT on SQLite: they are written as JSON text and
 * read as `unknown` (parsed by pg, or text to parse on SQLite).
 */
import type { ColumnType, Generated } from 'kysely';
import type { AccessTables } from './schema-access.ts';
import type { RunStatus } from '@waymark/core';
import type {
  ConversionRow,
  EventRow,
  FormSubmissionRow,
  SubscriptionRow,
  SuppressionRow,
  IdentityKind,
  JourneyRow,
  KeyKind,
  MessageRow,
  TaskRow,
  TriggerTimerRow,
} from './store.ts';

/** Epoch milliseconds. */
type Ms = number;

/** A JSON column: written as JSON text, read as whatever the driver returns. */
export type Json = ColumnType<unknown, string, string>;

/** A nullable JSON column. */
export type NullableJson = ColumnType<unknown, string | null, string | null>;

/** `workspaces`: one row per workspace. */
export interface WorkspacesTable {
  id: string;
  name: string;
  timezone: string;
  created_at: Ms;
}

/** `api_keys`: SHA-256 hashes of write and admin keys. */
export interface ApiKeysTable {
  workspace_id: string;
  kind: KeyKind;
  hash: string;
  created_at: Ms;
}

/** `profiles`: customers. */
export interface ProfilesTable {
  workspace_id: string;
  id: string;
  traits: Json;
  created_at: Ms;
  updated_at: Ms;
  last_seen_at: Ms | null;
  merged_into: string | null;
}

/** `identities`: (kind, value) -> profile, unique per workspace. */
export interface IdentitiesTable {
  workspace_id: string;
  kind: IdentityKind;
  value: string;
  profile_id: string;
}

/** `events`: every Segment call; `seq` is the global insertion order. */
export interface EventsTable {
  seq: Generated<number>;
  workspace_id: string;
  profile_id: string;
  message_id: string;
  type: EventRow['type'];
  name: string;
  properties: Json;
  context: Json;
  timestamp: Ms;
  received_at: Ms;
  processed_at: Ms | null;
  partition: number;
}

/** `journeys`: one row per journey. */
export interface JourneysTable {
  workspace_id: string;
  id: string;
  name: string;
  published_version: number | null;
  latest_version: number;
  trigger_type: string | null;
  trigger_event: string | null;
  status: JourneyRow['status'];
  created_at: Ms;
  updated_at: Ms;
}

/** `journey_versions`: immutable definitions. */
export interface JourneyVersionsTable {
  workspace_id: string;
  journey_id: string;
  version: number;
  definition: Json;
  created_at: Ms;
  published_at: Ms | null;
}

/** `runs`: one profile's trip through a journey version; `state` is the evaluator's RunState. */
export interface RunsTable {
  workspace_id: string;
  profile_id: string;
  id: string;
  journey_id: string;
  version: number;
  status: RunStatus;
  node: string | null;
  wake_at: Ms | null;
  awaiting: NullableJson;
  state: Json;
  entered_at: Ms;
  updated_at: Ms;
  ended_at: Ms | null;
  exit: NullableJson;
}

/** `run_trace`: a run's history, one row per step (its lines as JSON); `id` orders them. */
export interface RunTraceTable {
  id: Generated<number>;
  workspace_id: string;
  profile_id: string;
  run_id: string;
  at: Ms;
  /** JSON array of `{ node, what, detail }`. */
  entries: Json;
}

/** `messages`: the outbox. */
export interface MessagesTable {
  workspace_id: string;
  profile_id: string;
  id: string;
  idempotency_key: string;
  run_id: string | null;
  journey_id: string | null;
  /** Added by 005: the run's journey version. */
  version: number | null;
  node_id: string | null;
  kind: MessageRow['kind'];
  channel: string;
  recipient: string | null;
  template: string | null;
  content: Json;
  status: MessageRow['status'];
  attempts: number;
  available_at: Ms;
  lease_until: Ms | null;
  provider_message_id: string | null;
  error: string | null;
  created_at: Ms;
  updated_at: Ms;
  sent_at: Ms | null;
  /** Added by 009: when the attempt in flight was handed to the provider; null when none is. */
  attempt_at: Ms | null;
}

/** `tasks`: work for staff. */
export interface TasksTable {
  workspace_id: string;
  profile_id: string;
  id: string;
  idempotency_key: string;
  run_id: string | null;
  journey_id: string | null;
  node_id: string | null;
  team: string;
  title: string;
  description: string | null;
  due_at: Ms;
  status: TaskRow['status'];
  assignee: string | null;
  outcome: string | null;
  note: string | null;
  created_at: Ms;
  updated_at: Ms;
  completed_at: Ms | null;
  /** Added by 002: when the overdue escalation went out. */
  escalated_at: Ms | null;
}

/** `lists`: audiences. */
export interface ListsTable {
  workspace_id: string;
  id: string;
  name: string;
  created_at: Ms;
}

/** `list_members`: profile membership of lists. */
export interface ListMembersTable {
  workspace_id: string;
  profile_id: string;
  list_id: string;
  added_at: Ms;
}

/** `conversions`: goals reached, attributed (added by 004). */
export interface ConversionsTable {
  workspace_id: string;
  profile_id: string;
  id: string;
  journey_id: string;
  version: number;
  run_id: string;
  goal_id: string;
  event_id: string;
  event_name: string;
  stage: ConversionRow['stage'];
  variant: string | null;
  node_id: string | null;
  message_id: string | null;
  channel: string | null;
  value: number | null;
  currency: string | null;
  at: Ms;
  created_at: Ms;
}

/** `conversion_windows`: open attribution windows per (profile, event name, journey, run) (004). */
export interface ConversionWindowsTable {
  workspace_id: string;
  profile_id: string;
  event_name: string;
  journey_id: string;
  run_id: string;
  until: Ms;
}

/** `run_visit_counts`: arrivals of runs at a node, per journey, version and variant ('' none) (005). */
export interface RunVisitCountsTable {
  workspace_id: string;
  journey_id: string;
  version: number;
  node_id: string;
  variant: string;
  runs: number;
}

/**
 * `run_edge_counts`: arrivals of runs at a node from another, per journey and version (008);
 * `from_node_id` '' for runs that entered the journey at the node.
 */
export interface RunEdgeCountsTable {
  workspace_id: string;
  journey_id: string;
  version: number;
  node_id: string;
  from_node_id: string;
  runs: number;
}

/** `message_outcomes`: first human and machine report of an outcome type per message (005). */
export interface MessageOutcomesTable {
  workspace_id: string;
  profile_id: string;
  message_key: string;
  type: string;
  journey_id: string;
  version: number;
  run_id: string;
  node_id: string;
  channel: string | null;
  template: string | null;
  human_at: Ms | null;
  machine_at: Ms | null;
}

/** `trigger_timers`: timers that may start runs, one per (workspace, journey, profile, kind). */
export interface TriggerTimersTable {
  workspace_id: string;
  profile_id: string;
  journey_id: string;
  kind: TriggerTimerRow['kind'];
  wake_at: Ms;
  data: Json;
}

/** `leases`: named leases held by worker processes (not per workspace). */
export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: Ms;
}

/** `channel_configs`: a channel's provider configuration per workspace. */
export interface ChannelConfigsTable {
  workspace_id: string;
  channel: string;
  provider: string;
  settings: Json;
  /** Encrypted secret settings, opaque to storage. */
  secrets: string | null;
  updated_at: Ms;
}

/** `subscriptions`: consent per (workspace, profile, channel, topic); topic '' = whole channel. */
export interface SubscriptionsTable {
  workspace_id: string;
  profile_id: string;
  channel: string;
  topic: string;
  status: SubscriptionRow['status'];
  source: string;
  updated_at: Ms;
}

/** `suppressions`: addresses no message may go to, per (workspace, channel, address). */
export interface SuppressionsTable {
  workspace_id: string;
  channel: string;
  address: string;
  reason: SuppressionRow['reason'];
  detail: string | null;
  created_at: Ms;
}

/** `forms`: form definitions per (workspace, id) (added by 003). */
export interface FormsTable {
  workspace_id: string;
  id: string;
  definition: Json;
  created_at: Ms;
  updated_at: Ms;
}

/** `form_submissions`: one per (workspace, profile, form, key) (added by 003). */
export interface FormSubmissionsTable {
  workspace_id: string;
  profile_id: string;
  form_id: string;
  key: string;
  id: string;
  status: FormSubmissionRow['status'];
  answers: Json;
  message_id: string | null;
  run_id: string | null;
  created_at: Ms;
  updated_at: Ms;
  submitted_at: Ms | null;
}

/** `migrations`: applied migrations (written by Kysely's Migrator). */
export interface MigrationsTable {
  name: string;
  timestamp: string;
}

/** `journey_drafts`: the editor's draft of a journey, per (workspace, journey) (added by 011). */
export interface JourneyDraftsTable {
  workspace_id: string;
  journey_id: string;
  document: Json;
  layout: Json;
  revision: number;
  updated_at: Ms;
  updated_by: string | null;
}

/** Every table of the store (access control's in schema-access.ts). */
export interface Database extends AccessTables {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  profiles: ProfilesTable;
  identities: IdentitiesTable;
  events: EventsTable;
  journeys: JourneysTable;
  journey_versions: JourneyVersionsTable;
  runs: RunsTable;
  run_trace: RunTraceTable;
  messages: MessagesTable;
  tasks: TasksTable;
  conversions: ConversionsTable;
  conversion_windows: ConversionWindowsTable;
  run_visit_counts: RunVisitCountsTable;
  run_edge_counts: RunEdgeCountsTable;
  message_outcomes: MessageOutcomesTable;
  lists: ListsTable;
  list_members: ListMembersTable;
  trigger_timers: TriggerTimersTable;
  leases: LeasesTable;
  channel_configs: ChannelConfigsTable;
  subscriptions: SubscriptionsTable;
  suppressions: SuppressionsTable;
  forms: FormsTable;
  form_submissions: FormSubmissionsTable;
  journey_drafts: JourneyDraftsTable;
  migrations: MigrationsTable;
}
