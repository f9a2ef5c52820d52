// Task escalation end to end on a manual clock, on SQLite and (with DATABASE_URL) PostgreSQL: an
// overdue task alerts its manager exactly once — through the real webhook adapter to a local
// HTTP receiver, signed — and tasks done in time, or without an escalation, alert nobody.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { completeTask, listTasks } from '../app/tasks.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { verifyWebhookSignature } from '../channels/webhook/index.ts';
import { testDatabases } from '../storage/testing.ts';
import { startEngineStage, type EngineStage } from '../testing/engine-stage.ts';
import { startRecordingPeer, type RecordingPeer } from '../testing/recording-peer.ts';
import { advanceBy } from '../testing/virtual-time.ts';
import { DefinitionCache } from './definitions.ts';
import { escalateOverdue, escalationKey, type EscalationDeps } from './escalation.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SECRET = 'whsec_escalation_test_secret';

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

for (const kind of testDatabases()) {
  describe(`task escalation (${kind.name})`, () => {
    let ctx: EngineStage;
    let receiver: RecordingPeer;

    async function alertsOf(user: string) {
      return (await ctx.outbox(user)).filter((m) => m.kind === 'alert');
    }

    async function taskOf(user: string) {
      const p = await ctx.waymark.deps.store.profiles.resolve(WS, [
        { kind: 'userId', value: user },
      ]);
      const profileId = p.get(`userId:${user}`);
      const all = await listTasks(ctx.waymark.deps, WS, { limit: 100 });
      const task = all.find((t) => t.profileId === profileId);
      assert.ok(task, `a task for ${user}`);
      return task;
    }

    /** What the worker's phase gets (a fresh definition cache reads the same stored versions). */
    function escalation(): EscalationDeps {
      return {
        store: ctx.waymark.deps.store,
        clock: ctx.clock,
        definitions: new DefinitionCache(),
      };
    }

    async function customer(user: string, name: string, event = 'delivery_failed') {
      await ctx.send('identify', { userId: user, traits: { name, phone: '+351912000111' } });
      await ctx.send('track', { userId: user, event, properties: { order: `A-${user}` } });
    }

    before(async () => {
      receiver = await startRecordingPeer();
      ctx = await startEngineStage(kind, {
        start: '2026-05-05T09:00:00Z',
        journeys: journeys(receiver.url),
        options: { env: { WEBHOOK_SIGNING_SECRET: SECRET } },
      });
    });
    after(async () => {
      await ctx.close();
      await receiver.close();
    });

    it('alerts the manager once when the task is overdue, signed, with the customer', async () => {
      await customer('ana', 'Ana');
      const task = await taskOf('ana');
      assert.equal(task.dueAt, ctx.clock.now() + 2 * HOUR);
      const overdue = await listTasks(ctx.waymark.deps, WS, { overdue: true, limit: 10 });
      assert.deepEqual(overdue, [], 'nothing is overdue yet');

      await advanceBy(ctx.waymark, HOUR);
      assert.equal((await alertsOf('ana')).length, 0, 'not before the due time');

      await advanceBy(ctx.waymark, HOUR + MIN);
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
      assert.equal(receiver.requests.length, 1);
      const hit = receiver.requests[0]!;
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

      const stamped = await ctx.waymark.deps.store.tasks.get(WS, task.id);
      assert.equal(stamped?.escalatedAt, task.dueAt, 'at the due time, not a poll later');
      assert.equal(stamped?.status, 'open', 'escalation does not close the task');
      const overdueNow = await listTasks(ctx.waymark.deps, WS, { overdue: true, limit: 10 });
      assert.deepEqual(
        overdueNow.map((t) => t.id),
        [task.id],
      );
      const trace = await ctx.waymark.deps.store.runs.trace(WS, task.runId!);
      assert.ok(trace.some((t) => /overdue: escalated by webhook/.test(t.detail)));

      await advanceBy(ctx.waymark, 3 * HOUR);
      assert.equal(await escalateOverdue(escalation()), 0);
      assert.equal((await alertsOf('ana')).length, 1, 'still one alert');
      assert.equal(receiver.requests.length, 1, 'and one call');
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
      await ctx.waymark.worker.drain(); // delivered here, not during the next test
    });

    it('a goal reached while the task is open closes it: nobody is called, nothing escalated', async () => {
      const before = receiver.requests.length;
      await customer('eli', 'Eli');
      const task = await taskOf('eli');
      await advanceBy(ctx.waymark, HOUR);
      await ctx.send('track', { userId: 'eli', event: 'delivery_resolved' });
      const closed = await ctx.waymark.deps.store.tasks.get(WS, task.id);
      assert.equal(closed?.status, 'done');
      assert.equal(closed.outcome, 'goal_reached');
      assert.equal(closed.note, 'closed by the journey: the customer reached the goal "resolved"');
      assert.equal(closed.completedAt, ctx.clock.now());
      const open = await listTasks(ctx.waymark.deps, WS, { status: 'open', limit: 100 });
      assert.ok(!open.some((t) => t.id === task.id), 'off the open list');
      await advanceBy(ctx.waymark, 3 * HOUR);
      assert.deepEqual(await alertsOf('eli'), []);
      assert.equal(receiver.requests.length, before);
      await assert.rejects(
        completeTask(ctx.waymark.deps, WS, { taskId: task.id, outcome: 'called' }),
        /already|done/i,
      );
    });

    it('a task done in time, or without an escalation, alerts nobody', async () => {
      const before = receiver.requests.length;
      await customer('cleo', 'Cleo');
      const task = await taskOf('cleo');
      await completeTask(ctx.waymark.deps, WS, { taskId: task.id, outcome: 'called', by: 'maria' });
      await customer('dan', 'Dan', 'quiet_task');
      const quiet = await taskOf('dan');
      await advanceBy(ctx.waymark, 3 * HOUR);
      assert.deepEqual(await alertsOf('cleo'), []);
      assert.deepEqual(await alertsOf('dan'), []);
      assert.equal(receiver.requests.length, before);
      // Looked at once, then never again: the worker is not kept busy by it.
      assert.notEqual((await ctx.waymark.deps.store.tasks.get(WS, quiet.id))?.escalatedAt, null);
      assert.equal(await ctx.waymark.deps.store.tasks.nextOverdue(), null);
    });
  });
}
