// Scenario 7 end to end — multichannel basket retargeting, as shipped in
// examples/journeys/basket-retargeting.yaml, driven only through public interfaces on both
// backends: a cart abandoned (Segment) → the email arrives at the SMTP server → the customer who
// opens it (the pixel, as a mail client fetches it) gets no SMS; the one who does not gets the
// SMS 12 h later — but never before 09:00 or after 21:00 in their own time zone; an order ends
// the journey wherever it is.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, pixelOf, startScenario, type Scenario } from './harness.ts';

const ZONE = 'Europe/Lisbon';

for (const kind of testDatabases()) {
  describe(`scenario 7: basket retargeting (${kind.name})`, () => {
    let s: Scenario;

    async function abandon(user: string, email: string, phone: string, name: string) {
      await s.segment('identify', {
        userId: user,
        traits: { email, phone, first_name: name, timezone: ZONE },
      });
      await s.segment('track', {
        userId: user,
        event: 'cart_abandoned',
        properties: { items: 3 },
      });
    }

    before(async () => {
      // 14:00 in Lisbon (WEST, UTC+1) on a Tuesday.
      s = await startScenario(kind, { start: '2026-05-05T13:00:00Z' });
      await s.publish(exampleJourney('basket-retargeting.yaml'));
    });
    after(async () => {
      await s?.close();
    });

    it('the email at once; opened, so no SMS ever', async () => {
      await abandon('u-open', 'ana@example.com', '+351912000201', 'Ana');
      const [mail] = s.emailsTo('ana@example.com');
      assert.ok(mail, 'the cart email arrived');
      assert.equal(mail.item.subject, 'Ana, your basket is waiting');
      assert.match(mail.item.text ?? '', /You left 3 items in your basket\./);
      assert.equal(s.localTime(ZONE, mail.at), '2026-05-05 14:00');
      // The customer's mail client shows the images: the pixel is fetched.
      const open = await s.visit(pixelOf(mail.item), {
        'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15',
      });
      assert.equal(open.status, 200);
      await s.settle();
      await s.pass('P2D', { step: 'PT1H' });
      assert.deepEqual(s.textsTo('+351912000201'), [], 'no SMS to a customer who opened');
    });

    it('not opened in 12 h: the SMS, but not before 09:00 local time', async () => {
      // Abandoned at 14:00 + 2 days; 12 h later is 02:00 local — the SMS waits for 09:00.
      await abandon('u-late', 'rui@example.com', '+351912000202', 'Rui');
      assert.equal(s.emailsTo('rui@example.com').length, 1);
      await s.pass('PT24H', { step: 'PT30M' });
      const texts = s.textsTo('+351912000202');
      assert.equal(texts.length, 1, 'one SMS');
      assert.equal(s.localTime(ZONE, texts[0]!.at), '2026-05-08 09:00');
      assert.match(texts[0]!.item.body, /^Hello Rui\. Just a friendly reminder/);
    });

    it('an order ends the journey before the SMS', async () => {
      await abandon('u-buys', 'eva@example.com', '+351912000203', 'Eva');
      await s.pass('PT2H');
      await s.segment('track', {
        userId: 'u-buys',
        event: 'order_completed',
        properties: { revenue: 59.9 },
      });
      await s.pass('P1D', { step: 'PT2H' });
      assert.deepEqual(s.textsTo('+351912000203'), []);
      assert.equal((await s.runOf('u-buys', 'basket-retargeting'))?.status, 'exited');
    });
  });
}
