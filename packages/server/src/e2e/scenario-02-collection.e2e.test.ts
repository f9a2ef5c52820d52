// Scenario 2 end to end — collection of an overdue invoice, as shipped in
// examples/journeys/collection.yaml, driven only through public interfaces on both backends:
// `invoice_overdue` (Segment) → the reminder email with a pay button arrives at the SMTP server →
// not opened in 48 h → the SMS with a tracked pay link (Twilio peer), inside the send window →
// the customer taps it (the redirect, as a phone's browser follows it) but does not pay → a task
// for the collection team (task API), completed with an outcome that steers the rest. Payment
// (`invoice_paid`, the goal) ends the route wherever it is: after the email (no SMS ever), and
// while the call task is open (the task is closed with outcome `goal_reached`, never escalated,
// while an unpaid customer's task is escalated to the team lead at its due time).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, startScenario, type Scenario } from './harness.ts';

const ZONE = 'Europe/Lisbon';
const BROWSER = {
  'user-agent':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
};
const LEAD = 'collection-lead@shop.example';

interface TaskView {
  id: string;
  team: string;
  title: string;
  status: string;
  outcome: string | null;
  note: string | null;
  profileId: string;
  createdAt: number;
  dueAt: number;
  escalatedAt: number | null;
}

const customers = {
  ana: { email: 'ana@example.com', phone: '+351912000401', invoice: 'F-1001' },
  rui: { email: 'rui@example.com', phone: '+351912000402', invoice: 'F-1002' },
  eva: { email: 'eva@example.com', phone: '+351912000403', invoice: 'F-1003' },
  joe: { email: 'joe@example.com', phone: '+351912000404', invoice: 'F-1004' },
};
type Who = keyof typeof customers;

