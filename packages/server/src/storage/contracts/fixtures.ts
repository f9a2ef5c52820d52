/**
 * Rows and values the storage contract tests share (contracts/*.test.ts, ../store.contract.test.ts):
 * one builder per row type, each a valid row of workspace `WS` that a test overrides in part.
 */
import { JourneyDocument, type RunState } from '@waymark/core';
import type {
  ChannelConfigRow,
  MessageRow,
  NewEvent,
  ProfileRow,
  RunRow,
  SubscriptionRow,
  SuppressionRow,
  TaskRow,
  TriggerTimerRow,
} from '../store.ts';

/** The workspace the rows below belong to. */
export const WS = 'ws_a';
/** Another workspace, to show that rows of one never appear in the other. */
export const OTHER = 'ws_b';
/** The time the rows are made at. */
export const T0 = Date.UTC(2026, 4, 4, 9, 0, 0);
/** A minute, in milliseconds. */
export const MIN = 60_000;

/** A profile of `WS` with no traits. */
export function profile(id: string, over: Partial<ProfileRow> = {}): ProfileRow {
  return {
    workspaceId: WS,
    id,
    traits: {},
    createdAt: T0,
    updatedAt: T0,
    lastSeenAt: null,
    mergedInto: null,
    ...over,
  };
}

/** A `viewed` track event of profile `p1`. */
export function event(messageId: string, over: Partial<NewEvent> = {}): NewEvent {
  return {
    workspaceId: WS,
    profileId: 'p1',
    messageId,
    type: 'track',
    name: 'viewed',
    properties: {},
    context: {},
    timestamp: T0,
    receivedAt: T0,
    partition: 0,
    ...over,
  };
}

/** A run of `j1` waiting at `wait` until `T0`, with the evaluator state to match. */
export function run(id: string, over: Partial<RunRow> = {}): RunRow {
  const base = {
    workspaceId: WS,
    profileId: 'p1',
    id,
    journeyId: 'j1',
    version: 1,
    status: 'waiting' as const,
    node: 'wait',
    wakeAt: T0,
    awaiting: { kind: 'duration' as const, until: T0 },
    enteredAt: T0,
    updatedAt: T0,
    endedAt: null,
    exit: null,
    ...over,
  };
  const state: RunState = {
    runId: base.id,
    journeyId: base.journeyId,
    version: base.version,
    profileId: base.profileId,
    status: base.status,
    node: base.node,
    wakeAt: base.wakeAt,
    awaiting: base.awaiting,
    enteredAt: base.enteredAt,
    updatedAt: base.updatedAt,
    seq: 1,
    trigger: null,
    messages: {},
    tasks: {},
    seen: [],
  };
  return { state, ...base };
}

/** A pending email of run `r1`, due at `T0`. */
export function message(id: string, over: Partial<MessageRow> = {}): MessageRow {
  return {
    workspaceId: WS,
    profileId: 'p1',
    id,
    idempotencyKey: `key-${id}`,
    runId: 'r1',
    journeyId: 'j1',
    nodeId: 'email',
    kind: 'message',
    channel: 'email',
    recipient: 'ada@example.com',
    template: 'welcome',
    content: { subject: 'Hello' },
    status: 'pending',
    attempts: 0,
    availableAt: T0,
    leaseUntil: null,
    providerMessageId: null,
    error: null,
    createdAt: T0,
    updatedAt: T0,
    sentAt: null,
    ...over,
  };
}

/** An open task for the `sales` team, due at `T0`. */
export function task(id: string, over: Partial<TaskRow> = {}): TaskRow {
  return {
    workspaceId: WS,
    profileId: 'p1',
    id,
    idempotencyKey: `task-${id}`,
    runId: 'r1',
    journeyId: 'j1',
    nodeId: 'call',
    team: 'sales',
    title: 'Call back',
    description: null,
    dueAt: T0,
    status: 'open',
    assignee: null,
    outcome: null,
    note: null,
    createdAt: T0,
    updatedAt: T0,
    completedAt: null,
    escalatedAt: null,
    ...over,
  };
}

/** An inactivity timer of `j1` for a profile, due at `T0`. */
export function timer(profileId: string, over: Partial<TriggerTimerRow> = {}): TriggerTimerRow {
  return {
    workspaceId: WS,
    journeyId: 'j1',
    profileId,
    kind: 'inactivity',
    wakeAt: T0,
    data: {},
    ...over,
  };
}

/** An SMTP configuration of a channel, with sealed secrets. */
export function channelConfig(
  channel: string,
  over: Partial<ChannelConfigRow> = {},
): ChannelConfigRow {
  return {
    workspaceId: WS,
    channel,
    provider: 'smtp',
    settings: { from: 'news@example.com', port: 2525 },
    secrets: 'v1.sealed-box',
    updatedAt: T0,
    ...over,
  };
}

/** An unsubscription of a profile from a channel and topic by link. */
export function subscription(
  profileId: string,
  channel: string,
  topic: string,
  over: Partial<SubscriptionRow> = {},
): SubscriptionRow {
  return {
    workspaceId: WS,
    profileId,
    channel,
    topic,
    status: 'unsubscribed',
    source: 'unsubscribe_link',
    updatedAt: T0,
    ...over,
  };
}

/** A hard-bounce suppression of an address. */
export function suppression(
  channel: string,
  address: string,
  over: Partial<SuppressionRow> = {},
): SuppressionRow {
  return {
    workspaceId: WS,
    channel,
    address,
    reason: 'hard_bounce',
    detail: '550 5.1.1 no such user',
    createdAt: T0,
    ...over,
  };
}

/** A valid journey definition (`j1`: a trigger and an exit). */
export const definition = JourneyDocument.parse({
  schemaVersion: 1,
  id: 'j1',
  name: 'Welcome',
  trigger: { type: 'event', event: 'signed_up' },
  start: 'done',
  nodes: { done: { type: 'exit' } },
});

/** A value with everything JSON columns must carry unchanged. */
export const rich = {
  text: 'Grüße, 你好, مرحبا, 👩🏽‍💻, e\u0301',
  quote: 'she said "hi" \\ back',
  numbers: [0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e-7],
  flags: { yes: true, no: false, nothing: null },
  nested: { a: { b: { c: [{ d: 'deep' }, []] } } },
  empty: {},
};

/** Resolves when `release` is called: holds a transaction open. */
export function gate(): { wait: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { wait, release };
}
