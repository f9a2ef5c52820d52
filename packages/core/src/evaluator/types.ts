import type { Channel, JourneyDefinition } from '../journey/schema.ts';
import type { MessageOutcomeType } from '../conditions/schema.ts';

/**
 * The evaluator's contract: `step(definition, state, input, now, rng) -> (state, commands)`.
 * Everything here is plain JSON-serialisable data; times are epoch milliseconds (UTC).
 */

/** An event of a profile, as the evaluator sees it. */
export interface EventFact {
  /** Unique per workspace (Segment `messageId`). */
  id: string;
  /** Segment call type. */
  type: 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias' | 'inbound';
  /** Event name: the track event; `page`/`screen` name; `identify` for identify calls. */
  name: string;
  properties: Record<string, unknown>;
  /** Corrected event time (epoch ms). */
  timestamp: number;
}

/** The profile a run belongs to, as loaded for a step. */
export interface ProfileFact {
  id: string;
  traits: Record<string, unknown>;
  /** List ids the profile belongs to. */
  lists: string[];
  /** The recipient's IANA zone when known (trait `timezone` or derived from the phone number). */
  timezone?: string | undefined;
}

/**
 * Understanding of an inbound reply (`replies/understand.ts` fills it in when the reply arrives;
 * the evaluator only reads it, as `last.reply.*`).
 */
export interface ReplyFact {
  /** The reply as the customer wrote it. */
  text: string;
  /** What it answers; `unknown` when it is no clear yes/no/stop/help. */
  intent?: 'yes' | 'no' | 'stop' | 'help' | 'unknown' | undefined;
  /** A score it gives (0–10, "4/5", "★★★★"), when it is one. */
  score?: number | undefined;
  /** Its first word, upper-cased (`SLIDES`). */
  keyword?: string | undefined;
}

/** An outcome of a message sent by a node of this run. */
export interface OutcomeFact {
  /** The idempotency key of the send command that produced the message. */
  messageKey: string;
  nodeId: string;
  type: MessageOutcomeType;
  at: number;
  /** Machine opens/clicks (privacy proxies, scanners) are flagged so journeys can ignore them. */
  machine?: boolean | undefined;
  reply?: ReplyFact | undefined;
  data?: Record<string, unknown> | undefined;
}

/** The outcome of a task created by a node of this run. */
export interface TaskOutcomeFact {
  /** The idempotency key of the task command. */
  taskKey: string;
  nodeId: string;
  /** `paid`, `no_answer`, or free text. */
  outcome: string;
  note?: string | undefined;
  at: number;
}

/** What a step reacts to. */
export type StepInput =
  | { kind: 'enter'; event?: EventFact | undefined; data?: Record<string, unknown> | undefined }
  | { kind: 'timer' }
  | { kind: 'event'; event: EventFact }
  | { kind: 'outcome'; outcome: OutcomeFact }
  | { kind: 'task'; task: TaskOutcomeFact }
  /** Someone took the profile off the journey (an operator, through the API). */
  | { kind: 'cancel'; reason: string };

/** What the run is waiting for, for display and for matching inputs. */
export type Awaiting =
  | { kind: 'duration'; until: number }
  | { kind: 'send_window'; until: number; channel: Channel }
  | { kind: 'event'; event: string; until: number }
  | { kind: 'outcome'; node: string; messageKey: string; is: MessageOutcomeType[]; until: number }
  | { kind: 'reply'; node: string; messageKey: string; until: number }
  | { kind: 'task'; node: string; taskKey: string; until: number };

/** Status of a run. */
export type RunStatus = 'active' | 'waiting' | 'completed' | 'exited';

/** Why a run ended. */
export type ExitReason =
  | { kind: 'completed' }
  | { kind: 'exit_node'; node: string; reason?: string | undefined }
  | { kind: 'goal'; goal: string }
  | { kind: 'holdout' }
  | { kind: 'definition_changed'; detail: string }
  | { kind: 'cancelled'; reason: string };

