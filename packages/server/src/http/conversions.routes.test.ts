// Conversions end to end over real HTTP on a virtual clock, SQLite and (with DATABASE_URL)
// PostgreSQL: a collection journey with per-channel attribution windows (email 3 days, SMS 1
// day) — a payment during the run, after the run inside the SMS window, after it inside the
// email window only, and after both windows; a duplicate event counted once; revenue summed by
// goal, node and channel; the list paged. Then a win-back journey with a 50% holdout: held-out
// customers who order inside the window count for the control group, the summary compares rates.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { conversionSummary, listConversions } from '../app/conversions.ts';
import type { ProfileView } from '../app/profiles.ts';
import { ManualClock } from '../clock.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

type Page = Awaited<ReturnType<typeof listConversions>>;
type Summary = Awaited<ReturnType<typeof conversionSummary>>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-03-02T10:00:00.000Z');

const collection = `
schemaVersion: 1
id: collection
name: Overdue invoice
trigger: { type: event, event: invoice_overdue }
start: email
policies:
  goals:
    - id: paid
      event: payment_received
      valueProperty: amount
      currencyProperty: currency
      attribution: { windows: { email: P3D, sms: P1D } }
nodes:
  email: { type: send, channel: email, template: reminder, next: wait }
  wait: { type: wait, duration: 12h, next: sms }
  sms: { type: send, channel: sms, template: nudge, next: done }
  done: { type: exit }
templates:
  reminder: { channel: email, subject: Your invoice, body: "Please pay, {{ profile.traits.name }}." }
  nudge: { channel: sms, body: "Reminder: your invoice is overdue." }
`;

const winback = `
schemaVersion: 1
id: winback
name: Win-back
trigger: { type: event, event: cart_abandoned }
start: split
policies:
  goals:
    - { id: ordered, event: order_completed, valueProperty: total }
nodes:
  split:
    type: split
    holdout: 50
    variants: [{ name: email, weight: 1, next: email }]
  email: { type: send, channel: email, template: cart, next: done }
  done: { type: exit }
templates:
  cart: { channel: email, subject: Your cart, body: "Still thinking about it?" }
`;

