// Delivery policies end to end, on a manual clock, on SQLite and (with DATABASE_URL) PostgreSQL:
// journeys queue messages, the delivery engine asks the policy, the outbox shows what went out
// and why the rest did not. Also: send windows in the zone of the recipient's phone number.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addSuppression, setSubscriptions } from '../app/consent.ts';
import { getProfile } from '../app/profiles.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { channelRegistry } from '../channels/sdk/index.ts';
import { testDatabases } from '../storage/testing.ts';
import { startEngineStage, type EngineStage, type OutboxItem } from '../testing/engine-stage.ts';
import { advanceBy } from '../testing/virtual-time.ts';
import { createDeliveryPolicy, normaliseAddress } from './policies.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const journeys = [
  // Transactional receipt: bypasses consent and caps, never a suppression.
  `
schemaVersion: 1
id: receipt
name: Receipt
trigger: { type: event, event: order_placed }
start: email
nodes:
  email: { type: send, channel: email, template: receipt, transactional: true, next: done }
  done: { type: exit }
templates:
  receipt: { channel: email, subject: "Your order", body: "Thanks" }
`,
  // Two marketing topics on one channel.
  `
schemaVersion: 1
id: digest
name: Digest
trigger: { type: event, event: digest_due }
policies: { reentry: { mode: concurrent } }
start: news
nodes:
  news: { type: send, channel: email, template: news, topic: newsletter, next: offer }
  offer: { type: send, channel: email, template: offer, topic: offers, next: done }
  done: { type: exit }
templates:
  news: { channel: email, subject: "News", body: "News" }
  offer: { channel: email, subject: "Offer", body: "Offer" }
`,
  // At most one SMS a day from this journey.
  `
schemaVersion: 1
id: nudge
name: Nudge
trigger: { type: event, event: nudge }
policies:
  reentry: { mode: concurrent }
  frequencyCaps: [{ channel: sms, max: 1, per: P1D, scope: journey }]
start: sms
nodes:
  sms: { type: send, channel: sms, template: nudge, next: done }
  done: { type: exit }
templates:
  nudge: { channel: sms, body: "Nudge" }
`,
  // At most two SMS a day across the workspace.
  `
schemaVersion: 1
id: promo
name: Promo
trigger: { type: event, event: promo }
policies:
  reentry: { mode: concurrent }
  frequencyCaps: [{ channel: sms, max: 2, per: P1D, scope: workspace }]
start: sms
nodes:
  sms: { type: send, channel: sms, template: promo, next: done }
  done: { type: exit }
templates:
  promo: { channel: sms, body: "Promo" }
`,
  // Scenario 8: a voice callback skipped when a successful call happened since the abandonment.
  `
schemaVersion: 1
id: callback
name: Queue-abandon recovery
trigger: { type: event, event: call_abandoned }
start: wait
nodes:
  wait: { type: wait, duration: 5m, next: call }
  call:
    type: send
    channel: voice
    template: callback
    connectTo: "+351210000000"
    transactional: true
    skipIf: { event: call_completed, where: { field: event.properties.status, op: eq, value: answered } }
    next: done
  done: { type: exit }
templates:
  callback: { channel: voice, body: "Connecting you to our team" }
`,
  // A text inside 09:00–21:00 of the recipient's zone (no journey zone; workspace in UTC).
  `
schemaVersion: 1
id: reminder
name: Reminder
trigger: { type: event, event: remind }
policies:
  sendWindows: { sms: { start: "09:00", end: "21:00" } }
start: sms
nodes:
  sms: { type: send, channel: sms, template: remind, next: done }
  done: { type: exit }
templates:
  remind: { channel: sms, body: "Reminder" }
`,
];

async function track(
  ctx: EngineStage,
  userId: string,
  event: string,
  properties = {},
): Promise<void> {
  await ctx.send('track', { userId, event, properties });
  ctx.clock.set(ctx.clock.now() + 1000);
}

/** A profile's messages in the order they were queued (by time, then by the run's step). */
async function outbox(ctx: EngineStage, user: string): Promise<OutboxItem[]> {
  const seq = (m: OutboxItem) => Number(m.idempotencyKey.split(':').at(-1));
  return (await ctx.outbox(user)).sort((a, b) => a.createdAt - b.createdAt || seq(a) - seq(b));
}

const summary = (rows: OutboxItem[]) =>
  rows.map((m) => `${m.template} ${m.status}${m.error ? `: ${m.error}` : ''}`);

