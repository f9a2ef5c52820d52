// Scenario 6 end to end — appointments, as shipped in examples/journeys/appointments.yaml, driven
// only through public interfaces on both backends: `appointment_booked` (Segment) → the
// confirmation email at once, its time written in the customer's zone → at 10:00 local time the
// day before: the reminder email with Google Maps and Waze links built from the address (followed
// through the click-tracking redirect) and a tel: call button, plus a short SMS → two hours after
// the appointment a 1-5 question by SMS, never after 21:00 → the answer steers an offer, or an
// apology and a task for the front desk. A cancellation stops everything after the confirmation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, startScenario, type Scenario, type Stamped } from './harness.ts';

const ZONE = 'Europe/Lisbon';
const CLINIC = {
  service: 'dental check-up',
  place: 'Clínica Lapa',
  address: 'Rua de São Bento 120, 1200-820 Lisboa',
  place_phone: '+351213000000',
};

/** The `href` of the link whose text is `text` in an email's HTML (entities decoded). */
function link(mail: ParsedMail, text: string): string {
  const html = String(mail.html);
  const m = new RegExp(`<a\\b[^>]*href="([^"]+)"[^>]*>\\s*${text}`).exec(html);
  assert.ok(m, `the email has a "${text}" link`);
  return m[1]!.replace(/&amp;/g, '&');
}

