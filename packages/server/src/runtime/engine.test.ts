// The engine end to end, in process, on a manual clock: triggers of every kind, waits and
// outcomes, send windows in the recipient's zone, goals, re-entry, versions. Run on SQLite and,
// when DATABASE_URL is set, on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../app/ingest.ts';
import { applyJourney, checkJourney, setJourneyStatus } from '../app/journeys.ts';
import { enrol, listOutbox, recordOutcome } from '../app/outbox.ts';
import { completeTask, listTasks } from '../app/tasks.ts';
import { receiveInbound } from '../app/inbound.ts';
import { getProfile } from '../app/profiles.ts';
import { parseCall, type CallType } from '../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { testDatabases, type TestDatabase } from '../test-databases.ts';
import { createWaymark, type Waymark } from '../waymark.ts';

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

interface Ctx {
  wm: Waymark;
  clock: ManualClock;
  db: TestDatabase;
}

async function send(ctx: Ctx, type: CallType, body: Record<string, unknown>): Promise<void> {
  await ingest(ctx.wm.deps, WS, [
    parseCall(type, { timestamp: new Date(ctx.clock.now()).toISOString(), ...body }, ''),
  ]);
  await ctx.wm.worker.drain();
}

async function advance(ctx: Ctx, ms: number): Promise<void> {
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

async function outbox(ctx: Ctx, user: string) {
  return (await listOutbox(ctx.wm.deps, WS, { limit: 100, profile: `userId:${user}` })).items;
}

for (const kind of testDatabases()) {
  describe(`engine (${kind.name})`, () => {
    const ctx = {} as Ctx;
    before(async () => {
      ctx.db = await kind.create();
      // Tuesday 2026-05-05 00:30 UTC = 01:30 in Lisbon.
      ctx.clock = new ManualClock(Date.parse('2026-05-05T00:30:00Z'));
      ctx.wm = await createWaymark(
        configFromEnv({}, { databaseUrl: ctx.db.url, role: 'worker', timezone: 'UTC' }),
        { clock: ctx.clock },
      );
      await applyJourney(ctx.wm.deps, WS, checkJourney(basket));
    });
    after(async () => {
      await ctx.wm.close();
      await ctx.db.drop();
    });

    it('sends the email at once and the SMS only after 12 h without an open, inside 09:00–21:00 local', async () => {
      await send(ctx, 'identify', {
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
      await send(ctx, 'track', {
        userId: 'ana',
        event: 'cart_abandoned',
        properties: { items: 3 },
      });
      let sent = await outbox(ctx, 'ana');
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.channel, 'email');
      assert.equal(sent[0]!.content.subject, 'You left 3 items');
      await advance(ctx, 12 * HOUR + 60_000);
      assert.equal((await outbox(ctx, 'ana')).length, 1, 'no SMS at 02:31 Lisbon time');
      const view = await getProfile(ctx.wm.deps, WS, 'userId:ana');
      assert.match(view.runs[0]!.where, /09:00/);
      await advance(ctx, 7 * HOUR);
      sent = await outbox(ctx, 'ana');
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
      await send(ctx, 'identify', {
        userId: 'bo',
        traits: { email: 'bo@example.com', phone: '+12125550100', timezone: 'America/New_York' },
      });
      await send(ctx, 'track', { userId: 'bo', event: 'cart_abandoned', properties: { items: 1 } });
      const [email] = await outbox(ctx, 'bo');
      await advance(ctx, HOUR);
      await recordOutcome(ctx.wm.deps, WS, { messageId: email!.id, type: 'opened' });
      await advance(ctx, 2 * DAY);
      assert.deepEqual(
        (await outbox(ctx, 'bo')).map((m) => m.channel),
        ['email'],
      );
      const view = await getProfile(ctx.wm.deps, WS, 'userId:bo');
      assert.equal(view.runs[0]!.status, 'exited');
    });

    it('exits at the goal and does not re-enter while a run is active', async () => {
      await send(ctx, 'identify', {
        userId: 'cy',
        traits: { email: 'cy@example.com', phone: '+4915112345678' },
      });
      await send(ctx, 'track', { userId: 'cy', event: 'cart_abandoned' });
      await send(ctx, 'track', { userId: 'cy', event: 'cart_abandoned' });
      let view = await getProfile(ctx.wm.deps, WS, 'userId:cy');
      assert.equal(view.runs.length, 1, 'after_exit re-entry: one active run at a time');
      await send(ctx, 'track', {
        userId: 'cy',
        event: 'order_completed',
        properties: { revenue: 42 },
      });
      view = await getProfile(ctx.wm.deps, WS, 'userId:cy');
      assert.equal(view.runs[0]!.status, 'exited');
      assert.match(view.runs[0]!.where, /goal ordered/);
      await advance(ctx, DAY);
      assert.deepEqual(
        (await outbox(ctx, 'cy')).map((m) => m.channel),
        ['email'],
      );
    });

    it('keeps running runs on their version when a new version is published', async () => {
      await send(ctx, 'identify', {
        userId: 'di',
        traits: { email: 'di@example.com', phone: '+34600000000' },
      });
      await send(ctx, 'track', { userId: 'di', event: 'cart_abandoned' });
      const v2 = checkJourney(
        basket.replace('timeout: 12h', 'timeout: 1h').replace('Basket retargeting', 'Basket v2'),
      );
      const applied = await applyJourney(ctx.wm.deps, WS, v2);
      assert.equal(applied.version, 2);
      const view = await getProfile(ctx.wm.deps, WS, 'userId:di');
      assert.equal(view.runs[0]!.version, 1);
      await advance(ctx, 2 * HOUR);
      assert.equal(
        (await outbox(ctx, 'di')).filter((m) => m.channel === 'sms').length,
        0,
        'v1 still waits 12 h',
      );
    });

    it('enrols by hand, creates a task and branches on its outcome', async () => {
      const collection = checkJourney(`
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
      await applyJourney(ctx.wm.deps, WS, collection);
      await send(ctx, 'identify', {
        userId: 'ed',
        traits: { name: 'Ed', email: 'ed@example.com' },
      });
      await enrol(ctx.wm.deps, WS, { journeyId: 'collection', profile: 'userId:ed' });
      const tasks = await listTasks(ctx.wm.deps, WS, {
        team: 'collection',
        status: 'open',
        limit: 10,
      });
      assert.equal(tasks.length, 1);
      await completeTask(ctx.wm.deps, WS, { taskId: tasks[0]!.id, outcome: 'paid' });
      await ctx.wm.worker.drain();
      assert.deepEqual(
        (await outbox(ctx, 'ed')).map((m) => m.content.subject),
        ['Thank you'],
      );
    });

    it('starts a run after a quiet spell without scanning profiles (inactivity)', async () => {
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: winback
name: Win back
trigger: { type: inactivity, after: P30D }
start: hello
nodes:
  hello: { type: send, channel: email, template: miss-you, next: done }
  done: { type: exit }
templates:
  miss-you: { subject: "We miss you", body: "Come back" }
`),
      );
      await send(ctx, 'identify', { userId: 'fa', traits: { email: 'fa@example.com' } });
      await advance(ctx, 20 * DAY);
      await send(ctx, 'track', { userId: 'fa', event: 'page_viewed' });
      await advance(ctx, 29 * DAY);
      assert.equal((await outbox(ctx, 'fa')).length, 0, 'activity on day 20 moved the deadline');
      await advance(ctx, 2 * DAY);
      assert.deepEqual(
        (await outbox(ctx, 'fa')).map((m) => m.content.subject),
        ['We miss you'],
      );
    });

    it('broadcasts to everyone matching a condition', async () => {
      for (const u of ['g1', 'g2', 'g3']) {
        await send(ctx, 'identify', {
          userId: u,
          traits: { email: `${u}@example.com`, plan: u === 'g3' ? 'free' : 'pro' },
        });
      }
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: voucher
name: Voucher
trigger: { type: broadcast, audience: { field: profile.traits.plan, op: eq, value: pro } }
start: email
nodes:
  email: { type: send, channel: email, template: voucher, next: done }
  done: { type: exit }
templates:
  voucher: { subject: "Your code SAVE10", body: "Use SAVE10" }
`),
      );
      await ctx.wm.worker.drain();
      assert.equal((await outbox(ctx, 'g1')).length, 1);
      assert.equal((await outbox(ctx, 'g2')).length, 1);
      assert.equal((await outbox(ctx, 'g3')).length, 0);
    });

    it('fires a date trigger N days before a profile date, at a local hour', async () => {
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: renewal
name: Renewal reminder
trigger: { type: date, field: profile.traits.renews_on, offset: -P3D, at: "10:00" }
start: remind
nodes:
  remind: { type: send, channel: email, template: renew, next: done }
  done: { type: exit }
templates:
  renew: { subject: "Your plan renews on {{ profile.traits.renews_on }}", body: "-" }
`),
      );
      const now = ctx.clock.now();
      const renewsOn = new Date(now + 10 * DAY).toISOString().slice(0, 10);
      await send(ctx, 'identify', {
        userId: 'ha',
        traits: { email: 'ha@example.com', timezone: 'Asia/Kolkata', renews_on: renewsOn },
      });
      await advance(ctx, 6 * DAY);
      assert.equal((await outbox(ctx, 'ha')).length, 0);
      await advance(ctx, 2 * DAY);
      const [m] = await outbox(ctx, 'ha');
      assert.ok(m, 'reminder sent three days before');
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Kolkata',
        dateStyle: 'short',
        timeStyle: 'short',
      }).format(m.createdAt);
      const expected = new Date(Date.parse(`${renewsOn}T00:00:00Z`) - 3 * DAY);
      assert.equal(
        local,
        `${new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'short' }).format(expected)}, 10:00`,
      );
    });

    it('schedules existing profiles at publish in their zone, from the phone when no trait', async () => {
      const now = ctx.clock.now();
      const renewsOn = new Date(now + 10 * DAY).toISOString().slice(0, 10);
      // The profile exists before the journey: the publish-time backfill schedules it.
      await send(ctx, 'identify', {
        userId: 'ravi',
        traits: { email: 'ravi@example.com', phone: '+91 98765 43210', renews_on: renewsOn },
      });
      await ctx.wm.worker.drain();
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: renewal-backfill
name: Renewal reminder
trigger: { type: date, field: profile.traits.renews_on, offset: -P3D, at: "10:00" }
start: remind
nodes:
  remind: { type: send, channel: email, template: renew, next: done }
  done: { type: exit }
templates:
  renew: { subject: "Your plan renews soon", body: "-" }
`),
      );
      await advance(ctx, 8 * DAY);
      const [m] = await outbox(ctx, 'ravi');
      assert.ok(m, 'reminder sent three days before');
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Kolkata',
        timeStyle: 'short',
      }).format(m.createdAt);
      assert.equal(local, '10:00', 'at 10:00 in Kolkata, the zone of the +91 number');
    });

    it('fires a date trigger relative to a date carried by an event (appointment reminder)', async () => {
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: appointment-reminder
name: Appointment reminder
trigger: { type: date, event: appointment_booked, field: event.properties.appointment_at, offset: -P1D }
start: remind
nodes:
  remind: { type: send, channel: sms, template: remind, next: done }
  done: { type: exit }
templates:
  remind: { body: "See you tomorrow at {{ trigger.properties.place }}" }
`),
      );
      await send(ctx, 'identify', { userId: 'ia', traits: { phone: '+351911111111' } });
      const at = ctx.clock.now() + 5 * DAY;
      await send(ctx, 'track', {
        userId: 'ia',
        event: 'appointment_booked',
        properties: { appointment_at: new Date(at).toISOString(), place: 'Rua Augusta 1' },
      });
      await advance(ctx, 3 * DAY);
      assert.equal((await outbox(ctx, 'ia')).length, 0);
      await advance(ctx, 2 * DAY);
      const [m] = await outbox(ctx, 'ia');
      assert.equal(m?.content.body, 'See you tomorrow at Rua Augusta 1');
      assert.equal(m?.createdAt, at - DAY);
    });

    it('starts a run on an inbound SMS keyword to a virtual number', async () => {
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: slides
name: Lecture slides
trigger: { type: inbound, channel: sms, to: "+351 300 000 000", keyword: slides }
start: reply
nodes:
  reply: { type: send, channel: sms, template: slides, to: trigger.properties.from, next: join }
  join: { type: list, action: add, list: course-101, next: done }
  done: { type: exit }
templates:
  slides: { body: "Here are the slides: https://example.com/s" }
`),
      );
      await receiveInbound(ctx.wm.deps, WS, {
        channel: 'sms',
        from: '+351 922 222 222',
        to: '+351300000000',
        body: 'Slides please',
        messageId: 'SM1',
      });
      await receiveInbound(ctx.wm.deps, WS, {
        channel: 'sms',
        from: '+351922222222',
        to: '+351300000000',
        body: 'Slides please',
        messageId: 'SM1',
      });
      await receiveInbound(ctx.wm.deps, WS, {
        channel: 'sms',
        from: '+351933333333',
        to: '+351300000000',
        body: 'hello',
        messageId: 'SM2',
      });
      await ctx.wm.worker.drain();
      const view = await getProfile(ctx.wm.deps, WS, 'phone:+351922222222');
      assert.deepEqual(view.lists, ['course-101']);
      const sent = (await listOutbox(ctx.wm.deps, WS, { limit: 10, profile: view.profile.id }))
        .items;
      assert.deepEqual(
        sent.map((m) => [m.recipient, m.content.body]),
        [['+351922222222', 'Here are the slides: https://example.com/s']],
      );
      const other = await getProfile(ctx.wm.deps, WS, 'phone:+351933333333');
      assert.equal(other.runs.length, 0, 'no keyword, no run');
    });

    it('starts a run when a profile enters a segment, not while it stays in', async () => {
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: vip-welcome
name: VIP welcome
trigger: { type: segment, condition: { field: profile.traits.tier, op: eq, value: vip }, on: enter }
policies: { reentry: { mode: concurrent } }
start: hello
nodes:
  hello: { type: send, channel: email, template: vip, next: done }
  done: { type: exit }
templates:
  vip: { subject: "Welcome to VIP", body: "-" }
`),
      );
      await send(ctx, 'identify', {
        userId: 'ja',
        traits: { email: 'ja@example.com', tier: 'basic' },
      });
      assert.equal((await outbox(ctx, 'ja')).length, 0);
      await send(ctx, 'identify', { userId: 'ja', traits: { tier: 'vip' } });
      await send(ctx, 'identify', { userId: 'ja', traits: { tier: 'vip', city: 'Porto' } });
      assert.equal((await outbox(ctx, 'ja')).length, 1, 'entered once: staying in is no entry');
      await send(ctx, 'identify', { userId: 'ja', traits: { tier: 'basic' } });
      await send(ctx, 'identify', { userId: 'ja', traits: { tier: 'vip' } });
      assert.equal((await outbox(ctx, 'ja')).length, 2, 'left and came back: a new entry');
    });

    it('schedules inactivity timers for profiles that existed before publishing', async () => {
      await send(ctx, 'identify', { userId: 'ka', traits: { email: 'ka@example.com' } });
      await advance(ctx, 10 * DAY);
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: dormant
name: Dormant
trigger: { type: inactivity, after: P14D }
start: hello
nodes:
  hello: { type: send, channel: email, template: hi, next: done }
  done: { type: exit }
templates:
  hi: { subject: "Still with us?", body: "-" }
`),
      );
      await advance(ctx, 3 * DAY);
      assert.equal(
        (await outbox(ctx, 'ka')).filter((m) => m.content.subject === 'Still with us?').length,
        0,
      );
      await advance(ctx, 2 * DAY);
      assert.equal(
        (await outbox(ctx, 'ka')).filter((m) => m.content.subject === 'Still with us?').length,
        1,
        '14 days after the last activity, though that was before the journey existed',
      );
    });

    it('counts only the listed events as activity for an inactivity trigger', async () => {
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: no-orders
name: No orders
trigger: { type: inactivity, after: P10D, activity: [order_completed] }
start: hello
nodes:
  hello: { type: send, channel: email, template: hi, next: done }
  done: { type: exit }
templates:
  hi: { subject: "Time to reorder?", body: "-" }
`),
      );
      const reorder = async () =>
        (await outbox(ctx, 'la')).filter((m) => m.content.subject === 'Time to reorder?').length;
      await send(ctx, 'identify', { userId: 'la', traits: { email: 'la@example.com' } });
      await send(ctx, 'track', { userId: 'la', event: 'order_completed' });
      await advance(ctx, 6 * DAY);
      await send(ctx, 'track', { userId: 'la', event: 'page_viewed' });
      await advance(ctx, 3 * DAY);
      assert.equal(await reorder(), 0);
      await advance(ctx, 2 * DAY);
      assert.equal(await reorder(), 1, 'a page view is not an order: ten days after the order');
    });

    it('re-schedules inactivity timers that came due while the journey was paused', async () => {
      await applyJourney(
        ctx.wm.deps,
        WS,
        checkJourney(`
schemaVersion: 1
id: paused-winback
name: Paused win-back
trigger: { type: inactivity, after: P5D }
start: hello
nodes:
  hello: { type: send, channel: email, template: hi, next: done }
  done: { type: exit }
templates:
  hi: { subject: "Paused but not forgotten", body: "-" }
`),
      );
      const count = async () =>
        (await outbox(ctx, 'ma')).filter((m) => m.content.subject === 'Paused but not forgotten')
          .length;
      await send(ctx, 'identify', { userId: 'ma', traits: { email: 'ma@example.com' } });
      await setJourneyStatus(ctx.wm.deps, WS, 'paused-winback', 'paused');
      await advance(ctx, 7 * DAY);
      assert.equal(await count(), 0, 'paused: nobody enters');
      await setJourneyStatus(ctx.wm.deps, WS, 'paused-winback', 'live');
      await advance(ctx, HOUR);
      assert.equal(await count(), 1, 'resumed: the quiet customer enters');
    });
  });
}