for (const kind of testDatabases()) {
  describe(`scenario 2: collection (${kind.name})`, () => {
    let s: Scenario;
    const profileIds = new Map<Who, string>();

    async function tasksOf(who: Who): Promise<TaskView[]> {
      const res = await s.admin<{ items: TaskView[] }>('GET', '/api/tasks?team=collections');
      return res.body.items.filter((t) => t.profileId === profileIds.get(who));
    }

    const run = (who: Who) => s.runOf(who, 'collection');

    async function pay(who: Who) {
      await s.segment('track', {
        userId: who,
        event: 'invoice_paid',
        properties: { invoice: customers[who].invoice, amount: 49.9, currency: 'EUR' },
      });
    }

    before(async () => {
      // Monday 4 May 2026, 10:00 in Lisbon.
      s = await startScenario(kind, { start: '2026-05-04T09:00:00Z' });
      await s.publish(exampleJourney('collection.yaml'));
      for (const [who, c] of Object.entries(customers) as Array<[Who, (typeof customers)[Who]]>) {
        const name = who[0]!.toUpperCase() + who.slice(1);
        await s.segment('identify', {
          userId: who,
          traits: { first_name: name, email: c.email, phone: c.phone },
        });
        const profile = await s.admin<{ profile: { id: string } }>(
          'GET',
          `/api/profiles/userId:${who}`,
        );
        profileIds.set(who, profile.body.profile.id);
        await s.segment('track', {
          userId: who,
          event: 'invoice_overdue',
          properties: {
            invoice: c.invoice,
            amount: 49.9,
            pay_url: `https://pay.example.com/${c.invoice}`,
          },
        });
      }
    });
    after(async () => {
      await s?.close();
    });

    it('the reminder email at once, with a pay button; paying right after it ends the route', async () => {
      for (const [who, c] of Object.entries(customers)) {
        const [mail, ...more] = s.emailsTo(c.email);
        assert.ok(mail, `${who} got the reminder`);
        assert.deepEqual(more, []);
        assert.equal(mail.item.subject, `Invoice ${c.invoice} is overdue`);
        assert.deepEqual(mail.item.from?.value, [
          { name: 'Billing', address: 'billing@shop.example' },
        ]);
        assert.equal(s.localTime(ZONE, mail.at), '2026-05-04 10:00');
        assert.match(
          mail.item.text ?? '',
          /We have not received the payment of invoice F-100\d\s+\(€49\.90\)/,
        );
        // The button is a click redirect to the payment page.
        const button = /<a[^>]+href="([^"]+\/t\/c\/[^"]+)"[^>]*>\s*Pay now/.exec(
          String(mail.item.html),
        );
        assert.ok(button, 'a tracked Pay now button');
      }
      // Ana pays an hour later.
      await s.pass('PT1H');
      await pay('ana');
      assert.equal((await run('ana'))?.status, 'exited');
    });

    it('not opened in 48 h: the SMS with a tracked pay link — none for the customer who paid', async () => {
      await s.pass('PT47H', { step: 'PT1H' });
      for (const who of ['rui', 'eva', 'joe'] as const) {
        const [sms, ...more] = s.textsTo(customers[who].phone);
        assert.ok(sms, `${who} got the SMS`);
        assert.deepEqual(more, []);
        assert.equal(s.localTime(ZONE, sms.at), '2026-05-06 10:00');
        assert.match(
          sms.item.body,
          new RegExp(
            `^\\w+, invoice ${customers[who].invoice} \\(€49\\.90\\) is still unpaid\\. Pay in 1 minute: ${s.url}/t/c/\\S+$`,
          ),
        );
        assert.doesNotMatch(sms.item.body, /pay\.example\.com/, 'the link is a tracked redirect');
      }
      assert.deepEqual(s.textsTo(customers.ana.phone), [], 'Ana paid: no SMS');
    });

    it('the SMS link tapped but not paid: a call task, completed as "promised"', async () => {
      await s.pass('PT2H'); // Wednesday 12:00
      const link = /(\S+\/t\/c\/\S+)$/.exec(s.textsTo(customers.rui.phone)[0]!.item.body)![1]!;
      const res = await s.visit(link, BROWSER);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'https://pay.example.com/F-1002');
      await s.settle();
      // A day to finish paying; then someone calls.
      await s.pass('PT23H', { step: 'PT1H' });
      assert.deepEqual(await tasksOf('rui'), [], 'no task before the day is up');
      await s.pass('PT1H');
      const [task, ...more] = await tasksOf('rui');
      assert.ok(task, 'a task for the collection team');
      assert.deepEqual(more, []);
      assert.equal(task.status, 'open');
      assert.equal(task.title, 'Call about an overdue invoice');
      assert.equal(s.localTime(ZONE, task.createdAt), '2026-05-07 12:00');
      const detail = await s.admin<{ customer: { traits: Record<string, unknown> } }>(
        'GET',
        `/api/tasks/${task.id}`,
      );
      assert.equal(detail.body.customer.traits.phone, customers.rui.phone);

      // The collector calls; Rui promises to pay on Friday.
      await s.pass('PT2H');
      const done = await s.admin('POST', `/api/tasks/${task.id}/complete`, {
        outcome: 'promised',
        note: 'pays on Friday',
        by: 'marta',
      });
      assert.equal(done.status, 200);
      await s.settle();
      const mails = s.emailsTo(customers.rui.email);
      assert.equal(mails.length, 2);
      assert.equal(mails[1]!.item.subject, 'Your payment plan for invoice F-1002');
      assert.equal(s.localTime(ZONE, mails[1]!.at), '2026-05-07 14:00');
      assert.equal(s.textsTo(customers.rui.phone).length, 1, 'no missed-call SMS');
      assert.equal((await run('rui'))?.status, 'exited');
      assert.deepEqual(s.emailsTo(LEAD), [], 'done in time: not escalated');
    });

    it('paid while the call task is open: the task is closed, never escalated; unpaid is escalated', async () => {
      // Not tapped in 2 days (Wednesday 10:00 → Friday 10:00): tasks for Eva and Joe.
      await s.pass('PT20H', { step: 'PT1H' }); // Friday 10:00
      const [eva] = await tasksOf('eva');
      const [joe] = await tasksOf('joe');
      assert.equal(eva?.status, 'open');
      assert.equal(joe?.status, 'open');
      assert.equal(s.localTime(ZONE, eva.createdAt), '2026-05-08 10:00');

      await s.pass('PT2H');
      await pay('eva');
      const [closed] = await tasksOf('eva');
      assert.equal(closed?.status, 'done');
      assert.equal(closed.outcome, 'goal_reached');
      assert.equal(closed.note, 'closed by the journey: the customer reached the goal "paid"');
      const open = await s.admin<{ items: TaskView[] }>(
        'GET',
        '/api/tasks?team=collections&status=open',
      );
      assert.deepEqual(
        open.body.items.map((t) => t.profileId),
        [profileIds.get('joe')],
        'only Joe is left to call',
      );
      assert.equal((await run('eva'))?.status, 'exited');

      // Both were due at 18:00: only Joe's is escalated to the team lead.
      await s.pass('PT8H', { step: 'PT1H' });
      const escalations = s.emailsTo(LEAD);
      assert.equal(escalations.length, 1);
      assert.equal(escalations[0]!.item.subject, 'Collection call not done: Joe');
      assert.match(
        escalations[0]!.item.text ?? '',
        /Nobody has called Joe \(\+351912000404\) about invoice F-1004/,
      );
      assert.equal(s.localTime(ZONE, escalations[0]!.at), '2026-05-08 18:00');
      assert.equal((await tasksOf('eva'))[0]?.escalatedAt, null);
      assert.equal(s.textsTo(customers.eva.phone).length, 1, 'Eva gets nothing more');
    });

    it('the call not answered: an SMS asking to call back, in the morning', async () => {
      // Friday 22:00: the collector logs the unanswered call late in the evening.
      await s.pass('PT2H');
      const [joe] = await tasksOf('joe');
      const done = await s.admin('POST', `/api/tasks/${joe!.id}/complete`, {
        outcome: 'no_answer',
      });
      assert.equal(done.status, 200);
      await s.settle();
      assert.equal(s.textsTo(customers.joe.phone).length, 1, 'not at 22:00');
      await s.pass('PT12H', { step: 'PT1H' });
      const texts = s.textsTo(customers.joe.phone);
      assert.equal(texts.length, 2);
      assert.equal(s.localTime(ZONE, texts[1]!.at), '2026-05-09 09:00');
      assert.match(texts[1]!.item.body, /^We tried to call you about invoice F-1004, Joe\./);

      // Ana, who paid right after the first email, got nothing else all week.
      assert.deepEqual(s.textsTo(customers.ana.phone), []);
      assert.equal(s.emailsTo(customers.ana.email).length, 1);
      assert.deepEqual(await tasksOf('ana'), []);
    });
  });
}
