// The engine end to end, in process, on a manual clock: waits and outcomes, send windows in the
// recipient's zone, goals, re-entry, versions, tasks. Run on SQLite and, when DATABASE_URL is set,
// on PostgreSQL. The triggers of every kind are in engine-triggers.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { enrol, recordOutcome } from '../app/outbox.ts';
import { completeTask, listTasks } from '../app/tasks.ts';
import { getProfile } from '../app/profiles.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { testDatabases } from '../storage/testing.ts';
import { startEngineStage, type EngineStage } from '../testing/engine-stage.ts';
import { advanceBy } from '../testing/virtual-time.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const basket = `
schemaVersion: 1
id: basket
name: Basket retargeting
trigger: { type: event, event: cart_abandoned }
start: email
nodes:
  email: { type: send, channel: email, template: cart-email, next: wait-open }
  wait-open: { type: wait_for, outcome: { node: email, is: [opened] }, timeout: 12h, next: done, onTimeout: sms }
  sms: { type: send, channel: sms, template: cart-sms, next: done }
  done: { type: exit }
policies:
  sendWindows: { sms: { start: "09:00", end: "21:00" } }
  goals: [{ id: ordered, event: order_completed, valueProperty: revenue }]
templates:
  cart-email: { channel: email, subject: "You left {{ trigger.properties.items }} items", body: "Come back" }
  cart-sms: { channel: sms, body: "Hello [[[first_name]]]. Just a friendly reminder that you've left some articles in your basket." }
