// Scenario 10 end to end AT REAL SIZE — the voucher broadcast as shipped in
// examples/journeys/voucher-broadcast.yaml, driven only through public interfaces on both
// backends: 10,000 newsletter subscribers (and 100 others) are identified through Segment
// /v1/batch, each with their own voucher code → publishing the journey emails every subscriber at
// once, over SMTP → 30% open it within 48 h (their mail client fetches the pixel), 2% of the others
// unsubscribe with the one-click List-Unsubscribe POST, a few redeem in the shop → exactly 48 h
// after the email, EXACTLY the rest get the SMS with the same code as their email, at 09:00 local
// time; nobody who opened, unsubscribed or redeemed gets one → the conversions summary and the
// journey report count opens, unsubscribes, SMS sent and redemptions per channel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { rawHeader } from '../channels/email/testing.ts';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, pixelOf, recipientOf, startScenario, type Scenario } from './harness.ts';

const ZONE = 'Europe/Lisbon';
const SUBSCRIBERS = 10_000;
const OTHERS = 100;
/** Calls per /v1/batch request: about 230 KB, under Segment's 500 KB. */
const PER_BATCH = 1_000;
/** A desktop mail client showing images. */
const THUNDERBIRD =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0';

/** The parts of GET /api/journeys/:id/report this test reads. */
interface Report {
  runs: { entered: number; exitedByGoal: Record<string, number> };
  messages: Array<{
    nodeId: string | null;
    messages: number;
    sent: number;
    delivered: number;
    opened: { human: number; machine: number };
    unsubscribed: number;
  }>;
  conversions: { byChannel: Array<{ channel: string | null; conversions: number }> };
}

interface Customer {
  i: number;
  user: string;
  email: string;
  phone: string;
  code: string;
}

function customer(i: number): Customer {
  const n = String(i).padStart(5, '0');
  return {
    i,
    user: `c-${n}`,
    email: `c${n}@example.com`,
    phone: `+35191${String(1_000_000 + i).padStart(7, '0')}`,
    // Codes are random-looking, so a code matched in a text is this customer's and no one else's.
    code: `MAY-${((i * 7919 + 104_729) % 1_000_003).toString(36).toUpperCase().padStart(4, '0')}-${n}`,
  };
}

/** Who does what: 30% open (i % 10 < 3); of the others, 2% unsubscribe and 20 redeem early. */
const opens = (c: Customer) => c.i % 10 < 3;
const unsubscribes = (c: Customer) => !opens(c) && c.i % 50 === 7;
const redeemsEarly = (c: Customer) => !opens(c) && !unsubscribes(c) && c.i % 350 === 9;

