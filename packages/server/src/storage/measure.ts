/**
 * A micro-measurement of the store (not a test, not the engine's `npm run bench`) reproducing the
 * engine's hot pattern at scale, on a fresh SQLite file and, when DATABASE_URL is set, on a fresh
 * PostgreSQL database (created next to DATABASE_URL's, dropped afterwards):
 *
 * - transitions: RUNS runs (a realistic RunState, two trace lines each) all due at once; then,
 *   one transaction per batch: claimDue(now, 1000), runs.update (exited, no wake-up),
 *   appendTrace (one line each) and profiles.getMany of their profiles, until none is due;
 * - ingestion: one transaction per batch of 100 events (as app/ingest does): resolve 100
 *   identities, insert ~20 new profiles and their identities, insert the 100 events.
 *
 * Prints the rates and the statements that took the time (total ms / count).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     npx tsx packages/server/src/storage/measure.ts        # RUNS=100000 by default
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunState } from '@waymark/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { openStore, type QueryLog } from './open.ts';
import type { IdentityRow, NewEvent, ProfileRow, RunRow, RunTraceRow, Store } from './store.ts';

const WS = 'bench';
const T0 = Date.UTC(2026, 0, 1);
const RUNS = Number(process.env.RUNS ?? 100_000);
const CLAIM = 1000;
const EVENT_BATCHES = Number(process.env.EVENT_BATCHES ?? 300);
const EVENTS_PER_BATCH = 100;
const NEW_PROFILES_PER_BATCH = 20;

/** A run as the engine stores it: about 300 bytes of state, waiting on a timer. */
function dueRun(i: number): RunRow {
  const id = `run-${i.toString().padStart(7, '0')}`;
  const profileId = `profile-${i}`;
  const wakeAt = T0 + (i % 1000);
  const state: RunState = {
    runId: id,
    journeyId: 'basket',
    version: 1,
    profileId,
    status: 'waiting',
    node: 'wait-open',
    wakeAt,
    awaiting: { kind: 'duration', until: wakeAt },
    enteredAt: T0 - 3_600_000,
    updatedAt: T0 - 3_600_000,
    seq: 3,
    trigger: {
      id: `evt-${i}`,
      type: 'track',
      name: 'cart_abandoned',
      properties: { items: 3, total: 129.9, currency: 'EUR' },
      timestamp: T0 - 3_600_000,
    },
    messages: {},
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
    wakeAt,
    awaiting: state.awaiting,
    state,
    enteredAt: state.enteredAt,
    updatedAt: state.updatedAt,
    endedAt: null,
    exit: null,
  };
}

function profile(id: string, at: number): ProfileRow {
  return {
    workspaceId: WS,
    id,
    traits: { email: `${id}@example.com`, plan: 'pro', country: 'FR' },
    createdAt: at,
    updatedAt: at,
    lastSeenAt: at,
    mergedInto: null,
  };
}

const identity = (profileId: string, value: string): IdentityRow => ({
  workspaceId: WS,
  kind: 'userId',
  value,
  profileId,
});

/** The run after its last step: exited, nothing to wait for. */
function exited(r: RunRow, now: number): RunRow {
  return {
    ...r,
    status: 'exited',
    node: null,
    wakeAt: null,
    awaiting: null,
    updatedAt: now,
    endedAt: now,
    exit: { kind: 'completed' } as unknown as RunRow['exit'],
    state: {
      ...r.state,
      status: 'exited',
      node: null,
      wakeAt: null,
      awaiting: null,
      updatedAt: now,
      seq: r.state.seq + 1,
    } as unknown as RunState,
  };
}

const trace = (r: RunRow, at: number, what: RunTraceRow['what']): RunTraceRow => ({
  workspaceId: r.workspaceId,
  profileId: r.profileId,
  runId: r.id,
  at,
  node: r.node ?? 'done',
  what,
  detail: 'timer',
});

/** Statement timings by family (the first words of the statement). */
class Stats {
  readonly #by = new Map<string, { n: number; ms: number }>();
  on = false;

  record(q: QueryLog): void {
    if (!this.on) return;
    const key = q.sql
      .replace(/\s+/g, ' ')
      .replace(/\(\$\d+(::\w+)?(, \$\d+(::\w+)?)*\)(, \(\$\d+[^)]*\))*/g, '(…)')
      .replace(/\(\?(, \?)*\)(, \(\?[^)]*\))*/g, '(…)')
      .slice(0, 90);
    const s = this.#by.get(key) ?? { n: 0, ms: 0 };
    s.n += 1;
    s.ms += q.ms;
    this.#by.set(key, s);
  }

  report(prefix: string): string[] {
    const rows = [...this.#by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8);
    this.#by.clear();
    return rows.map(
      ([k, s]) =>
        `${prefix}  ${s.ms.toFixed(0).padStart(6)} ms / ${String(s.n).padStart(4)} = ${(s.ms / s.n).toFixed(1).padStart(5)} ms  ${k}`,
    );
  }
}

const perSecond = (n: number, ms: number): string =>
  Math.round((n / ms) * 1000).toLocaleString('en');