for (const backend of testDatabaseUrls()) {
  describe(`conversions API (${backend.name})`, () => {
    const clock = new ManualClock(START);
    let server: TestServer;

    before(async () => {
      server = await startTestServer(backend, { clock });
      for (const doc of [collection, winback]) {
        const applied = await server.admin(
          'PUT',
          `/api/journeys/${/id: (\w+)/.exec(doc)![1]}`,
          doc,
        );
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
      }
    });
    after(async () => {
      await server.close();
    });

    async function track(
      userId: string,
      event: string,
      properties: Record<string, unknown> = {},
      messageId?: string,
    ): Promise<void> {
      const res = await server.track('/v1/track', {
        userId,
        event,
        properties,
        ...(messageId ? { messageId } : {}),
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }

    async function at(time: number): Promise<void> {
      clock.advance(time - clock.now());
      await server.waymark.worker.drain();
    }

    const summary = async (journey: string): Promise<Summary> => {
      const res = await server.admin<Summary>(
        'GET',
        `/api/journeys/${journey}/conversions/summary`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };

    it('attributes payments to the last message inside its channel window, once each', async () => {
      for (const name of ['ana', 'bob', 'cy', 'dan']) {
        await server.track('/v1/identify', {
          userId: name,
          traits: { name, email: `${name}@example.com`, phone: '+351912000111' },
        });
        await track(name, 'invoice_overdue');
      }
      await at(START);
      // During the run, 1 hour after the email: converts and ends the run (no SMS for Ana).
      await at(START + HOUR);
      await track('ana', 'payment_received', { amount: 50, currency: 'eur' });
      await at(START + HOUR);
      // The SMS goes out at 12 h; the runs end.
      await at(START + 12 * HOUR);
      // Bob: 20 h after the SMS (SMS window 1 day); the same event twice (a client retry).
      await at(START + 32 * HOUR);
      await track('bob', 'payment_received', { amount: '80' }, 'pay-bob-1');
      await track('bob', 'payment_received', { amount: '80' }, 'pay-bob-1');
      await at(START + 32 * HOUR);
      // Cy: 36 h after the SMS (too late for it), 48 h after the email (inside its 3 days).
      await at(START + 48 * HOUR);
      await track('cy', 'payment_received', { amount: 30 });
      await at(START + 48 * HOUR);
      // Dan: past both windows.
      await at(START + 3 * DAY + 2 * HOUR);
      await track('dan', 'payment_received', { amount: 99 });
      await at(START + 3 * DAY + 2 * HOUR);

      const res = await server.admin<Page>('GET', '/api/journeys/collection/conversions');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const rows = res.body.items.map((c) => ({
        stage: c.stage,
        node: c.nodeId,
        channel: c.channel,
        value: c.value,
        currency: c.currency,
        goal: c.goalId,
      }));
      assert.deepEqual(rows, [
        {
          stage: 'after_run',
          node: 'email',
          channel: 'email',
          value: 30,
          currency: null,
          goal: 'paid',
        },
        {
          stage: 'after_run',
          node: 'sms',
          channel: 'sms',
          value: 80,
          currency: null,
          goal: 'paid',
        },
        {
          stage: 'in_run',
          node: 'email',
          channel: 'email',
          value: 50,
          currency: 'EUR',
          goal: 'paid',
        },
      ]);
      const ana = await server.admin<ProfileView>('GET', '/api/profiles/userId:ana');
      assert.deepEqual(ana.body.runs[0]?.exit, { kind: 'goal', goal: 'paid' });

      const s = await summary('collection');
      assert.deepEqual(s.total, { conversions: 3, convertedRuns: 3, revenue: 160 });
      assert.deepEqual(s.byGoal, [
        { goalId: 'paid', conversions: 3, convertedRuns: 3, revenue: 160 },
      ]);
      assert.deepEqual(
        s.byChannel.map((c) => [c.channel, c.conversions, c.revenue]),
        [
          ['email', 2, 80],
          ['sms', 1, 80],
        ],
      );
      assert.deepEqual(
        s.byNode.map((n) => [n.nodeId, n.conversions, n.revenue]),
        [
          ['email', 2, 80],
          ['sms', 1, 80],
        ],
      );
      assert.equal(s.holdout, null, 'no split with a holdout');
    });

    it('pages the list and filters it by goal', async () => {
      const first = await server.admin<Page>('GET', '/api/journeys/collection/conversions?limit=2');
      assert.equal(first.body.items.length, 2);
      assert.ok(first.body.next);
      const second = await server.admin<Page>(
        'GET',
        `/api/journeys/collection/conversions?limit=2&cursor=${first.body.next}`,
      );
      assert.deepEqual(
        second.body.items.map((c) => c.value),
        [50],
      );
      assert.equal(second.body.next, null);
      const none = await server.admin<Page>(
        'GET',
        '/api/journeys/collection/conversions?goal=other',
      );
      assert.deepEqual(none.body.items, []);
    });

    it('answers 404 for an unknown journey and 400 naming a bad cursor or limit', async () => {
      const missing = await server.admin('GET', '/api/journeys/nope/conversions/summary');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error?.code, 'not_found');
      const cursor = await server.admin('GET', '/api/journeys/collection/conversions?cursor=junk');
      assert.equal(cursor.status, 400);
      assert.equal(cursor.body.error?.details[0]?.path, 'cursor');
      const limit = await server.admin('GET', '/api/journeys/collection/conversions?limit=0');
      assert.equal(limit.status, 400);
      assert.match(JSON.stringify(limit.body.error?.details), /limit/);
    });

    it('counts the control group’s orders inside the window and compares the rates', async () => {
      const t0 = clock.now();
      const names = Array.from({ length: 20 }, (_, i) => `w${i}`);
      for (const name of names) {
        await server.track('/v1/identify', {
          userId: name,
          traits: { email: `${name}@example.com` },
        });
        await track(name, 'cart_abandoned');
      }
      await at(t0);
      const variant = new Map<string, string | null>();
      for (const name of names) {
        const p = await server.admin<ProfileView>('GET', `/api/profiles/userId:${name}`);
        variant.set(name, p.body.runs[0]?.variant ?? null);
      }
      const held = names.filter((n) => variant.get(n) === 'holdout');
      const treated = names.filter((n) => variant.get(n) === 'email');
      assert.equal(held.length + treated.length, 20);
      assert.ok(
        held.length >= 2 && treated.length >= 1,
        `held ${held.length}, treated ${treated.length}`,
      );
      // All treated customers order within a day; one held-out customer too, one after 4 days.
      const lateHeld = held[0]!;
      const orderingHeld = held[1]!;
      await at(t0 + 6 * HOUR);
      for (const name of [...treated, orderingHeld])
        await track(name, 'order_completed', { total: 10 });
      await at(t0 + 6 * HOUR);
      await at(t0 + 4 * DAY);
      await track(lateHeld, 'order_completed', { total: 10 });
      await at(t0 + 4 * DAY);

      const s = await summary('winback');
      assert.deepEqual(s.holdout?.control, {
        runs: held.length,
        convertedRuns: 1,
        rate: 1 / held.length,
      });
      assert.deepEqual(s.holdout?.treatment, {
        runs: treated.length,
        convertedRuns: treated.length,
        rate: 1,
      });
      assert.equal(s.holdout?.uplift, 1 - 1 / held.length);
      assert.deepEqual(s.total, {
        conversions: treated.length + 1,
        convertedRuns: treated.length + 1,
        revenue: 10 * (treated.length + 1),
      });
      const page = await server.admin<Page>('GET', '/api/journeys/winback/conversions?limit=100');
      const control = page.body.items.filter((c) => c.variant === 'holdout');
      assert.equal(control.length, 1);
      assert.equal(control[0]?.nodeId, null, 'a held-out customer got no message to credit');
      assert.equal(control[0]?.stage, 'after_run');
      assert.ok(
        page.body.items.filter((c) => c.variant === 'email').every((c) => c.nodeId === 'email'),
      );
    });
  });
}
