/**
 * A quick micro-measurement of the store (not a test, not the engine's `npm run bench`):
 * ingestion of 100 batches of 100 events, then claiming and updating 10,000 due runs in
 * batches of 500 — alone, and with one trace line and one outbox row per run, as a transition
 * writes. Runs on a fresh SQLite file, and on PostgreSQL when DATABASE_URL is set.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     npx tsx packages/server/src/storage/measure.ts
 */
import type { RunState } from '@waymark/core';
import type { MessageRow, NewEvent, RunRow, RunTraceRow, Store } from './store.ts';
import { backends } from './testing.ts';

const WS = 'bench';
const T0 = Date.UTC(2026, 0, 1);
const EVENT_BATCHES = 100;
const EVENTS_PER_BATCH = 100;
const RUNS = 10_000;
const RUN_BATCH = 500;

/** A run as the engine stores it: a few hundred bytes of state. */
function dueRun(i: number): RunRow {
  const id = `run-${i}`;
  const profileId = `profile-${i % 2000}`;
  const state: RunState = {
    runId: id,
    journeyId: 'basket',
    version: 1,
    profileId,
    status: 'waiting',
    node: 'wait-open',
    wakeAt: T0 + (i % 1000),
    awaiting: { kind: 'duration', until: T0 + (i % 1000) },
    enteredAt: T0 - 3_600_000,
    updatedAt: T0 - 3_600_000,
    seq: 3,
    trigger: {
      id: `evt-${i}`,
      type: 'track',
      name: 'cart_abandoned',
      properties: { items: 3, total: 129.9, currency: 'EUR', sku: ['A-1', 'B-22', 'C-333'] },
      timestamp: T0 - 3_600_000,
    },
    messages: { email: { key: `${id}:email:1`, outcomes: ['delivered'] } },
    tasks: {},
    seen: [],
  };
  return {
    workspaceId: WS,
    profileId,
    id,
    journeyId: 'basket',
    version: 1,
    status: 'waiting',
    node: 'wait-open',
    wakeAt: state.wakeAt,
    awaiting: state.awaiting,
    state,
    enteredAt: state.enteredAt,
    updatedAt: state.updatedAt,
    endedAt: null,
    exit: null,
  };
}

function event(batch: number, i: number): NewEvent {
  const n = batch * EVENTS_PER_BATCH + i;
  return {
    workspaceId: WS,
    profileId: `profile-${n % 2000}`,
    messageId: `msg-${n}`,
    type: 'track',
    name: 'product_viewed',
    properties: { sku: `SKU-${n % 500}`, price: 19.99, category: 'shoes' },
    context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', library: { name: 'analytics-node' } },
    timestamp: T0 + n,
    receivedAt: T0 + n,
    partition: n % 16,
  };
}

/** Moves a claimed run one step on: the next wait, a bumped seq. */
function advance(r: RunRow, now: number): RunRow {
  const wakeAt = now + 86_400_000;
  const awaiting = { kind: 'duration' as const, until: wakeAt };
  return {
    ...r,
    node: 'sms',
    wakeAt,
    awaiting,
    updatedAt: now,
    state: { ...r.state, node: 'sms', wakeAt, awaiting, updatedAt: now, seq: r.state.seq + 1 },
  };
}

function traceOf(r: RunRow, now: number): RunTraceRow {
  return {
    workspaceId: r.workspaceId,
    profileId: r.profileId,
    runId: r.id,
    at: now,
    node: 'sms',
    what: 'woke',
    detail: 'timer',
  };
}

function messageOf(r: RunRow, now: number): MessageRow {
  return {
    workspaceId: r.workspaceId,
    profileId: r.profileId,
    id: `${r.id}-sms-${r.state.seq}`,
    idempotencyKey: `${r.id}:sms:${r.state.seq}`,
    runId: r.id,
    journeyId: r.journeyId,
    nodeId: 'sms',
    kind: 'message',
    channel: 'sms',
    recipient: '+33600000000',
    template: 'cart-sms',
    content: { body: 'You left some articles in your basket.' },
    status: 'pending',
    attempts: 0,
    availableAt: now,
    leaseUntil: null,
    providerMessageId: null,
    error: null,
    createdAt: now,
    updatedAt: now,
    sentAt: null,
  };
}

/** Milliseconds `fn` takes. */
async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Claims all due runs in batches, updating each batch (and writing more when `full`). */
async function transitions(store: Store, full: boolean): Promise<number> {
  const now = T0 + 10_000;
  let done = 0;
  for (;;) {
    const n = await store.transaction(async (tx) => {
      const due = await tx.runs.claimDue(now, RUN_BATCH);
      if (due.length === 0) return 0;
      await tx.runs.update(due.map((r) => advance(r, now)));
      if (full) {
        await tx.runs.appendTrace(due.map((r) => traceOf(r, now)));
        await tx.messages.insert(due.map((r) => messageOf(r, now)));
      }
      return due.length;
    });
    if (n === 0) return done;
    done += n;
  }
}

async function measure(store: Store): Promise<string[]> {
  const lines: string[] = [];
  const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString('en');

  const ingest = await timed(async () => {
    for (let b = 0; b < EVENT_BATCHES; b += 1) {
      const batch = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => event(b, i));
      await store.transaction((tx) => tx.events.insert(batch));
    }
  });
  const events = EVENT_BATCHES * EVENTS_PER_BATCH;
  lines.push(`events: ${events} in ${ingest.toFixed(0)} ms = ${perSecond(events, ingest)}/s`);

  for (const full of [false, true]) {
    const runs = Array.from({ length: RUNS }, (_, i) => ({ ...dueRun(i), id: `${full}-${i}` }));
    await store.transaction(async (tx) => {
      for (let i = 0; i < runs.length; i += 1000) await tx.runs.insert(runs.slice(i, i + 1000));
    });
    let moved = 0;
    const ms = await timed(async () => {
      moved = await transitions(store, full);
    });
    const what = full ? 'claim+update+trace+outbox' : 'claim+update';
    lines.push(`runs (${what}): ${moved} in ${ms.toFixed(0)} ms = ${perSecond(moved, ms)}/s`);
  }
  return lines;
}

for (const backend of backends()) {
  const store = await backend.open();
  try {
    for (const line of await measure(store)) console.log(`${backend.name.padEnd(8)} ${line}`);
  } finally {
    await store.close();
  }
}