for (const kind of testDatabases()) {
  describe(`delivery policies (${kind.name})`, () => {
    let ctx: EngineStage;
    before(async () => {
      ctx = await startEngineStage(kind, {
        start: '2026-05-05T16:00:00Z',
        journeys,
        options: { channels: channelRegistry(), policy: createDeliveryPolicy() },
      });
    });
    after(() => ctx.close());

    it('a suppressed address gets nothing, transactional messages included', async () => {
      await ctx.ingest('identify', { userId: 'sup', traits: { email: 'Ana.Sup@Example.com' } });
      await addSuppression(ctx.waymark.deps, WS, {
        channel: 'email',
        address: 'ana.sup@example.COM',
        reason: 'hard_bounce',
      });
      await track(ctx, 'sup', 'order_placed');
      assert.deepEqual(summary(await outbox(ctx, 'sup')), [
        'receipt skipped: suppressed: ana.sup@example.com (hard_bounce)',
      ]);
      const view = await getProfile(ctx.waymark.deps, WS, 'userId:sup');
      assert.equal(view.suppressions[0]?.address, 'ana.sup@example.com');
    });

    it('transactional messages bypass consent; marketing ones respect channel and topic', async () => {
      await ctx.ingest('identify', { userId: 'topic', traits: { email: 'topic@example.com' } });
      await setSubscriptions(ctx.waymark.deps, WS, {
        profile: 'userId:topic',
        changes: [{ channel: 'email', topic: 'newsletter', status: 'unsubscribed' }],
      });
      await track(ctx, 'topic', 'digest_due');
      assert.deepEqual(summary(await outbox(ctx, 'topic')), [
        'news skipped: unsubscribed from email topic "newsletter"',
        'offer sent',
      ]);

      await setSubscriptions(ctx.waymark.deps, WS, {
        profile: 'userId:topic',
        changes: [{ channel: 'email', status: 'unsubscribed' }],
      });
      await track(ctx, 'topic', 'digest_due');
      await track(ctx, 'topic', 'order_placed');
      assert.deepEqual(summary(await outbox(ctx, 'topic')).slice(2), [
        'news skipped: unsubscribed from email',
        'offer skipped: unsubscribed from email',
        'receipt sent',
      ]);
      // The profile view says why, run by run.
      const view = await getProfile(ctx.waymark.deps, WS, 'userId:topic');
      const reasons = view.runs.map((r) => r.lastSkip?.reason ?? null);
      assert.ok(reasons.includes('unsubscribed from email'), JSON.stringify(reasons));
      assert.equal(view.subscriptions.length, 2);
    });

    it('decides a whole claim from one read of its suppressions and subscriptions', async () => {
      // Four customers' sends due together, so one claim holds them all.
      const people = {
        'b-fine': 'b.fine@example.com',
        'b-bounced': 'b.bounced@example.com',
        'b-off': 'b.off@example.com',
        'b-news': 'b.news@example.com',
      };
      for (const [userId, email] of Object.entries(people))
        await ctx.ingest('identify', { userId, traits: { email } });
      await ctx.waymark.worker.drain();
      await addSuppression(ctx.waymark.deps, WS, {
        channel: 'email',
        address: 'B.Bounced@example.com',
        reason: 'complaint',
      });
      await setSubscriptions(ctx.waymark.deps, WS, {
        profile: 'userId:b-off',
        changes: [{ channel: 'email', status: 'unsubscribed' }],
      });
      await setSubscriptions(ctx.waymark.deps, WS, {
        profile: 'userId:b-news',
        changes: [{ channel: 'email', topic: 'newsletter', status: 'unsubscribed' }],
      });
      for (const userId of Object.keys(people))
        await ctx.ingest('track', { userId, event: 'digest_due' });
      await ctx.waymark.worker.drain();
      ctx.clock.set(ctx.clock.now() + 1000);
      assert.deepEqual(summary(await outbox(ctx, 'b-fine')), ['news sent', 'offer sent']);
      assert.deepEqual(summary(await outbox(ctx, 'b-bounced')), [
        'news skipped: suppressed: b.bounced@example.com (complaint)',
        'offer skipped: suppressed: b.bounced@example.com (complaint)',
      ]);
      assert.deepEqual(summary(await outbox(ctx, 'b-off')), [
        'news skipped: unsubscribed from email',
        'offer skipped: unsubscribed from email',
      ]);
      assert.deepEqual(summary(await outbox(ctx, 'b-news')), [
        'news skipped: unsubscribed from email topic "newsletter"',
        'offer sent',
      ]);
    });

    it('caps count the journey or the whole workspace, over a sliding window', async () => {
      await ctx.ingest('identify', { userId: 'cap', traits: { phone: '+351912000001' } });
      await track(ctx, 'cap', 'nudge');
      await track(ctx, 'cap', 'nudge');
      assert.deepEqual(summary(await outbox(ctx, 'cap')), [
        'nudge sent',
        'nudge skipped: frequency cap: at most 1 sms per P1D (journey)',
      ]);
      // The workspace cap counts the nudge too: one promo fits, the second does not.
      await track(ctx, 'cap', 'promo');
      await track(ctx, 'cap', 'promo');
      assert.deepEqual(summary(await outbox(ctx, 'cap')).slice(2), [
        'promo sent',
        'promo skipped: frequency cap: at most 2 sms per P1D (workspace)',
      ]);
      // A day after the first nudge it still counts (at or after `now - per`); a moment later not.
      const first = (await outbox(ctx, 'cap'))[0]!.sentAt!;
      ctx.clock.set(first + DAY);
      await track(ctx, 'cap', 'nudge');
      assert.match(summary(await outbox(ctx, 'cap'))[4]!, /nudge skipped: frequency cap/);
      ctx.clock.set(first + DAY + 1);
      await track(ctx, 'cap', 'nudge');
      assert.equal(summary(await outbox(ctx, 'cap'))[5], 'nudge sent');
    });

    it('re-checks the skip condition against events that arrived after the send was queued', async () => {
      const policy = createDeliveryPolicy({});
      const phases = ctx.waymark.engine;
      for (const [user, status] of [
        ['cb-answered', 'answered'],
        ['cb-missed', 'no_answer'],
      ] as const) {
        await ctx.ingest('identify', { userId: user, traits: { phone: '+351912000002' } });
        await track(ctx, user, 'call_abandoned');
        const start = ctx.clock.now();
        // Five minutes on, the run queues the callback; delivery has not run yet.
        ctx.clock.set(start + 5 * MINUTE);
        await phases.timers();
        const [queued] = (await outbox(ctx, user)).filter((m) => m.status === 'pending');
        assert.ok(queued, 'the callback is queued');
        assert.equal((queued.content.policy as { skipIf?: unknown }).skipIf !== undefined, true);
        // The customer's own call completes; the event is stored, not yet applied.
        ctx.clock.set(start + 5 * MINUTE + 10_000);
        await ctx.ingest('track', {
          userId: user,
          event: 'call_completed',
          properties: { status },
        });
        const decision = await ctx.waymark.store.transaction((tx) =>
          policy(tx, queued, ctx.clock.now()),
        );
        assert.deepEqual(
          decision,
          status === 'answered' ? { kind: 'skip', reason: 'skip condition met' } : { kind: 'send' },
        );
        await ctx.waymark.worker.drain();
        const [callback] = (await outbox(ctx, user)).filter((m) => m.template === 'callback');
        assert.equal(callback?.status, status === 'answered' ? 'skipped' : 'sent');
      }
    });

    it('waits for the window in the zone of the phone number country', async () => {
      // Sunday 2026-05-10 16:00 UTC: 17:00 in Lisbon, 21:30 in Kolkata, 02:00 (Monday) in Sydney.
      ctx.clock.set(Date.parse('2026-05-10T16:00:00Z'));
      const people = {
        lisbon: '+351 912 345 678',
        kolkata: '+91 98765 43210',
        sydney: '+61 2 9374 4000',
      };
      const start = new Date(ctx.clock.now()).toISOString();
      for (const [user, phone] of Object.entries(people)) {
        await ctx.ingest('identify', { userId: user, traits: { phone } });
        await track(ctx, user, 'remind');
      }
      const sentAt = async (user: string) =>
        (await outbox(ctx, user)).map((m) => new Date(m.createdAt).toISOString());
      assert.deepEqual(await sentAt('lisbon'), [start]);
      assert.deepEqual(await sentAt('kolkata'), []);
      assert.deepEqual(await sentAt('sydney'), []);
      const kolkata = await getProfile(ctx.waymark.deps, WS, 'userId:kolkata');
      assert.match(kolkata.runs[0]!.where, /send window/);
      // Advance to the next day; each wakes at 09:00 local.
      await advanceBy(ctx.waymark, DAY);
      assert.deepEqual(await sentAt('kolkata'), ['2026-05-11T03:30:00.000Z']);
      assert.deepEqual(await sentAt('sydney'), ['2026-05-10T23:00:00.000Z']);
    });

    it('normalises addresses as suppressions store them', () => {
      assert.equal(normaliseAddress('email', ' Ana@Example.COM '), 'ana@example.com');
      assert.equal(normaliseAddress('sms', '912 345 678', 'PT'), '+351912345678');
      assert.equal(normaliseAddress('voice', '+351 912 345 678'), '+351912345678');
      assert.equal(normaliseAddress('sms', 'garbage'), 'garbage');
    });
  });
}
