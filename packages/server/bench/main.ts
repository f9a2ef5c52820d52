/**
 * `npm run bench`: measures, for SQLite and (when DATABASE_URL is set) PostgreSQL,
 * 1. events/s ingested through HTTP `/v1/batch` in batches of 100;
 * 2. journey transitions/s when 100,000 runs waiting on timers all come due at once;
 * 3. timer lateness p50/p99 with 100,000 timers coming due over ~20 s of wall-clock time
 *    (a steady 5,000 due per second) while the worker runs;
 * 4. peak RSS of the process (each backend runs in a process of its own);
 * 5. delivery (bench/delivery.ts, each measurement in a process of its own): a broadcast email
 *    (MJML + Liquid) to BENCH_EMAILS (10,000) and BENCH_EMAILS_LARGE (100,000) recipients through
 *    a local SMTP server, and BENCH_SMS (10,000) SMS to the local Twilio peer; rate from publish
 *    to the last message accepted, and peak RSS per audience size.
 * 6. personalisation (bench/personalize.ts): p50/p99 of GET /v1/personalize over HTTP on a warm
 *    server with 10,000 profiles (BENCH_PROFILES), 20,000 requests (BENCH_PERSONALIZE).
 * 7. reports (bench/reports.ts): `GET /api/journeys/:id/report` on a journey with
 *    BENCH_REPORT_MESSAGES (1,000,000) messages bulk-seeded by SQL: median and max of 7 calls.
 * 8. the operator app (bench/app.ts, once, on SQLite, in Chromium): bundle sizes, first screen cold
 *    and warm, and a 200-node journey in the editor: time to open and frames/s while panning.
 * Sizes can be lowered for a quick look: BENCH_EVENTS, BENCH_RUNS, BENCH_LATE; stages and
 * backends chosen with BENCH_ONLY=ingest,transitions,lateness,delivery,personalize,reports,app and
 * BENCH_BACKENDS=sqlite,postgres.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/app/ingest.ts';
import { applyJourney, checkJourney } from '../src/app/journeys.ts';
import { parseCall } from '../src/app/segment.ts';
import { DEFAULT_WORKSPACE } from '../src/app/workspaces.ts';
import { ManualClock } from '../src/clock.ts';
import { configFromEnv } from '../src/config.ts';
import { startHttp } from '../src/http/index.ts';
import { testDatabases } from '../src/storage/testing.ts';
import { createWaymark } from '../src/waymark.ts';
import { benchApp } from './app.ts';
import { benchPersonalize } from './personalize.ts';
import { benchReports } from './reports.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const LATE = Number(process.env.BENCH_LATE ?? 100_000);
/** Requests in flight from the ingestion load generator (throughput plateaus from 16 on). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WRITE_KEY = 'bench-write-key';
const CLIENT = fileURLToPath(new URL('./ingest-client.mjs', import.meta.url));
const DELIVERY = fileURLToPath(new URL('./delivery.ts', import.meta.url));
const EMAILS = Number(process.env.BENCH_EMAILS ?? 10_000);
const EMAILS_LARGE = Number(process.env.BENCH_EMAILS_LARGE ?? 100_000);
const SMS = Number(process.env.BENCH_SMS ?? 10_000);

const timerJourney = (id: string): string => `
schemaVersion: 1
id: ${id}
name: Timer bench
trigger: { type: event, event: bench_start }
start: pause
nodes:
  pause: { type: wait, until: { field: trigger.properties.due_at }, next: mark }
  mark: { type: update_profile, set: { benched: true }, next: done }
  done: { type: exit }
`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function benchIngest(url: string): Promise<number> {
  const wm = await createWaymark(
    configFromEnv({}, { databaseUrl: url, role: 'api', writeKey: WRITE_KEY }),
  );
  const http = await startHttp(wm, { port: 0, host: '127.0.0.1' });
  // The load comes from another process, as it would from real clients.
  const client = spawn(
    process.execPath,
    [CLIENT, http.address, WRITE_KEY, String(EVENTS), String(CONCURRENCY)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  client.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const cpu0 = process.cpuUsage();
  const [code] = (await once(client, 'exit')) as [number | null];
  const cpu = process.cpuUsage(cpu0);
  await http.close();
  await wm.close();
  if (code !== 0) throw new Error(`ingest client failed (${code})`);
  const { ms, events, cpuMs } = JSON.parse(out) as { ms: number; events: number; cpuMs: number };
  const serverUs = ((cpu.user + cpu.system) / events).toFixed(1);
  console.log(
    `  (server CPU ${serverUs} µs/event, load generator ${((cpuMs * 1000) / events).toFixed(1)} µs/event)`,
  );
  return events / (ms / 1000);
}

async function seedRuns(
  url: string,
  count: number,
  dueAt: (i: number) => number,
  clock?: ManualClock,
) {
  const wm = await createWaymark(configFromEnv({}, { databaseUrl: url, role: 'worker' }), {
    clock,
  });
  await applyJourney(wm.deps, DEFAULT_WORKSPACE, checkJourney(timerJourney('timers')));
  for (let i = 0; i < count; i += 1000) {
    const calls = [];
    for (let j = i; j < Math.min(count, i + 1000); j += 1) {
      calls.push(
        parseCall(
          'track',
          { userId: `r${j}`, event: 'bench_start', properties: { due_at: dueAt(j) } },
          '',
        ),
      );
    }
    await ingest(wm.deps, DEFAULT_WORKSPACE, calls);
  }
  return wm;
}

async function benchTransitions(url: string): Promise<number> {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const clock = new ManualClock(start);
  const wm = await seedRuns(url, RUNS, () => start + 60_000, clock);
  await wm.worker.drain(); // runs enter and wait
  clock.advance(60_000);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await wm.worker.drain(); // every run comes due at once
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(`  (engine CPU ${((cpu.user + cpu.system) / RUNS).toFixed(1)} µs/transition)`);
  await wm.close();
  return RUNS / seconds;
}

async function benchLateness(url: string): Promise<{ p50: number; p99: number; max: number }> {
  const spreadMs = 20_000;
  // Runs are created before their timers come due (the lead leaves time for that), so what is
  // measured is how late the worker wakes them, not how fast the backlog of entries drains.
  const leadMs = 10_000 + LATE / 2;
  const t0 = Date.now() + leadMs;
  const dueOf = (i: number): number => t0 + Math.floor((i / LATE) * spreadMs);
  const wm = await seedRuns(url, LATE, dueOf);
  await wm.worker.drain();
  const ready = Date.now();
  if (ready > t0) console.warn(`lateness: seeding ended ${ready - t0} ms after the first timer`);
  wm.worker.start();
  while (Date.now() < t0 + spreadMs + 60_000) {
    await new Promise((r) => setTimeout(r, 500));
    if (Date.now() > t0 + spreadMs && (await wm.store.runs.nextWake()) === null) break;
  }
  await wm.worker.stop();
  const late: number[] = [];
  for (let i = 0; i < LATE; i += 10) {
    const ref = `userId:r${i}`;
    const id = (
      await wm.store.profiles.resolve(DEFAULT_WORKSPACE, [{ kind: 'userId', value: `r${i}` }])
    ).get(ref);
    if (!id) continue;
    const [run] = await wm.store.runs.listForProfile(DEFAULT_WORKSPACE, id);
    const woke = run
      ? (await wm.store.runs.trace(DEFAULT_WORKSPACE, run.id)).find((t) => t.what === 'woke')
      : undefined;
    if (woke) late.push(Math.max(0, woke.at - dueOf(i)));
  }
  await wm.close();
  late.sort((a, b) => a - b);
  return { p50: percentile(late, 50), p99: percentile(late, 99), max: late.at(-1) ?? NaN };
}

/** One delivery measurement, in a process of its own (bench/delivery.ts). */
async function benchDelivery(
  kind: 'email' | 'sms',
  recipients: number,
  url: string,
): Promise<{ perSecond: number; seconds: number; rssMb: number }> {
  const child = spawn(
    process.execPath,
    // The server's heap budget (npm run bench passes the one npm start uses) applies here too.
    [
      ...process.execArgv.filter((a) => a.startsWith('--max-old-space-size')),
      '--import',
      'tsx',
      DELIVERY,
      kind,
      String(recipients),
      url,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 || !out.trim()) throw new Error(`delivery bench (${kind}) failed (${code})`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as {
    perSecond: number;
    seconds: number;
    rssMb: number;
  };
}

/** Targets of the engine issue, per backend, for the summary. */
const TARGETS = {
  sqlite: { events: 20_000, transitions: 10_000 },
  postgres: { events: 20_000, transitions: 5_000 },
} as const;

const only = new Set(
  (process.env.BENCH_ONLY ?? 'ingest,transitions,lateness,delivery,personalize,reports,app').split(
    ',',
  ),
);
const backends = new Set((process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(','));
const mark = (ok: boolean): string => (ok ? 'meets target' : 'BELOW TARGET');

const selected = testDatabases().filter((k) => backends.has(k.name));
if (only.has('app') && process.env.BENCH_APP_DONE !== '1') {
  // Once per run (the app does not depend on the backend), before the backends' stages.
  const r = await benchApp();
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  for (const a of r.assets) console.log(`app: ${a.file} ${kb(a.bytes)}, gzip ${kb(a.gzip)}`);
  const gzip = r.assets.reduce((sum, a) => sum + a.gzip, 0);
  console.log(`app: bundle ${kb(gzip)} gzip in all (${r.assets.length} files)`);
  console.log(
    `app: first screen (sign-in usable) cold ${r.coldMs.toFixed(0)} ms, warm ${r.warmMs.toFixed(0)} ms (median of 5) — target 1000 ms: ${mark(r.coldMs < 1000)}`,
  );
  if (r.editor)
    console.log(
      `app: ${r.editor.nodes}-node journey opens cold in ${r.editor.openMs.toFixed(0)} ms, warm in ${r.editor.warmOpenMs.toFixed(0)} ms — target 1000 ms warm: ${mark(r.editor.warmOpenMs < 1000)}; panning ${r.editor.fps.toFixed(0)} frames/s — target 50: ${mark(r.editor.fps >= 50)}`,
    );
  else console.log('app: no journey canvas in this build; editor not measured');
  process.env.BENCH_APP_DONE = '1';
}
if (selected.length > 1) {
  // Each backend in a process of its own, as a server runs one: its peak RSS is its own, and the
  // PostgreSQL figures do not inherit the SQLite run's heap.
  for (const kind of selected) {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_BACKENDS: kind.name },
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) process.exitCode = code ?? 1;
  }
  process.exit();
}

for (const kind of selected) {
  const target = TARGETS[kind.name];
  const stage = async <T>(fn: (url: string) => Promise<T>): Promise<T> => {
    const db = await kind.create();
    try {
      return await fn(db.url);
    } finally {
      await db.drop();
    }
  };
  if (only.has('ingest')) {
    const eps = await stage(benchIngest);
    console.log(
      `${kind.name}: ingest ${Math.round(eps)} events/s through HTTP /v1/batch (batches of 100, ${EVENTS} events) — target ${target.events}: ${mark(eps >= target.events)}`,
    );
  }
  if (only.has('transitions')) {
    const tps = await stage(benchTransitions);
    console.log(
      `${kind.name}: ${Math.round(tps)} transitions/s with ${RUNS} runs due at once — target ${target.transitions}: ${mark(tps >= target.transitions)}`,
    );
  }
  if (only.has('lateness')) {
    const late = await stage(benchLateness);
    console.log(
      `${kind.name}: timer lateness p50 ${late.p50} ms, p99 ${late.p99} ms, max ${late.max} ms (${LATE} timers due over 20 s) — target p99 1000 ms: ${mark(late.p99 <= 1000)}`,
    );
  }
  if (only.has('personalize')) {
    const r = await stage(benchPersonalize);
    console.log(
      `${kind.name}: GET /v1/personalize p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms (${Math.round(r.perSecond)} requests/s, 4 in flight, ${process.env.BENCH_PROFILES ?? 10_000} profiles) — target p99 5 ms: ${mark(r.p99 < 5)}`,
    );
  }
  if (only.has('reports')) {
    const r = await stage(benchReports);
    const ms = (x: { median: number; max: number }) =>
      `median ${x.median.toFixed(0)} ms, max ${x.max.toFixed(0)} ms`;
    console.log(
      `${kind.name}: journey report on ${r.messages} messages (seeded in ${r.seedSeconds.toFixed(0)} s): all versions ${ms(r.all)}; one version ${ms(r.version)}${kind.name === 'postgres' ? ` — target 1000 ms: ${mark(r.all.max < 1000 && r.version.max < 1000)}` : ''}`,
    );
  }
  if (only.has('delivery')) {
    const runs: Array<['email' | 'sms', number, number]> = [
      ['email', EMAILS, 1_000],
      ['email', EMAILS_LARGE, 1_000],
      ['sms', SMS, 2_000],
    ];
    for (const [channel, recipients, goal] of runs) {
      if (recipients <= 0) continue;
      const r = await stage((url) => benchDelivery(channel, recipients, url));
      console.log(
        `${kind.name}: ${Math.round(r.perSecond)} ${channel === 'email' ? 'emails' : 'SMS'}/s end to end (broadcast to ${recipients}, ${r.seconds.toFixed(1)} s), peak RSS ${r.rssMb.toFixed(0)} MB — target ${goal}/s: ${mark(r.perSecond >= goal)}`,
      );
    }
  }
}
const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `${[...backends].join(',')}: peak RSS ${rssMb.toFixed(0)} MB — target 300 MB: ${mark(rssMb < 300)}`,
);