async function measure(store: Store, stats: Stats, name: string): Promise<void> {
  const log = (line: string) => console.log(`${name.padEnd(8)} ${line}`);
  let t = performance.now();
  for (let i = 0; i < RUNS; i += 2000) {
    const runs = Array.from({ length: Math.min(2000, RUNS - i) }, (_, k) => dueRun(i + k));
    await store.transaction(async (tx) => {
      await tx.profiles.insert(runs.map((r) => profile(r.profileId, T0 - 7_200_000)));
      await tx.profiles.link(runs.map((r) => identity(r.profileId, `user-${r.profileId}`)));
      await tx.runs.insert(runs);
      await tx.runs.appendTrace(
        runs.flatMap((r) => [trace(r, r.enteredAt, 'entered'), trace(r, r.enteredAt, 'waiting')]),
      );
    });
  }
  log(`setup: ${RUNS} runs in ${(performance.now() - t).toFixed(0)} ms`);

  const now = T0 + 10_000;
  let moved = 0;
  stats.on = true;
  t = performance.now();
  for (;;) {
    const n = await store.transaction(async (tx) => {
      const due = await tx.runs.claimDue(now, CLAIM);
      if (due.length === 0) return 0;
      await tx.profiles.getMany(
        WS,
        due.map((r) => r.profileId),
      );
      await tx.runs.update(due.map((r) => exited(r, now)));
      await tx.runs.appendTrace(due.map((r) => trace(r, now, 'exit')));
      return due.length;
    });
    if (n === 0) break;
    moved += n;
  }
  let ms = performance.now() - t;
  stats.on = false;
  log(`transitions: ${moved} in ${ms.toFixed(0)} ms = ${perSecond(moved, ms)}/s`);
  for (const line of stats.report(name)) console.log(line);

  stats.on = true;
  let n = 0;
  t = performance.now();
  for (let b = 0; b < EVENT_BATCHES; b += 1) {
    await store.transaction(async (tx) => {
      const users = Array.from({ length: EVENTS_PER_BATCH }, (_, i) =>
        i < NEW_PROFILES_PER_BATCH
          ? `new-${b}-${i}`
          : `user-profile-${(b * 7919 + i * 104_729) % RUNS}`,
      );
      const found = await tx.profiles.resolve(
        WS,
        users.map((value) => ({ kind: 'userId' as const, value })),
      );
      const fresh = users.filter((u) => !found.has(`userId:${u}`));
      const at = now + b;
      await tx.profiles.insert(fresh.map((u) => profile(`p-${u}`, at)));
      await tx.profiles.link(fresh.map((u) => identity(`p-${u}`, u)));
      const events: NewEvent[] = users.map((u, i) => ({
        workspaceId: WS,
        profileId: found.get(`userId:${u}`) ?? `p-${u}`,
        messageId: `msg-${b}-${i}`,
        type: 'track',
        name: 'product_viewed',
        properties: { sku: `SKU-${i}`, price: 19.99, category: 'shoes' },
        context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', library: { name: 'node' } },
        timestamp: at,
        receivedAt: at,
        partition: i % 16,
      }));
      n += (await tx.events.insert(events)).length;
    });
  }
  ms = performance.now() - t;
  stats.on = false;
  log(`ingestion: ${n} events in ${ms.toFixed(0)} ms = ${perSecond(n, ms)}/s`);
  for (const line of stats.report(name)) console.log(line);
}

/** Runs `fn` on the server's `postgres` database (where databases are created and dropped). */
async function onServer(base: URL, text: string): Promise<void> {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: admin.toString(), max: 1 }),
    }),
  });
  try {
    await sql.raw(text).execute(db);
  } finally {
    await db.destroy();
  }
}

async function run(name: string, url: string, cleanup: () => Promise<void>): Promise<void> {
  const stats = new Stats();
  const store = await openStore({ url, onQuery: (q) => stats.record(q) });
  try {
    await store.migrate();
    await measure(store, stats, name);
  } finally {
    await store.close();
    await cleanup();
  }
}

if (process.env.SQLITE !== '0') {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-measure-'));
  await run('sqlite', `sqlite:${join(dir, 'measure.db')}`, async () =>
    rmSync(dir, { recursive: true, force: true }),
  );
}
if (process.env.DATABASE_URL) {
  const base = new URL(process.env.DATABASE_URL);
  const db = `waymark_measure_${randomBytes(4).toString('hex')}`;
  await onServer(base, `create database ${db}`);
  if (process.env.EXPLAIN) {
    // Slow statements' plans go to the server log (auto_explain), for this database only.
    await onServer(
      base,
      `alter database ${db} set session_preload_libraries = 'auto_explain';` +
        `alter database ${db} set auto_explain.log_min_duration = '${process.env.EXPLAIN}';` +
        `alter database ${db} set auto_explain.log_analyze = on;` +
        `alter database ${db} set auto_explain.log_buffers = on`,
    );
  }
  const url = new URL(base);
  url.pathname = `/${db}`;
  await run('postgres', url.toString(), async () => {
    if (process.env.KEEP) console.log(`kept ${db}`);
    else await onServer(base, `drop database if exists ${db} with (force)`);
  });
}
