/**
 * The reports stage of `npm run bench`: a journey (A/B split with a holdout, email then SMS) with
 * BENCH_REPORT_MESSAGES (1,000,000) messages, bulk-seeded by SQL (generate_series on PostgreSQL,
 * a recursive CTE on SQLite) with its runs, node and edge arrivals, outcomes (opens, clicks, replies,
 * unsubscribes, human and machine) and conversions in proportion, then vacuumed and analysed as
 * autovacuum would. Times `GET /api/journeys/:id/report`'s use-case (app/reports.ts), all versions
 * and one version, REPORT_CALLS (7) calls each after a warm-up: median and max. Target: under 1 s.
 */
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { applyJourney, checkJourney } from '../src/app/journeys.ts';
import { journeyReport } from '../src/app/reports.ts';
import { DEFAULT_WORKSPACE } from '../src/app/workspaces.ts';
import { configFromEnv } from '../src/config.ts';
import { createWaymark } from '../src/waymark.ts';

const MESSAGES = Number(process.env.BENCH_REPORT_MESSAGES ?? 1_000_000);
const REPORT_CALLS = 7;
const DAY = 86_400_000;
const JOURNEY = 'bench-report';

const journey = (smsBody: string): string => `
schemaVersion: 1
id: ${JOURNEY}
name: Report bench
trigger: { type: event, event: signed_up }
start: pick
nodes:
  pick:
    type: split
    holdout: 10
    variants:
      - { name: a, weight: 1, next: email-a }
      - { name: b, weight: 1, next: email-b }
  email-a: { type: send, channel: email, template: promo-a, next: pause }
  email-b: { type: send, channel: email, template: promo-b, next: pause }
  pause: { type: wait, duration: P1D, next: text }
  text: { type: send, channel: sms, template: promo-sms, next: done }
  done: { type: exit }
policies:
  goals:
    - { id: purchased, event: order_completed, valueProperty: revenue }
templates:
  promo-a: { channel: email, subject: Spring is here, html: '<p>Fresh picks</p>' }
  promo-b: { channel: email, subject: Our spring sale, html: '<p>Up to 30% off</p>' }
  promo-sms: { channel: sms, body: "${smsBody}" }
`;

/**
 * The seeding statements over run numbers `i` of `g`: runs i = 1..RUNS; a tenth are held out
 * (no message), the others get an email (arm a or b by parity) and, unless they bought or are
 * still waiting, an SMS — about 1.6 messages a run.
 */
