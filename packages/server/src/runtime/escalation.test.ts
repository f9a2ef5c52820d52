// Task escalation end to end on a manual clock, on SQLite and (with DATABASE_URL) PostgreSQL: an
// overdue task alerts its manager exactly once — through the real webhook adapter to a local
// HTTP receiver, signed — and tasks done in time, or without an escalation, alert nobody.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../app/ingest.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import { listOutbox } from '../app/outbox.ts';
import { completeTask, listTasks } from '../app/tasks.ts';
import { parseCall, type CallType } from '../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { verifyWebhookSignature } from '../channels/webhook/index.ts';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { testDatabases, type TestDatabase } from '../test-databases.ts';
import { createWaymark, type Waymark } from '../waymark.ts';
import { DefinitionCache } from './definitions.ts';
import { escalateOverdue, escalationKey, type EscalationDeps } from './escalation.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SECRET = 'whsec_escalation_test_secret';

interface Hit {
  headers: IncomingMessage['headers'];
  raw: Buffer;
}

function journeys(receiver: string): string[] {
  return [
    `
schemaVersion: 1
id: service
name: Service follow-up
trigger: { type: event, event: delivery_failed }
start: call
nodes:
  call:
    type: task
    team: service
    title: Call about the missed delivery
    due: 2h
    escalate: { channel: webhook, to: "${receiver}/manager", template: manager }
    next: wait
  wait: { type: wait_for, task: { node: call }, timeout: 1d, onTimeout: done, next: done }
  done: { type: exit }
policies:
  goals: [{ id: resolved, event: delivery_resolved }]
templates:
  manager:
    channel: webhook
    subject: Overdue call
    body: "Call {{ profile.traits.name }} on {{ profile.traits.phone }} (order {{ event.properties.order }})"
`,
    `
schemaVersion: 1
id: quiet
name: No escalation
trigger: { type: event, event: quiet_task }
start: call
nodes:
  call: { type: task, team: service, title: Quiet call, due: 1h, next: done }
  done: { type: exit }
`,
  ];
}

interface Ctx {
  wm: Waymark;
  clock: ManualClock;
  db: TestDatabase;
  hits: Hit[];
  server: Server;
}