for (const kind of testDatabases()) {
  describe(`scenario 6: appointments (${kind.name})`, () => {
    let s: Scenario;

    async function book(a: {
      user: string;
      name: string;
      email: string;
      phone: string;
      id: string;
      at: string;
    }): Promise<void> {
      await s.segment('identify', {
        userId: a.user,
        traits: { email: a.email, phone: a.phone, first_name: a.name },
      });
      await s.segment('track', {
        userId: a.user,
        event: 'appointment_booked',
        properties: { appointment_id: a.id, appointment_at: a.at, ...CLINIC },
      });
    }

    function only(mails: Array<Stamped<ParsedMail>>, subject: RegExp): Stamped<ParsedMail> {
      const found = mails.filter((m) => subject.test(m.item.subject ?? ''));
      assert.equal(found.length, 1, `one email ${subject}`);
      return found[0]!;
    }

    before(async () => {
      // Monday 4 May 2026, 16:00 in Lisbon (WEST, UTC+1).
      s = await startScenario(kind, { start: '2026-05-04T15:00:00Z' });
      await s.publish(exampleJourney('appointments.yaml'));
    });
    after(async () => {
      await s?.close();
    });

    it('booking: the confirmation email at once, in local time, without an unsubscribe link', async () => {
      await book({
        user: 'ana',
        name: 'Ana',
        email: 'ana@example.com',
        phone: '+351912000601',
        id: 'A-1',
        at: '2026-05-07T15:30:00+01:00',
      });
      // Rui's visit is late in the day; Eva books two and will cancel the first.
      await book({
        user: 'rui',
        name: 'Rui',
        email: 'rui@example.com',
        phone: '+351912000602',
        id: 'A-2',
        at: '2026-05-07T19:30:00+01:00',
      });
      await book({
        user: 'eva',
        name: 'Eva',
        email: 'eva@example.com',
        phone: '+351912000603',
        id: 'A-3',
        at: '2026-05-07T11:00:00+01:00',
      });
      await s.segment('track', {
        userId: 'eva',
        event: 'appointment_booked',
        properties: {
          ...CLINIC,
          appointment_id: 'A-4',
          appointment_at: '2026-05-08T09:30:00+01:00',
        },
      });
      const [mail, ...more] = s.emailsTo('ana@example.com');
      assert.ok(mail, 'the confirmation arrived');
      assert.deepEqual(more, []);
      assert.equal(s.localTime(ZONE, mail.at), '2026-05-04 16:00');
      assert.equal(mail.item.subject, 'Booked: dental check-up on Thursday 7 May, 15:30');
      assert.match(
        (mail.item.text ?? '').replace(/\s+/g, ' '),
        /Your dental check-up is booked for Thursday 7 May at 15:30 at Clínica Lapa, Rua de São Bento 120, 1200-820 Lisboa\./,
      );
      assert.equal(mail.item.headers.get('list-unsubscribe'), undefined, 'transactional');
      assert.deepEqual(s.textsTo('+351912000601'), [], 'no SMS yet');
    });

    it('a cancellation stops that appointment only: no reminder, no question for it', async () => {
      await s.pass('PT20H', { step: 'PT1H' }); // Tuesday 12:00
      await s.segment('track', {
        userId: 'eva',
        event: 'appointment_cancelled',
        properties: { appointment_id: 'A-3' },
      });
      await s.pass('P4D', { step: 'PT30M' }); // Saturday 12:00
      const subjects = s.emailsTo('eva@example.com').map((m) => m.item.subject);
      assert.deepEqual(subjects, [
        'Booked: dental check-up on Thursday 7 May, 11:00',
        'Booked: dental check-up on Friday 8 May, 09:30',
        'Tomorrow at 09:30: dental check-up',
      ]);
      const texts = s.textsTo('+351912000603');
      assert.deepEqual(
        texts.map((t) => [s.localTime(ZONE, t.at), t.item.body.slice(0, 40)]),
        [
          ['2026-05-07 10:00', 'Reminder: dental check-up tomorrow at 09'],
          ['2026-05-08 11:30', 'Hi Eva, how was your dental check-up tod'],
        ],
      );
      const profile = await s.admin<{ runs: Array<{ journeyId: string; status: string }> }>(
        'GET',
        '/api/profiles/userId:eva',
      );
      assert.deepEqual(profile.body.runs.map((r) => r.status).sort(), ['exited', 'waiting']);
    });

    it('the day before at 10:00: the reminder email with directions and a call button', async () => {
      const reminder = only(s.emailsTo('ana@example.com'), /^Tomorrow/);
      assert.equal(s.localTime(ZONE, reminder.at), '2026-05-06 10:00');
      assert.equal(reminder.item.subject, 'Tomorrow at 15:30: dental check-up');
      assert.equal(
        s.localTime(ZONE, only(s.emailsTo('rui@example.com'), /^Tomorrow/).at),
        '2026-05-06 10:00',
      );

      // The map links are tracked redirects to Google Maps and Waze, with the address as written.
      const maps = await s.visit(link(reminder.item, 'Directions \\(Google Maps\\)'));
      assert.equal(maps.status, 302);
      const mapsUrl = new URL(maps.headers.get('location')!);
      assert.equal(`${mapsUrl.origin}${mapsUrl.pathname}`, 'https://www.google.com/maps/search/');
      assert.equal(mapsUrl.searchParams.get('api'), '1');
      assert.equal(mapsUrl.searchParams.get('query'), CLINIC.address);
      const waze = await s.visit(link(reminder.item, 'Open in Waze'));
      assert.equal(waze.status, 302);
      const wazeUrl = new URL(waze.headers.get('location')!);
      assert.equal(`${wazeUrl.origin}${wazeUrl.pathname}`, 'https://waze.com/ul');
      assert.equal(wazeUrl.searchParams.get('q'), CLINIC.address);
      assert.equal(wazeUrl.searchParams.get('navigate'), 'yes');
      // The call button dials the clinic (tel: links are left as written).
      assert.equal(link(reminder.item, 'Call Clínica Lapa'), 'tel:+351213000000');

      // And a short SMS at the same time, with the Waze link and the number.
      const [sms] = s.textsTo('+351912000601');
      assert.ok(sms, 'the reminder SMS');
      assert.equal(s.localTime(ZONE, sms.at), '2026-05-06 10:00');
      assert.match(sms.item.body, /^Reminder: dental check-up tomorrow at 15:30, Clínica Lapa\./);
      assert.match(sms.item.body, /Call \+351213000000$/);
      const smsWaze = new URL(/https:\/\/waze\.com\/\S+/.exec(sms.item.body)![0]);
      assert.equal(smsWaze.searchParams.get('q'), CLINIC.address);
    });

    it('two hours after the visit: the 1-5 question; a 5 gets the offer to book again', async () => {
      const texts = s.textsTo('+351912000601');
      assert.equal(texts.length, 2, 'the reminder and the question, nothing else');
      assert.equal(s.localTime(ZONE, texts[1]!.at), '2026-05-07 17:30');
      assert.equal(
        texts[1]!.item.body,
        'Hi Ana, how was your dental check-up today? Reply 1-5 (5 = great).',
      );
      await s.text('+351912000601', '5');
      assert.equal(
        s.textsTo('+351912000601')[2]?.item.body,
        'Thank you, Ana! Book your next check-up within 30 days and get 10% off: https://clinic.example.com/book?ref=feedback',
      );
    });

    it('a late visit is asked about the next morning; a 2 gets an apology and a call', async () => {
      // Rui's visit ends at 19:30; 21:30 is outside the SMS window: the question waits for 09:00.
      const [, question] = s.textsTo('+351912000602');
      assert.ok(question, 'the question to Rui');
      assert.equal(s.localTime(ZONE, question.at), '2026-05-08 09:00');
      await s.text('+351912000602', '2');
      assert.equal(
        s.textsTo('+351912000602')[2]?.item.body,
        'We are sorry, Rui. Someone from Clínica Lapa will call you tomorrow.',
      );
      const tasks = await s.admin<{ items: Array<{ id: string; title: string; status: string }> }>(
        'GET',
        '/api/tasks?team=front-desk',
      );
      assert.deepEqual(
        tasks.body.items.map((t) => [t.title, t.status]),
        [['Call the patient about a low visit score', 'open']],
      );
      // The task shows whom to call.
      const task = await s.admin<{ customer: { traits: Record<string, unknown> } }>(
        'GET',
        `/api/tasks/${tasks.body.items[0]!.id}`,
      );
      assert.equal(task.body.customer.traits.phone, '+351912000602');
      assert.equal(s.emailsTo('rui@example.com').length, 2, 'confirmation and reminder only');
    });
  });
}
