// The engine's triggers end to end, in process, on a manual clock: inactivity (with its
// publish-time backfill, activity filters and pauses), broadcasts, dates on profiles and on events,
// inbound SMS keywords, segment entry. Run on SQLite and, when DATABASE_URL is set, on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setJourneyStatus } from '../app/journeys.ts';
import { listOutbox } from '../app/outbox.ts';
import { receiveInbound } from '../app/inbound.ts';
import { getProfile } from '../app/profiles.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { testDatabases } from '../storage/testing.ts';
import { startEngineStage, type EngineStage } from '../testing/engine-stage.ts';
import { oneMessage } from '../testing/journeys.ts';
import { advanceBy } from '../testing/virtual-time.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

for (const kind of testDatabases()) {
  describe(`engine triggers (${kind.name})`, () => {
    let ctx: EngineStage;
    before(async () => {
      ctx = await startEngineStage(kind, { start: '2026-05-05T00:30:00Z' });
    });
    after(() => ctx.close());

    it('starts a run after a quiet spell without scanning profiles (inactivity)', async () => {
      await ctx.publish(
        oneMessage({
          id: 'winback',
          trigger: { type: 'inactivity', after: 'P30D' },
          subject: 'We miss you',
          body: 'Come back',
        }),
      );
      await ctx.send('identify', { userId: 'fa', traits: { email: 'fa@example.com' } });
      await advanceBy(ctx.waymark, 20 * DAY);
      await ctx.send('track', { userId: 'fa', event: 'page_viewed' });
      await advanceBy(ctx.waymark, 29 * DAY);
      assert.equal((await ctx.outbox('fa')).length, 0, 'activity on day 20 moved the deadline');
      await advanceBy(ctx.waymark, 2 * DAY);
      assert.deepEqual(
        (await ctx.outbox('fa')).map((m) => m.content.subject),
        ['We miss you'],
      );
    });

    it('broadcasts to everyone matching a condition', async () => {
      for (const u of ['g1', 'g2', 'g3']) {
        await ctx.send('identify', {
          userId: u,
          traits: { email: `${u}@example.com`, plan: u === 'g3' ? 'free' : 'pro' },
        });
      }
      await ctx.publish(
        oneMessage({
          id: 'voucher',
          trigger: {
            type: 'broadcast',
            audience: { field: 'profile.traits.plan', op: 'eq', value: 'pro' },
          },
          subject: 'Your code SAVE10',
          body: 'Use SAVE10',
        }),
      );
      await ctx.waymark.worker.drain();
      assert.equal((await ctx.outbox('g1')).length, 1);
      assert.equal((await ctx.outbox('g2')).length, 1);
      assert.equal((await ctx.outbox('g3')).length, 0);
    });

    it('fires a date trigger N days before a profile date, at a local hour', async () => {
      await ctx.publish(
        oneMessage({
          id: 'renewal',
          trigger: {
            type: 'date',
            field: 'profile.traits.renews_on',
            offset: '-P3D',
            at: '10:00',
          },
          subject: 'Your plan renews on {{ profile.traits.renews_on }}',
        }),
      );
      const now = ctx.clock.now();
      const renewsOn = new Date(now + 10 * DAY).toISOString().slice(0, 10);
      await ctx.send('identify', {
        userId: 'ha',
        traits: { email: 'ha@example.com', timezone: 'Asia/Kolkata', renews_on: renewsOn },
      });
      await advanceBy(ctx.waymark, 6 * DAY);
      assert.equal((await ctx.outbox('ha')).length, 0);
      await advanceBy(ctx.waymark, 2 * DAY);
      const [m] = await ctx.outbox('ha');
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
      await ctx.send('identify', {
        userId: 'ravi',
        traits: { email: 'ravi@example.com', phone: '+91 98765 43210', renews_on: renewsOn },
      });
      await ctx.waymark.worker.drain();
      await ctx.publish(
        oneMessage({
          id: 'renewal-backfill',
          trigger: {
            type: 'date',
            field: 'profile.traits.renews_on',
            offset: '-P3D',
            at: '10:00',
          },
          subject: 'Your plan renews soon',
        }),
      );
      await advanceBy(ctx.waymark, 8 * DAY);
      const [m] = await ctx.outbox('ravi');
      assert.ok(m, 'reminder sent three days before');
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Kolkata',
        timeStyle: 'short',
      }).format(m.createdAt);
      assert.equal(local, '10:00', 'at 10:00 in Kolkata, the zone of the +91 number');
    });

    it('fires a date trigger relative to a date carried by an event (appointment reminder)', async () => {
      await ctx.publish(
        oneMessage({
          id: 'appointment-reminder',
          trigger: {
            type: 'date',
            event: 'appointment_booked',
            field: 'event.properties.appointment_at',
            offset: '-P1D',
          },
          channel: 'sms',
          body: 'See you tomorrow at {{ trigger.properties.place }}',
        }),
      );
      await ctx.send('identify', { userId: 'ia', traits: { phone: '+351911111111' } });
      const at = ctx.clock.now() + 5 * DAY;
      await ctx.send('track', {
        userId: 'ia',
        event: 'appointment_booked',
        properties: { appointment_at: new Date(at).toISOString(), place: 'Rua Augusta 1' },
      });
      await advanceBy(ctx.waymark, 3 * DAY);
      assert.equal((await ctx.outbox('ia')).length, 0);
      await advanceBy(ctx.waymark, 2 * DAY);
      const [m] = await ctx.outbox('ia');
      assert.equal(m?.content.body, 'See you tomorrow at Rua Augusta 1');
      assert.equal(m?.createdAt, at - DAY);
    });

    it('starts a run on an inbound SMS keyword to a virtual number', async () => {
      await ctx.publish(`
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
`);
      await receiveInbound(ctx.waymark.deps, WS, {
        channel: 'sms',
        from: '+351 922 222 222',
        to: '+351300000000',
        body: 'Slides please',
        messageId: 'SM1',
      });
      await receiveInbound(ctx.waymark.deps, WS, {
        channel: 'sms',
        from: '+351922222222',
        to: '+351300000000',
        body: 'Slides please',
        messageId: 'SM1',
      });
      await receiveInbound(ctx.waymark.deps, WS, {
        channel: 'sms',
        from: '+351933333333',
        to: '+351300000000',
        body: 'hello',
        messageId: 'SM2',
      });
      await ctx.waymark.worker.drain();
      const view = await getProfile(ctx.waymark.deps, WS, 'phone:+351922222222');
      assert.deepEqual(view.lists, ['course-101']);
      const sent = (await listOutbox(ctx.waymark.deps, WS, { limit: 10, profile: view.profile.id }))
        .items;
      assert.deepEqual(
        sent.map((m) => [m.recipient, m.content.body]),
        [['+351922222222', 'Here are the slides: https://example.com/s']],
      );
      const other = await getProfile(ctx.waymark.deps, WS, 'phone:+351933333333');
      assert.equal(other.runs.length, 0, 'no keyword, no run');
    });

    it('starts a run when a profile enters a segment, not while it stays in', async () => {
      await ctx.publish(
        oneMessage({
          id: 'vip-welcome',
          trigger: {
            type: 'segment',
            condition: { field: 'profile.traits.tier', op: 'eq', value: 'vip' },
            on: 'enter',
          },
          policies: { reentry: { mode: 'concurrent' } },
          subject: 'Welcome to VIP',
        }),
      );
      await ctx.send('identify', {
        userId: 'ja',
        traits: { email: 'ja@example.com', tier: 'basic' },
      });
      assert.equal((await ctx.outbox('ja')).length, 0);
      await ctx.send('identify', { userId: 'ja', traits: { tier: 'vip' } });
      await ctx.send('identify', { userId: 'ja', traits: { tier: 'vip', city: 'Porto' } });
      assert.equal((await ctx.outbox('ja')).length, 1, 'entered once: staying in is no entry');
      await ctx.send('identify', { userId: 'ja', traits: { tier: 'basic' } });
      await ctx.send('identify', { userId: 'ja', traits: { tier: 'vip' } });
      assert.equal((await ctx.outbox('ja')).length, 2, 'left and came back: a new entry');
    });

    it('schedules inactivity timers for profiles that existed before publishing', async () => {
      await ctx.send('identify', { userId: 'ka', traits: { email: 'ka@example.com' } });
      await advanceBy(ctx.waymark, 10 * DAY);
      await ctx.publish(
        oneMessage({
          id: 'dormant',
          trigger: { type: 'inactivity', after: 'P14D' },
          subject: 'Still with us?',
        }),
      );
      await advanceBy(ctx.waymark, 3 * DAY);
      assert.equal(
        (await ctx.outbox('ka')).filter((m) => m.content.subject === 'Still with us?').length,
        0,
      );
      await advanceBy(ctx.waymark, 2 * DAY);
      assert.equal(
        (await ctx.outbox('ka')).filter((m) => m.content.subject === 'Still with us?').length,
        1,
        '14 days after the last activity, though that was before the journey existed',
      );
    });

    it('counts only the listed events as activity for an inactivity trigger', async () => {
      await ctx.publish(
        oneMessage({
          id: 'no-orders',
          trigger: { type: 'inactivity', after: 'P10D', activity: ['order_completed'] },
          subject: 'Time to reorder?',
        }),
      );
      const reorder = async () =>
        (await ctx.outbox('la')).filter((m) => m.content.subject === 'Time to reorder?').length;
      await ctx.send('identify', { userId: 'la', traits: { email: 'la@example.com' } });
      await ctx.send('track', { userId: 'la', event: 'order_completed' });
      await advanceBy(ctx.waymark, 6 * DAY);
      await ctx.send('track', { userId: 'la', event: 'page_viewed' });
      await advanceBy(ctx.waymark, 3 * DAY);
      assert.equal(await reorder(), 0);
      await advanceBy(ctx.waymark, 2 * DAY);
      assert.equal(await reorder(), 1, 'a page view is not an order: ten days after the order');
    });

    it('re-schedules inactivity timers that came due while the journey was paused', async () => {
      await ctx.publish(
        oneMessage({
          id: 'paused-winback',
          trigger: { type: 'inactivity', after: 'P5D' },
          subject: 'Paused but not forgotten',
        }),
      );
      const count = async () =>
        (await ctx.outbox('ma')).filter((m) => m.content.subject === 'Paused but not forgotten')
          .length;
      await ctx.send('identify', { userId: 'ma', traits: { email: 'ma@example.com' } });
      await setJourneyStatus(ctx.waymark.deps, WS, 'paused-winback', 'paused');
      await advanceBy(ctx.waymark, 7 * DAY);
      assert.equal(await count(), 0, 'paused: nobody enters');
      await setJourneyStatus(ctx.waymark.deps, WS, 'paused-winback', 'live');
      await advanceBy(ctx.waymark, HOUR);
      assert.equal(await count(), 1, 'resumed: the quiet customer enters');
    });
  });
}
