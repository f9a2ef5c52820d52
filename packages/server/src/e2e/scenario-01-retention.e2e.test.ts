// Scenario 1 end to end — customer retention, as shipped in examples/journeys/retention.yaml with
// the form examples/forms/feedback.yaml, driven only through public interfaces on both backends:
// 30 days without activity (one timer per profile, no scan) → the satisfaction email arrives at
// the SMTP server → the customer follows its button (click redirect) to the form page, ticks
// options and sends the form as a browser would → a reply tailored to exactly those options; the
// customer who never answers gets the coupon 7 days later; the one who came back in between is
// not asked until 30 quiet days have passed again.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, startScenario, type Scenario } from './harness.ts';

const ZONE = 'Europe/Lisbon';
const BROWSER = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
};
const FORM = readFileSync(
  new URL('../../../../examples/forms/feedback.yaml', import.meta.url),
  'utf8',
);

/** The tracked link of the email's button labelled `label`. */
function button(html: string, label: string): string {
  const m = new RegExp(`<a[^>]+href="([^"]+/t/c/[^"]+)"[^>]*>\\s*${label}`).exec(html);
  assert.ok(m, `a tracked "${label}" button`);
  return m[1]!.replace(/&amp;/g, '&');
}

for (const kind of testDatabases()) {
  describe(`scenario 1: retention (${kind.name})`, () => {
    let s: Scenario;

    before(async () => {
      // Monday 2 March 2026, 10:00 in Lisbon (UTC+0 until the end of March).
      s = await startScenario(kind, { start: '2026-03-02T10:00:00Z' });
      const form = await s.admin('PUT', '/api/forms/feedback', FORM);
      assert.equal(form.status, 200, JSON.stringify(form.body));
      await s.publish(exampleJourney('retention.yaml'));
      for (const [user, name] of [
        ['ana', 'Ana'],
        ['rui', 'Rui'],
        ['eva', 'Eva'],
      ] as const) {
        await s.segment('identify', {
          userId: user,
          traits: { first_name: name, email: `${user}@example.com` },
        });
      }
    });
    after(async () => {
      await s?.close();
    });

    it('quiet for 30 days: the satisfaction email with the form; active in between: not asked', async () => {
      await s.pass('P20D', { step: 'P1D' });
      // Eva visits the shop on day 20.
      await s.segment('page', { userId: 'eva', name: 'Home', properties: { path: '/' } });
      await s.pass('P10D', { step: 'P1D' });
      for (const user of ['ana', 'rui']) {
        const [mail, ...more] = s.emailsTo(`${user}@example.com`);
        assert.ok(mail, `${user} was asked`);
        assert.deepEqual(more, []);
        // 30 days later it is summer time in Lisbon: 10:00 UTC is 11:00.
        assert.equal(s.localTime(ZONE, mail.at), '2026-04-01 11:00');
        assert.match(mail.item.subject ?? '', /^(Ana|Rui), we have missed you$/);
        assert.match(mail.item.text ?? '', /Has something put you off\?/);
      }
      assert.deepEqual(s.emailsTo('eva@example.com'), [], 'Eva came back on day 20');
    });

    it('the form sent from the email: a reply that answers exactly the ticked options', async () => {
      await s.pass('PT3H');
      const [mail] = s.emailsTo('ana@example.com');
      const click = await s.visit(
        button(String(mail!.item.html), 'Tell us what kept you away'),
        BROWSER,
      );
      assert.equal(click.status, 302);
      const formUrl = click.headers.get('location')!;
      assert.match(formUrl, new RegExp(`^${s.url}/f/`));

      const page = await s.visit(formUrl, BROWSER);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /We have missed you — what kept you away\?/);
      assert.match(html, /<input type="checkbox" id="q-reasons-0" name="reasons" value="price"/);

      // Sending without ticking anything: the page says what is missing, nothing is recorded.
      const empty = await fetch(formUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...BROWSER },
        body: 'comment=',
      });
      assert.equal(empty.status, 422);
      await s.settle();
      assert.equal(s.emailsTo('ana@example.com').length, 1);

      const sent = await fetch(formUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...BROWSER },
        body: new URLSearchParams([
          ['reasons', 'price'],
          ['reasons', 'delivery'],
          ['score', '2'],
          ['comment', 'Shipping costs were a surprise.'],
        ]).toString(),
      });
      assert.equal(sent.status, 200);
      assert.match(await sent.text(), /Thank you! Look out for our answer in your inbox\./);
      await s.settle();

      const mails = s.emailsTo('ana@example.com');
      assert.equal(mails.length, 2);
      const reply = mails[1]!;
      assert.equal(s.localTime(ZONE, reply.at), '2026-04-01 14:00');
      assert.equal(reply.item.subject, 'Thank you, Ana — here is what we can do');
      const text = reply.item.text ?? '';
      assert.match(text, /On prices: we now match any lower price you find/);
      assert.match(text, /FAIRPRICE15/);
      assert.match(text, /On delivery: your next order ships express, free of charge\./);
      assert.doesNotMatch(text, /On our range|On our service/, 'only the ticked options');

      const profile = await s.admin<{ profile: { traits: Record<string, unknown> } }>(
        'GET',
        '/api/profiles/userId:ana',
      );
      assert.deepEqual(profile.body.profile.traits.feedback_reasons, ['price', 'delivery']);
      assert.equal(profile.body.profile.traits.feedback_score, 2);
      const submissions = await s.admin<{ items: Array<{ answers: Record<string, unknown> }> }>(
        'GET',
        '/api/forms/feedback/submissions',
      );
      assert.equal(submissions.body.items.length, 1);
    });

    it('no answer within 7 days: the coupon; the customer who came back is asked only later', async () => {
      await s.pass('PT21H'); // 10:00 UTC again, then day by day
      await s.pass('P6D', { step: 'P1D' });
      const rui = s.emailsTo('rui@example.com');
      assert.equal(rui.length, 2);
      assert.equal(s.localTime(ZONE, rui[1]!.at), '2026-04-08 11:00');
      assert.equal(rui[1]!.item.subject, 'Rui, 10% off to welcome you back');
      assert.match(rui[1]!.item.text ?? '', /COMEBACK10/);
      assert.equal(s.emailsTo('ana@example.com').length, 2, 'Ana answered: no coupon');

      // Eva was last seen on day 20 (22 March): 30 quiet days later, 21 April, she is asked.
      await s.pass('P13D', { step: 'P1D' });
      const [eva, ...more] = s.emailsTo('eva@example.com');
      assert.ok(eva, 'Eva is asked after her own 30 quiet days');
      assert.deepEqual(more, []);
      assert.equal(s.localTime(ZONE, eva.at), '2026-04-21 11:00');
    });
  });
}