function seedStatements(dialect: 'sqlite' | 'postgres', runs: number, now: number): string[] {
  const pgsql = dialect === 'postgres';
  const series = pgsql
    ? `generate_series(1::bigint, ${runs}) as g(i)`
    : `(with recursive s(i) as (select 1 union all select i + 1 from s where i < ${runs}) select i from s) as g`;
  const json = (text: string) => (pgsql ? `'${text}'::jsonb` : `'${text}'`);
  const ws = `'${DEFAULT_WORKSPACE}'`;
  const start = now - 30 * DAY;
  // Entries spread over the last 30 days.
  const at = `(${start} + (g.i * ${Math.floor((29 * DAY) / runs)}))`;
  const held = 'g.i % 10 = 9';
  const bought = 'g.i % 20 in (2, 3)';
  const waiting = 'g.i % 20 = 0';
  const texted = `not (${held}) and not (${bought}) and not (${waiting})`;
  const variant = `case when ${held} then 'holdout' when g.i % 2 = 0 then 'a' else 'b' end`;
  const email = `case when g.i % 2 = 0 then 'email-a' else 'email-b' end`;
  const content = json(
    `{"subject":"Spring is here","html":"<p>Fresh picks for you this spring: new arrivals in every size and colour, delivered free.</p>","text":"Fresh picks for you this spring."}`,
  );
  // Arrivals at a node, counted per version and variant as the engine counts them, and per
  // version and the node they came from ('' for the entry).
  const visit = (node: string, where: string) =>
    `insert into run_visit_counts (workspace_id, journey_id, version, node_id, variant, runs)
     select ${ws}, '${JOURNEY}', case when g.i % 10 < 3 then 1 else 2 end, ${node}, ${variant},
       count(*) from ${series} where ${where}
     group by 3, 4, 5`;
  const edge = (from: string, node: string, where: string) =>
    `insert into run_edge_counts (workspace_id, journey_id, version, node_id, from_node_id, runs)
     select ${ws}, '${JOURNEY}', case when g.i % 10 < 3 then 1 else 2 end, ${node}, ${from},
       count(*) from ${series} where ${where}
     group by 3, 4, 5`;
  const message = (a: {
    id: string;
    node: string;
    channel: string;
    template: string;
    where: string;
    offset: number;
  }) =>
    `insert into messages (workspace_id, profile_id, id, idempotency_key, run_id, journey_id,
       version, node_id, kind, channel, recipient, template, content, status, attempts, available_at,
       lease_until, provider_message_id, error, created_at, updated_at, sent_at)
     select ${ws}, 'p' || g.i, '${a.id}' || g.i, 'r' || g.i || ':${a.id}', 'r' || g.i, '${JOURNEY}',
       case when g.i % 10 < 3 then 1 else 2 end, ${a.node}, 'message', '${a.channel}', 'c' || g.i || '@example.com', ${a.template}, ${content},
       case when g.i % 97 = 5 then 'skipped' when g.i % 50 = 3 then 'failed'
         when g.i % 3 = 0 then 'delivered' else 'sent' end,
       1, ${at} + ${a.offset}, null, null,
       case when g.i % 97 = 5 then 'unsubscribed from ${a.channel}'
         when g.i % 50 = 3 then 'rejected' else null end,
       ${at} + ${a.offset}, ${at} + ${a.offset},
       case when g.i % 97 = 5 then null else ${at} + ${a.offset} end
     from ${series} where ${a.where}`;
  const outcome = (a: {
    type: string;
    node: string;
    channel: string;
    key: string;
    where: string;
    human: string;
    machine: string;
  }) =>
    `insert into message_outcomes (workspace_id, profile_id, message_key, type, journey_id, version,
       run_id, node_id, channel, template, human_at, machine_at)
     select ${ws}, 'p' || g.i, 'r' || g.i || ':${a.key}', '${a.type}', '${JOURNEY}',
       case when g.i % 10 < 3 then 1 else 2 end, 'r' || g.i, ${a.node}, '${a.channel}', null,
       case when ${a.human} then ${at} + 3600000 else null end,
       case when ${a.machine} then ${at} + 60000 else null end
     from ${series} where ${a.where}`;
  return [
    `insert into runs (workspace_id, profile_id, id, journey_id, version, status, node, wake_at,
       awaiting, state, entered_at, updated_at, ended_at, exit)
     select ${ws}, 'p' || g.i, 'r' || g.i, '${JOURNEY}', case when g.i % 10 < 3 then 1 else 2 end,
       case when ${waiting} then 'waiting' when ${held} or ${bought} then 'exited' else 'completed' end,
       case when ${waiting} then 'pause' else null end,
       case when ${waiting} then ${now + DAY} else null end, null,
       ${pgsql ? `('{"variant":"' || ${variant} || '"}')::jsonb` : `'{"variant":"' || ${variant} || '"}'`},
       ${at}, ${at}, case when ${waiting} then null else ${at} + ${DAY} end,
       case when ${waiting} then null
         when ${held} then ${json('{"kind":"holdout"}')}
         when ${bought} then ${json('{"kind":"goal","goal":"purchased"}')}
         else ${json('{"kind":"completed"}')} end
     from ${series}`,
    visit(`'pick'`, 'true'),
    visit(email, `not (${held})`),
    visit(`'pause'`, `not (${held}) and not (${bought})`),
    visit(`'text'`, texted),
    visit(`'done'`, texted),
    edge(`''`, `'pick'`, 'true'),
    edge(`'pick'`, email, `not (${held})`),
    edge(email, `'pause'`, `not (${held}) and not (${bought})`),
    edge(`'pause'`, `'text'`, texted),
    edge(`'text'`, `'done'`, texted),
    message({
      id: 'me',
      node: email,
      channel: 'email',
      template: `case when g.i % 2 = 0 then 'promo-a' else 'promo-b' end`,
      where: `not (${held})`,
      offset: 0,
    }),
    message({
      id: 'ms',
      node: `'text'`,
      channel: 'sms',
      template: `'promo-sms'`,
      where: texted,
      offset: DAY,
    }),
    outcome({
      type: 'opened',
      node: email,
      channel: 'email',
      key: 'me',
      where: `not (${held}) and g.i % 5 in (0, 1, 2)`,
      human: 'g.i % 5 in (0, 2)',
      machine: 'g.i % 5 in (1, 2)',
    }),
    outcome({
      type: 'clicked',
      node: email,
      channel: 'email',
      key: 'me',
      where: `not (${held}) and (g.i % 10 = 0 or g.i % 30 = 7)`,
      human: 'g.i % 10 = 0',
      machine: 'g.i % 30 = 7',
    }),
    outcome({
      type: 'unsubscribed',
      node: email,
      channel: 'email',
      key: 'me',
      where: `not (${held}) and g.i % 200 = 11`,
      human: 'true',
      machine: 'false',
    }),
    outcome({
      type: 'replied',
      node: `'text'`,
      channel: 'sms',
      key: 'ms',
      where: `${texted} and g.i % 25 = 4`,
      human: 'true',
      machine: 'false',
    }),
    `insert into conversions (workspace_id, profile_id, id, journey_id, version, run_id, goal_id,
       event_id, event_name, stage, variant, node_id, message_id, channel, value, currency, at,
       created_at)
     select ${ws}, 'p' || g.i, 'cv' || g.i, '${JOURNEY}', case when g.i % 10 < 3 then 1 else 2 end,
       'r' || g.i, 'purchased', 'ev' || g.i, 'order_completed',
       case when ${bought} then 'in_run' else 'after_run' end, ${variant},
       case when ${held} then null else ${email} end,
       case when ${held} then null else 'me' || g.i end,
       case when ${held} then null else 'email' end,
       10 + g.i % 90, 'EUR', ${at} + 7200000, ${at} + 7200000
     from ${series} where ${bought} or g.i % 40 = 7`,
  ];
}