for (const kind of testDatabases()) {
  describe(`task escalation (${kind.name})`, () => {
    const ctx = { hits: [] } as unknown as Ctx;

    async function send(type: CallType, body: Record<string, unknown>): Promise<void> {
      const call = { timestamp: new Date(ctx.clock.now()).toISOString(), ...body };
      await ingest(ctx.wm.deps, WS, [parseCall(type, call, '')]);
      await ctx.wm.worker.drain();
    }

    async function advance(ms: number): Promise<void> {
      const target = ctx.clock.now() + ms;
      for (;;) {
        await ctx.wm.worker.drain();
        const next = (await ctx.wm.deps.engine.nextDue()) ?? Infinity;
        if (next > target) break;
        ctx.clock.set(next);
      }
      ctx.clock.set(target);
      await ctx.wm.worker.drain();
    }

    async function alertsOf(user: string) {
      const page = await listOutbox(ctx.wm.deps, WS, { limit: 100, profile: `userId:${user}` });
      return page.items.filter((m) => m.kind === 'alert');
    }

    async function taskOf(user: string) {
      const p = await ctx.wm.deps.store.profiles.resolve(WS, [{ kind: 'userId', value: user }]);
      const profileId = p.get(`userId:${user}`);
      const all = await listTasks(ctx.wm.deps, WS, { limit: 100 });
      const task = all.find((t) => t.profileId === profileId);
      assert.ok(task, `a task for ${user}`);
      return task;
    }

    /** What the worker's phase gets (a fresh definition cache reads the same stored versions). */
    function escalation(): EscalationDeps {
      return { store: ctx.wm.deps.store, clock: ctx.clock, definitions: new DefinitionCache() };
    }

    async function customer(user: string, name: string, event = 'delivery_failed') {
      await send('identify', { userId: user, traits: { name, phone: '+351912000111' } });
      await send('track', { userId: user, event, properties: { order: `A-${user}` } });
    }

    before(async () => {
      ctx.server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          ctx.hits.push({ headers: req.headers, raw: Buffer.concat(chunks) });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        });
      });
      await new Promise<void>((resolve) => ctx.server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(ctx.server.address() as AddressInfo).port}`;
      ctx.db = await kind.create();
      ctx.clock = new ManualClock(Date.parse('2026-05-05T09:00:00Z'));
      ctx.wm = await createWaymark(
        configFromEnv({}, { databaseUrl: ctx.db.url, role: 'worker', timezone: 'UTC' }),
        { clock: ctx.clock, env: { WEBHOOK_SIGNING_SECRET: SECRET } },
      );
      for (const doc of journeys(url)) await applyJourney(ctx.wm.deps, WS, checkJourney(doc));
    });
    after(async () => {
      await ctx.wm.close();
      await ctx.db.drop();
      ctx.server.closeAllConnections();
      await new Promise((resolve) => ctx.server.close(resolve));
    });

    it('alerts the manager once when the task is overdue, signed, with the customer', async () => {
      await customer('ana', 'Ana');
      const task = await taskOf('ana');
      assert.equal(task.dueAt, ctx.clock.now() + 2 * HOUR);
      const overdue = await listTasks(ctx.wm.deps, WS, { overdue: true, limit: 10 });
      assert.deepEqual(overdue, [], 'nothing is overdue yet');

      await advance(HOUR);
      assert.equal((await alertsOf('ana')).length, 0, 'not before the due time');

      await advance(HOUR + MIN);
      const [alert, ...more] = await alertsOf('ana');
      assert.ok(alert, 'an alert row');
      assert.deepEqual(more, []);
      assert.equal(alert.idempotencyKey, escalationKey(task));
      assert.equal(alert.channel, 'webhook');
      assert.equal(alert.status, 'sent', 'delivered through the webhook adapter');
      assert.equal(
        alert.content.body,
        'Call Ana on +351912000111 (order A-ana)',
        'rendered with the customer and the trigger',
      );
      assert.equal(ctx.hits.length, 1);
      const hit = ctx.hits[0]!;
      assert.equal(
        verifyWebhookSignature(SECRET, hit.headers, hit.raw, 300, ctx.clock.now()),
        true,
      );
      const payload = JSON.parse(hit.raw.toString('utf8')) as Record<string, unknown>;
      assert.equal(payload.type, 'alert');
      assert.equal(payload.subject, 'Overdue call');
      assert.equal(payload.text, 'Call Ana on +351912000111 (order A-ana)');
      assert.deepEqual(
        (payload.task as Record<string, unknown>).title,
        'Call about the missed delivery',
      );
      assert.equal(hit.headers['idempotency-key'], escalationKey(task));

      const stamped = await ctx.wm.deps.store.tasks.get(WS, task.id);
      assert.equal(stamped?.escalatedAt, task.dueAt, 'at the due time, not a poll later');
      assert.equal(stamped?.status, 'open', 'escalation does not close the task');
      const overdueNow = await listTasks(ctx.wm.deps, WS, { overdue: true, limit: 10 });
      assert.deepEqual(
        overdueNow.map((t) => t.id),
        [task.id],
      );
      const trace = await ctx.wm.deps.store.runs.trace(WS, task.runId!);
      assert.ok(trace.some((t) => /overdue: escalated by webhook/.test(t.detail)));

      await advance(3 * HOUR);
      assert.equal(await escalateOverdue(escalation()), 0);
      assert.equal((await alertsOf('ana')).length, 1, 'still one alert');
      assert.equal(ctx.hits.length, 1, 'and one call');
    });

    it('two escalation passes at once still write one alert', async () => {
      await customer('ben', 'Ben');
      ctx.clock.advance(2 * HOUR + MIN); // overdue, and no worker round has run since
      const counts = await Promise.all([
        escalateOverdue(escalation()),
        escalateOverdue(escalation()),
      ]);
      assert.equal(counts[0]! + counts[1]!, 1, 'one of them took the task');
      assert.equal((await alertsOf('ben')).length, 1);
      await ctx.wm.worker.drain(); // delivered here, not during the next test
    });

    it('a goal reached while the task is open closes it: nobody is called, nothing escalated', async () => {
      const before = ctx.hits.length;
      await customer('eli', 'Eli');
      const task = await taskOf('eli');
      await advance(HOUR);
      await send('track', { userId: 'eli', event: 'delivery_resolved' });
      const closed = await ctx.wm.deps.store.tasks.get(WS, task.id);
      assert.equal(closed?.status, 'done');
      assert.equal(closed.outcome, 'goal_reached');
      assert.equal(closed.note, 'closed by the journey: the customer reached the goal "resolved"');
      assert.equal(closed.completedAt, ctx.clock.now());
      const open = await listTasks(ctx.wm.deps, WS, { status: 'open', limit: 100 });
      assert.ok(!open.some((t) => t.id === task.id), 'off the open list');
      await advance(3 * HOUR);
      assert.deepEqual(await alertsOf('eli'), []);
      assert.equal(ctx.hits.length, before);
      await assert.rejects(
        completeTask(ctx.wm.deps, WS, { taskId: task.id, outcome: 'called' }),
        /already|done/i,
      );
    });

    it('a task done in time, or without an escalation, alerts nobody', async () => {
      const before = ctx.hits.length;
      await customer('cleo', 'Cleo');
      const task = await taskOf('cleo');
      await completeTask(ctx.wm.deps, WS, { taskId: task.id, outcome: 'called', by: 'maria' });
      await customer('dan', 'Dan', 'quiet_task');
      const quiet = await taskOf('dan');
      await advance(3 * HOUR);
      assert.deepEqual(await alertsOf('cleo'), []);
      assert.deepEqual(await alertsOf('dan'), []);
      assert.equal(ctx.hits.length, before);
      // Looked at once, then never again: the worker is not kept busy by it.
      assert.notEqual((await ctx.wm.deps.store.tasks.get(WS, quiet.id))?.escalatedAt, null);
      assert.equal(await ctx.wm.deps.store.tasks.nextOverdue(), null);
    });
  });
}