`;

for (const kind of testDatabases()) {
  describe(`engine (${kind.name})`, () => {
    let ctx: EngineStage;
    before(async () => {
      // Tuesday 2026-05-05 00:30 UTC = 01:30 in Lisbon.
      ctx = await startEngineStage(kind, { start: '2026-05-05T00:30:00Z', journeys: [basket] });
    });
    after(() => ctx.close());

    it('sends the email at once and the SMS only after 12 h without an open, inside 09:00–21:00 local', async () => {
      await ctx.send('identify', {
        userId: 'ana',
        traits: {
          first_name: 'Ana',
          email: 'ana@example.com',
          phone: '+351912345678',
          timezone: 'Europe/Lisbon',
        },
      });
      // 2026-05-05 14:30 Lisbon: the 12 h timeout ends at 02:30 local, outside the window.
      ctx.clock.set(Date.parse('2026-05-05T13:30:00Z'));
      await ctx.send('track', {
        userId: 'ana',
        event: 'cart_abandoned',
        properties: { items: 3 },
      });
      let sent = await ctx.outbox('ana');
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.channel, 'email');
      assert.equal(sent[0]!.content.subject, 'You left 3 items');
      await advanceBy(ctx.waymark, 12 * HOUR + 60_000);
      assert.equal((await ctx.outbox('ana')).length, 1, 'no SMS at 02:31 Lisbon time');
      const view = await getProfile(ctx.waymark.deps, WS, 'userId:ana');
      assert.match(view.runs[0]!.where, /09:00/);
      await advanceBy(ctx.waymark, 7 * HOUR);
      sent = await ctx.outbox('ana');
      const sms = sent.find((m) => m.channel === 'sms');
      assert.ok(sms, 'the SMS went out in the morning');
      assert.equal(sms.recipient, '+351912345678');
      assert.equal(
        sms.content.body,
        "Hello Ana. Just a friendly reminder that you've left some articles in your basket.",
      );
      assert.equal(
        new Date(sms.createdAt).toISOString(),
        '2026-05-06T08:00:00.000Z',
        '09:00 in Lisbon (UTC+1)',
      );
    });

    it('sends no SMS to a customer who opened the email', async () => {
      await ctx.send('identify', {
        userId: 'bo',
        traits: { email: 'bo@example.com', phone: '+12125550100', timezone: 'America/New_York' },
      });
      await ctx.send('track', { userId: 'bo', event: 'cart_abandoned', properties: { items: 1 } });
      const [email] = await ctx.outbox('bo');
      await advanceBy(ctx.waymark, HOUR);
      await recordOutcome(ctx.waymark.deps, WS, { messageId: email!.id, type: 'opened' });
      await advanceBy(ctx.waymark, 2 * DAY);
      assert.deepEqual(
        (await ctx.outbox('bo')).map((m) => m.channel),
        ['email'],
      );
      const view = await getProfile(ctx.waymark.deps, WS, 'userId:bo');
      assert.equal(view.runs[0]!.status, 'exited');
    });

    it('exits at the goal and does not re-enter while a run is active', async () => {
      await ctx.send('identify', {
        userId: 'cy',
        traits: { email: 'cy@example.com', phone: '+4915112345678' },
      });
      await ctx.send('track', { userId: 'cy', event: 'cart_abandoned' });
      await ctx.send('track', { userId: 'cy', event: 'cart_abandoned' });
      let view = await getProfile(ctx.waymark.deps, WS, 'userId:cy');
      assert.equal(view.runs.length, 1, 'after_exit re-entry: one active run at a time');
      await ctx.send('track', {
        userId: 'cy',
        event: 'order_completed',
        properties: { revenue: 42 },
      });
      view = await getProfile(ctx.waymark.deps, WS, 'userId:cy');
      assert.equal(view.runs[0]!.status, 'exited');
      assert.match(view.runs[0]!.where, /goal ordered/);
      await advanceBy(ctx.waymark, DAY);
      assert.deepEqual(
        (await ctx.outbox('cy')).map((m) => m.channel),
        ['email'],
      );
    });

    it('keeps running runs on their version when a new version is published', async () => {
      await ctx.send('identify', {
        userId: 'di',
        traits: { email: 'di@example.com', phone: '+34600000000' },
      });
      await ctx.send('track', { userId: 'di', event: 'cart_abandoned' });
      const applied = await ctx.publish(
        basket.replace('timeout: 12h', 'timeout: 1h').replace('Basket retargeting', 'Basket v2'),
      );
      assert.equal(applied.version, 2);
      const view = await getProfile(ctx.waymark.deps, WS, 'userId:di');
      assert.equal(view.runs[0]!.version, 1);
      await advanceBy(ctx.waymark, 2 * HOUR);
      assert.equal(
        (await ctx.outbox('di')).filter((m) => m.channel === 'sms').length,
        0,
        'v1 still waits 12 h',
      );
    });

    it('enrols by hand, creates a task and branches on its outcome', async () => {
      await ctx.publish(`
schemaVersion: 1
id: collection
name: Collection call
trigger: { type: manual }
start: call
nodes:
  call: { type: task, team: collection, title: "Call {{ profile.traits.name }}", due: P1D, next: wait-call }
  wait-call: { type: wait_for, task: { node: call }, timeout: P3D, next: paid, onTimeout: done }
  paid: { type: branch, cases: [{ when: { field: last.task.outcome, op: eq, value: paid }, next: thanks }], default: done }
  thanks: { type: send, channel: email, template: thanks, next: done }
  done: { type: exit }
templates:
  thanks: { subject: "Thank you", body: "Payment received" }
`);
      await ctx.send('identify', {
        userId: 'ed',
        traits: { name: 'Ed', email: 'ed@example.com' },
      });
      await enrol(ctx.waymark.deps, WS, { journeyId: 'collection', profile: 'userId:ed' });
      const tasks = await listTasks(ctx.waymark.deps, WS, {
        team: 'collection',
        status: 'open',
        limit: 10,
      });
      assert.equal(tasks.length, 1);
      await completeTask(ctx.waymark.deps, WS, { taskId: tasks[0]!.id, outcome: 'paid' });
      await ctx.waymark.worker.drain();
      assert.deepEqual(
        (await ctx.outbox('ed')).map((m) => m.content.subject),
        ['Thank you'],
      );
    });
  });
}
