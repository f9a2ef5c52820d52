// Scenario 3 end to end — service arrival, as shipped in examples/journeys/service-arrival.yaml,
// driven only through public interfaces on both backends: the delivery date is a profile trait
// (Segment identify) → at 19:00 on that day in the customer's own zone (never at 02:00, whatever
// time the carrier's date says) the Twilio peer is asked to text "did it arrive?" → the customer
// answers through Twilio's signed inbound webhook: "yes" gets thanks and nothing else; "no" gets
// the apology, a signed manager alert with the customer's details at the service desk's webhook,
// and a task for the service team; an unclear answer is asked once more.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyWebhookSignature } from '../channels/webhook/signature.ts';
import { testDatabases } from '../storage/testing.ts';
import { WEBHOOK_SECRET, exampleJourney, startScenario, type Scenario } from './harness.ts';

const LISBON = 'Europe/Lisbon';
const LA = 'America/Los_Angeles';

interface TaskView {
  id: string;
  team: string;
  title: string;
  status: string;
  profileId: string;
  dueAt: number;
}

for (const kind of testDatabases()) {
  describe(`scenario 3: service arrival (${kind.name})`, () => {
    let s: Scenario;

    async function customer(user: string, traits: Record<string, unknown>) {
      await s.segment('identify', { userId: user, traits });
    }

    before(async () => {
      // Monday 4 May 2026, 10:00 in Lisbon.
      s = await startScenario(kind, { start: '2026-05-04T09:00:00Z' });
      const yaml = exampleJourney('service-arrival.yaml').replaceAll(
        'https://hooks.example.com/service-desk',
        `${s.hookUrl}/service-desk`,
      );
      await s.publish(yaml);
      await customer('u-ana', {
        first_name: 'Ana',
        last_name: 'Silva',
        phone: '+351912000301',
        email: 'ana@example.com',
        timezone: LISBON,
        delivery_item: 'washing machine',
        delivery_date: '2026-05-05',
      });
      await customer('u-rui', {
        first_name: 'Rui',
        last_name: 'Costa',
        phone: '+351912000302',
        email: 'rui@example.com',
        address: 'Rua Augusta 10, Lisboa',
        delivery_item: 'sofa',
        delivery_date: '2026-05-05',
      });
      // The carrier's date is 09:00 UTC — 02:00 in Los Angeles.
      await customer('u-joe', {
        first_name: 'Joe',
        phone: '+14155550303',
        timezone: LA,
        delivery_date: '2026-05-05T09:00:00Z',
      });
      await customer('u-eva', {
        first_name: 'Eva',
        phone: '+351912000304',
        timezone: LISBON,
        delivery_date: '2026-05-05',
      });
      await s.pass('P2D', { step: 'PT1H' });
    });
    after(async () => {
      await s?.close();
    });

    it('asks at 19:00 on the delivery day in each customer’s own zone, never at night', () => {
      for (const [phone, zone] of [
        ['+351912000301', LISBON],
        ['+351912000302', LISBON], // no timezone trait: a Portuguese number is Lisbon time
        ['+14155550303', LA],
        ['+351912000304', LISBON],
      ] as const) {
        const [ask, ...more] = s.textsTo(phone);
        assert.ok(ask, `${phone} was asked`);
        assert.equal(s.localTime(zone, ask.at), '2026-05-05 19:00', phone);
        assert.match(ask.item.body, /Did it arrive\? Reply YES or NO\.$/);
        assert.deepEqual(more, [], `${phone}: one question only, so far`);
      }
      assert.match(s.textsTo('+351912000301')[0]!.item.body, /^Hi Ana, your washing machine/);
      assert.match(s.textsTo('+14155550303')[0]!.item.body, /^Hi Joe, your order was due today/);
    });

    it('"yes": thanks and nothing else — no alert, no task', async () => {
      const hooksBefore = s.hooks.length;
      await s.text('+351912000301', 'Sim, chegou ontem 👍');
      const texts = s.textsTo('+351912000301');
      assert.equal(texts.length, 2);
      assert.match(texts[1]!.item.body, /^Great, thank you Ana! Getting started: https:\/\//);
      await s.pass('P1D', { step: 'PT6H' });
      assert.equal(s.textsTo('+351912000301').length, 2, 'nothing more');
      assert.equal(s.hooks.length, hooksBefore, 'no manager alert');
      const tasks = await s.admin<{ items: TaskView[] }>('GET', '/api/tasks?team=service');
      const profile = await s.admin<{ profile: { id: string } }>(
        'GET',
        '/api/profiles/userId:u-ana',
      );
      assert.ok(!tasks.body.items.some((t) => t.profileId === profile.body.profile.id));
    });

    it('"no": apology, a signed manager alert with the customer’s details, and a task', async () => {
      await s.text('+351912000302', 'ainda não');
      const texts = s.textsTo('+351912000302');
      assert.equal(texts.length, 2);
      assert.match(
        texts[1]!.item.body,
        /^We apologise for the delay, Rui\. Your request has been forwarded/,
      );

      const alerts = s.hooks.filter((h) => h.item.path === '/service-desk');
      assert.equal(alerts.length, 1, 'one alert');
      const alert = alerts[0]!;
      assert.ok(
        verifyWebhookSignature(WEBHOOK_SECRET, alert.item.headers, alert.item.raw, 300, alert.at),
        'the alert is signed with the workspace secret',
      );
      assert.equal(alert.item.json.type, 'alert');
      assert.equal(alert.item.json.journeyId, 'service-arrival');
      assert.equal(alert.item.json.subject, 'Delivery not arrived: Rui Costa');
      assert.equal(
        alert.item.json.text,
        'Rui Costa (+351912000302, rui@example.com) replied by SMS that the sofa due on ' +
          'May 5, 2026 did not arrive. Address: Rua Augusta 10, Lisboa.',
      );
      // Forged bodies do not verify.
      assert.ok(!verifyWebhookSignature(WEBHOOK_SECRET, alert.item.headers, '{}', 300, alert.at));

      const tasks = await s.admin<{ items: TaskView[] }>('GET', '/api/tasks?team=service');
      const open = tasks.body.items.filter((t) => t.status === 'open');
      assert.equal(open.length, 1);
      assert.equal(open[0]!.title, 'Delivery not arrived — resend or reschedule');
      assert.equal(open[0]!.dueAt, s.now() + 4 * 3_600_000);
      const detail = await s.admin<{ customer: { traits: Record<string, unknown> } }>(
        'GET',
        `/api/tasks/${open[0]!.id}`,
      );
      assert.equal(detail.body.customer.traits.phone, '+351912000302');
      assert.equal(detail.body.customer.traits.first_name, 'Rui');
    });

    it('an unclear answer is asked once more — in the morning; the second answer decides', async () => {
      // 02:00 in Los Angeles: the follow-up question waits for the 09:00 send window.
      assert.equal(s.localTime(LA), '2026-05-07 02:00');
      await s.text('+14155550303', 'who is this?');
      assert.equal(s.textsTo('+14155550303').length, 1, 'not texted back at 02:00');
      await s.pass('PT8H', { step: 'PT1H' });
      const texts = s.textsTo('+14155550303');
      assert.equal(texts.length, 2);
      assert.equal(s.localTime(LA, texts[1]!.at), '2026-05-07 09:00');
      assert.match(texts[1]!.item.body, /^Sorry Joe, we did not get that\./);
      await s.text('+14155550303', 'yes it did');
      assert.match(s.textsTo('+14155550303')[2]!.item.body, /^Great, thank you Joe!/);
      assert.equal(s.hooks.filter((h) => h.item.path === '/service-desk').length, 1);
    });

    it('no answer within 2 days: nothing more', async () => {
      await s.pass('P3D', { step: 'PT12H' });
      assert.equal(s.textsTo('+351912000304').length, 1);
      assert.equal((await s.runOf('u-eva', 'service-arrival'))?.status, 'exited');
    });
  });
}