function unsubscribeUrl(mail: ParsedMail): string {
  const m = /<(https?:[^>]+)>/.exec(rawHeader(mail, 'list-unsubscribe') ?? '');
  assert.ok(m, 'the email carries List-Unsubscribe');
  return m[1]!;
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

for (const kind of testDatabases()) {
  describe(`scenario 10: voucher broadcast to 10,000 (${kind.name})`, () => {
    let s: Scenario;
    const customers = Array.from({ length: SUBSCRIBERS }, (_, i) => customer(i));
    /** The voucher email of each subscriber, by address. */
    const mails = new Map<string, ParsedMail>();
    let sentAt = 0;

    /** Sends Segment calls through /v1/batch, PER_BATCH a request, then waits until applied. */
    async function batch(calls: Array<Record<string, unknown>>): Promise<void> {
      for (let at = 0; at < calls.length; at += PER_BATCH) {
        const timestamp = new Date(s.now()).toISOString();
        const part = calls.slice(at, at + PER_BATCH).map((c) => ({ timestamp, ...c }));
        assert.ok(JSON.stringify({ batch: part }).length < 500_000, 'under 500 KB');
        await s.segment('batch', { batch: part });
      }
    }

    async function redeem(list: Customer[]): Promise<void> {
      await batch(
        list.map((c) => ({
          type: 'track',
          userId: c.user,
          event: 'voucher_redeemed',
          properties: { code: c.code, amount: 64.5, currency: 'eur' },
        })),
      );
    }

    before(async () => {
      // Monday 4 May 2026, 09:00 in Lisbon. No automatic SMS status callbacks: 7,000 texts.
      // The local SMTP server takes 20 connections at once, as a production relay would.
      s = await startScenario(kind, {
        start: '2026-05-04T08:00:00Z',
        autoStatus: [],
        env: { SMTP_MAX_CONNECTIONS: '20' },
      });
      await batch([
        ...customers.map((c) => ({
          type: 'identify',
          userId: c.user,
          traits: {
            email: c.email,
            phone: c.phone,
            first_name: `Cliente ${c.i}`,
            newsletter: true,
            voucher_code: c.code,
          },
        })),
        ...Array.from({ length: OTHERS }, (_, i) => ({
          type: 'identify',
          userId: `x-${i}`,
          traits: {
            email: `x${i}@example.com`,
            phone: `+35192${1_000_000 + i}`,
            newsletter: false,
          },
        })),
      ]);
    });
    after(async () => {
      await s?.close();
    });

    it('publishing emails every subscriber at once, each with their own code', async () => {
      await s.publish(exampleJourney('voucher-broadcast.yaml'));
      sentAt = s.now();
      for (const e of s.emails) mails.set(recipientOf(e.item), e.item);
      assert.equal(s.emails.length, SUBSCRIBERS, 'one email each, no more');
      assert.equal(mails.size, SUBSCRIBERS);
      assert.ok(
        s.emails.every((e) => s.localTime(ZONE, e.at) === '2026-05-04 09:00'),
        'all at 09:00',
      );
      for (const c of customers) {
        const mail = mails.get(c.email);
        assert.ok(mail, `${c.email} got the voucher`);
        assert.ok(String(mail.html).includes(c.code), `${c.email} got their own code`);
      }
      for (let i = 0; i < OTHERS; i += 1)
        assert.equal(mails.has(`x${i}@example.com`), false, 'not in the audience');
      const one = mails.get('c00042@example.com')!;
      assert.equal(one.subject, 'Cliente 42, 10 euros off your next order');
      assert.match(one.text ?? '', new RegExp(`Your code:\\s+${customer(42).code}`));
      assert.ok(
        one.headerLines.some((h) =>
          /^list-unsubscribe-post:\s*List-Unsubscribe=One-Click$/i.test(h.line),
        ),
        'one-click unsubscribe',
      );
    });

    it('30% open within 48 h; 2% of the others unsubscribe; some redeem in the shop', async () => {
      const openers = customers.filter(opens);
      // Two thirds of the opens on the first morning, the rest the next day.
      await s.pass('PT2H');
      await pool(openers.slice(0, 2_000), 16, async (c) => {
        const res = await s.visit(pixelOf(mails.get(c.email)!), {
          'user-agent': THUNDERBIRD,
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      });
      await s.settle();
      // 150 openers redeem on the first day: credited to the email.
      await redeem(openers.slice(0, 150));
      const leavers = customers.filter(unsubscribes);
      await pool(leavers, 16, async (c) => {
        const res = await fetch(unsubscribeUrl(mails.get(c.email)!), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      });
      await s.settle();
      // 20-odd non-openers redeem in the shop before 48 h: their run ends, no SMS.
      await redeem(customers.filter(redeemsEarly));
      await s.pass('PT22H');
      await pool(openers.slice(2_000), 16, async (c) => {
        const res = await s.visit(pixelOf(mails.get(c.email)!), {
          'user-agent': THUNDERBIRD,
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      });
      await s.settle();
      assert.equal(s.peer.messages.length, 0, 'no SMS before 48 h');
    });

    it('after exactly 48 h: the SMS with the same code to everyone else, at 09:00', async () => {
      // One minute short of 48 h: nothing yet.
      await s.pass(`PT${(sentAt + 48 * 3_600_000 - 60_000 - s.now()) / 1000}S`);
      assert.equal(s.peer.messages.length, 0, 'nothing before 48 h');
      await s.pass('PT1M');
      assert.equal(s.localTime(ZONE), '2026-05-06 09:00');
      // On a machine too busy to answer every request in time, a send the local Twilio did not
      // answer within the client's timeout is retried minutes later, never dropped: let retries
      // run before counting.
      await s.pass('PT10M', { step: 'PT1M' });

      const expected = customers.filter((c) => !opens(c) && !unsubscribes(c) && !redeemsEarly(c));
      // 7,000 did not open; 200 of them unsubscribed and 29 redeemed early.
      assert.equal(expected.length, 6_771);
      assert.equal(s.peer.messages.length, expected.length, 'exactly the others, once each');
      const byPhone = new Map(s.peer.messages.map((m) => [m.to, m.body]));
      assert.equal(byPhone.size, expected.length, 'nobody twice');
      for (const c of expected) {
        const body = byPhone.get(c.phone);
        assert.ok(body, `${c.user} got the SMS`);
        // The same code as in their email, and nobody else's.
        assert.equal(
          body,
          `Cliente ${c.i}, your 10 EUR voucher ${c.code} is waiting: show it at the till or use it at shop.example.com`,
        );
        assert.ok(String(mails.get(c.email)!.html).includes(c.code));
      }
      for (const c of customers)
        if (opens(c) || unsubscribes(c) || redeemsEarly(c))
          assert.equal(byPhone.has(c.phone), false, `${c.user} gets no SMS`);
      // At 09:00 local time (a retried send a few minutes after).
      const early = Date.parse('2026-05-06T08:00:00Z');
      for (const c of expected) {
        const [text] = s.textsTo(c.phone);
        assert.ok(text && text.at >= early && text.at <= early + 10 * 60_000, c.user);
      }
    });

    it('redemptions are credited per channel', async () => {
      const texted = customers.filter((c) => !opens(c) && !unsubscribes(c) && !redeemsEarly(c));
      // 100 SMS recipients redeem the next day: the SMS was the last touch.
      await s.pass('P1D');
      await redeem(texted.slice(0, 100));
      const summary = await s.admin<{
        total: { conversions: number; revenue: number };
        byChannel: Array<{ channel: string | null; conversions: number; revenue: number }>;
      }>('GET', '/api/journeys/voucher-broadcast/conversions/summary');
      assert.equal(summary.status, 200);
      const early = customers.filter(redeemsEarly).length;
      assert.equal(summary.body.total.conversions, 150 + early + 100);
      const byChannel = Object.fromEntries(
        summary.body.byChannel.map((c) => [String(c.channel), c.conversions]),
      );
      assert.deepEqual(byChannel, { email: 150 + early, sms: 100 });
      assert.equal(summary.body.total.revenue, 64.5 * (150 + early + 100));
    });

    it('the report: opens, unsubscribes, SMS sends and redemptions per channel', async () => {
      const early = customers.filter(redeemsEarly).length;
      const report = await s.admin<Report>('GET', '/api/journeys/voucher-broadcast/report');
      assert.equal(report.status, 200, JSON.stringify(report.body));
      const r = report.body;
      assert.equal(r.runs.entered, SUBSCRIBERS, 'the audience, nobody else');
      assert.deepEqual(r.runs.exitedByGoal, { redeemed: early });
      const email = r.messages.find((m) => m.nodeId === 'email')!;
      assert.deepEqual(
        [email.messages, email.sent + email.delivered, email.opened.human, email.unsubscribed],
        [SUBSCRIBERS, SUBSCRIBERS, 3_000, customers.filter(unsubscribes).length],
      );
      assert.equal(email.opened.machine, 0, 'a mail client, not a proxy');
      const sms = r.messages.find((m) => m.nodeId === 'sms')!;
      assert.deepEqual([sms.messages, sms.sent + sms.delivered], [6_771, 6_771]);
      const byChannel = Object.fromEntries(
        r.conversions.byChannel.map((c) => [String(c.channel), c.conversions]),
      );
      assert.deepEqual(byChannel, { email: 150 + early, sms: 100 });
    });
  });
}