/** Seeds the journey's rows into the database at `url`; answers how many messages it wrote. */
export async function seed(url: string, runs: number, now: number): Promise<number> {
  if (url.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const statement of seedStatements('postgres', runs, now)) await client.query(statement);
      await client.query('vacuum analyze');
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from messages where journey_id = '${JOURNEY}'`,
      );
      return Number(rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  }
  const db = new SqliteDatabase(url.replace(/^sqlite:/, ''));
  try {
    db.transaction(() => {
      for (const statement of seedStatements('sqlite', runs, now)) db.exec(statement);
    })();
    const row = db
      .prepare<[], { n: number }>(
        `select count(*) as n from messages where journey_id = '${JOURNEY}'`,
      )
      .get();
    return row?.n ?? 0;
  } finally {
    db.close();
  }
}

/** Median and max (ms) of `calls` report calls, after one warm-up call. */
async function timeReport(call: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  await call();
  const times: number[] = [];
  for (let i = 0; i < REPORT_CALLS; i += 1) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times.at(-1)! };
}

/** The report's latency on the database at `url` with BENCH_REPORT_MESSAGES messages. */
export async function benchReports(url: string): Promise<{
  messages: number;
  seedSeconds: number;
  all: { median: number; max: number };
  version: { median: number; max: number };
}> {
  const wm = await createWaymark(configFromEnv({}, { databaseUrl: url, role: 'api' }));
  try {
    await applyJourney(wm.deps, DEFAULT_WORKSPACE, checkJourney(journey('Last days!')));
    await applyJourney(wm.deps, DEFAULT_WORKSPACE, checkJourney(journey('2 days left!')));
    const t0 = performance.now();
    const messages = await seed(url, Math.round(MESSAGES / 1.6), Date.now());
    const seedSeconds = (performance.now() - t0) / 1000;
    const all = await timeReport(() =>
      journeyReport(wm.deps, DEFAULT_WORKSPACE, { journeyId: JOURNEY }),
    );
    const version = await timeReport(() =>
      journeyReport(wm.deps, DEFAULT_WORKSPACE, { journeyId: JOURNEY, version: 2 }),
    );
    return { messages, seedSeconds, all, version };
  } finally {
    await wm.close();
  }
}