/** The durable state of one run: stored as JSON, plus indexed columns derived from it. */
export interface RunState {
  runId: string;
  journeyId: string;
  version: number;
  profileId: string;
  status: RunStatus;
  /** The node the run is at (null once ended). */
  node: string | null;
  /** When a timer must wake the run (a wait, a wait-for timeout, a send window); null: none. */
  wakeAt: number | null;
  awaiting: Awaiting | null;
  enteredAt: number;
  updatedAt: number;
  /** Monotonic step counter: part of every idempotency key this run produces. */
  seq: number;
  /** Split variant (or `holdout`). */
  variant?: string | undefined;
  /** The event that started the run. */
  trigger: EventFact | null;
  /** Data given with a manual enrolment. */
  data?: Record<string, unknown> | undefined;
  /** What the last wait-for received (read by `last.*` paths). */
  last?: { event?: EventFact; outcome?: OutcomeFact; task?: TaskOutcomeFact } | undefined;
  /** Message keys sent per node, and the outcomes each got (outcome conditions). */
  messages: Record<
    string,
    {
      key: string;
      outcomes: MessageOutcomeType[];
      /** Outcomes flagged `machine` (privacy proxies, scanners): kept apart; waits may ignore them. */
      machine?: MessageOutcomeType[] | undefined;
      /** The latest reply to the message, for a reply wait reached after the reply came. */
      reply?: ReplyFact | undefined;
      /** Data of the latest outcome (a webhook's `{ status, body }`), for a wait reached later. */
      data?: Record<string, unknown> | undefined;
    }
  >;
  /** Task keys per node. */
  tasks: Record<string, string>;
  /** Task outcomes per node, for a task wait reached after the outcome came. */
  taskOutcomes?: Record<string, TaskOutcomeFact> | undefined;
  /** Events seen while the run was active, kept only for names the definition refers to. */
  seen: Array<{
    /** The event's id, so a redelivered event is counted once. */
    id?: string | undefined;
    name: string;
    at: number;
    properties: Record<string, unknown>;
  }>;
  exit?: ExitReason | undefined;
}

/** Side effects a step asks the runtime to carry out, atomically with the new state. */
export type Command =
  | {
      type: 'send';
      /** Deterministic idempotency key: `${runId}:${nodeId}:${seq}`. */
      key: string;
      nodeId: string;
      channel: Channel;
      template: string;
      to?: string | undefined;
      transactional: boolean;
      topic?: string | undefined;
      connectTo?: string | undefined;
    }
  | { type: 'schedule'; wakeAt: number; reason: Awaiting['kind'] }
  | { type: 'await'; awaiting: Awaiting }
  | {
      type: 'update_profile';
      nodeId: string;
      set: Record<string, unknown>;
      unset: string[];
    }
  | { type: 'list'; nodeId: string; action: 'add' | 'remove'; list: string }
  | {
      type: 'interest';
      nodeId: string;
      /** The interest's name (slugged). */
      interest: string;
      weight: number;
      /** When the view was counted. */
      at: number;
      /** Sliding window, ms; absent: a running total (`personalization/interests.ts`). */
      within?: number | undefined;
    }
  | { type: 'site_flag'; nodeId: string; flag: string; value: boolean | string | number }
  | {
      type: 'task';
      key: string;
      nodeId: string;
      team: string;
      title: string;
      description?: string | undefined;
      dueAt: number;
    }
  | {
      type: 'webhook';
      key: string;
      nodeId: string;
      url: string;
      method: 'POST' | 'PUT' | 'PATCH';
      headers: Record<string, string>;
      body: unknown;
    }
  | {
      type: 'alert';
      key: string;
      nodeId: string;
      channel: 'email' | 'sms' | 'webhook';
      to: string;
      template: string;
    }
  | {
      type: 'conversion';
      goal: string;
      event: EventFact;
      value?: number | undefined;
      /** Currency of the value (the goal's `currencyProperty`), upper-cased. */
      currency?: string | undefined;
    }
  | { type: 'complete' }
  | { type: 'exit'; reason: ExitReason };

/** A human-readable line of the run's history ("waiting for email opened until …"). */
export interface TraceEntry {
  at: number;
  node: string | null;
  what:
    | 'entered'
    | 'node'
    | 'branch'
    | 'split'
    | 'waiting'
    | 'woke'
    | 'timeout'
    | 'matched'
    | 'skipped'
    | 'send_window'
    | 'goal'
    | 'exit'
    | 'completed'
    | 'ignored'
    /** The sender died while the provider had a message; it may or may not have gone out. */
    | 'unknown';
  detail: string;
}

/** Deterministic source of randomness in [0, 1). */
export type Rng = () => number;

/** Context loaded by the runtime for a step. */
export interface StepContext {
  profile: ProfileFact;
  /** The workspace's default zone, used when neither the profile nor the journey has one. */
  workspaceTimezone: string;
}

/** Arguments of `step` (an object: more than three parameters). */
export interface StepArgs {
  definition: JourneyDefinition;
  /** null when `input.kind` is `enter`. */
  state: RunState | null;
  input: StepInput;
  now: number;
  rng: Rng;
  context: StepContext;
  /** Identity of a new run (used when `state` is null). */
  run?: { runId: string; journeyId: string; version: number; profileId: string } | undefined;
}

/** What a step returns. */
export interface StepResult {
  state: RunState;
  commands: Command[];
  trace: TraceEntry[];
}
