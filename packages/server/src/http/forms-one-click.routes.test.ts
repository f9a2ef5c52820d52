// Forms over real HTTP, on SQLite and (with DATABASE_URL) PostgreSQL. One-click submission: a
// person's click on a single-question (or single-required-question) link writes
// `form_submitted` on the GET, once; the follow-up answers one `form_updated`; HEAD requests,
// scanner user agents and clicks on arrival stay provisional; a waiting run moves on the click.
// And scenario 1 end to end: a quiet customer gets an email with a form link, opens it, submits
// "price", and the waiting run sends the tailored reply; a customer who does not answer gets the
// coupon when the wait times out. The admin API and the hosted page: forms.routes.test.ts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ManualClock } from '../clock.ts';
import { BROWSER, DAY, START, formsServer, retention, surveyYaml } from './forms.fixtures.ts';
import { testDatabaseUrls } from './testing.ts';

for (const backend of testDatabaseUrls()) {
  describe(`forms over HTTP: one-click and scenario 1 (${backend.name})`, () => {
    const clock = new ManualClock(START);
    const forms = formsServer(backend, clock);
    const { profileId, token, page, post, events, click, submissions, emails, formLink } = forms;

    describe('one-click submission', () => {
      before(async () => {
        const put = await forms.server.admin('PUT', '/api/forms/survey', surveyYaml);
        assert.equal(put.status, 200, JSON.stringify(put.body));
      });

      it('submits a single-question link on the click, once', async () => {
        const p = await profileId('tap');
        const t = token(p, 'nps');
        const res = await click(t, 'q=nps&a=8');
        assert.equal(res.status, 200);
        const html = await res.text();
        assert.match(html, /Thanks for your score\./);
        assert.doesNotMatch(html, /already received|<form/);

        let rows = (await submissions('nps')).filter((s) => s.profileId === p);
        assert.deepEqual(
          rows.map((r) => [r.status, r.answers]),
          [['submitted', { nps: 8 }]],
        );
        const evs = await events('tap');
        assert.equal(evs.length, 1);
        assert.deepEqual(evs[0]?.properties, {
          form: 'nps',
          answers: { nps: 8 },
          score: 8,
          message: `m-${p}`,
          run: 'r1',
          submission: rows[0]?.id,
          oneClick: true,
        });

        // Tapping again (or another score), reloading, or sending the page: nothing more.
        assert.match(await (await click(t, 'q=nps&a=8')).text(), /already received/);
        assert.match(await (await click(t, 'q=nps&a=2')).text(), /already received/);
        assert.match(await (await page(t)).text(), /already received/);
        const sent = await post(t, 'nps=3');
        assert.equal(sent.status, 200);
        assert.match(await sent.text(), /already received/);
        rows = (await submissions('nps')).filter((s) => s.profileId === p);
        assert.deepEqual(
          rows.map((r) => [r.status, r.answers]),
          [['submitted', { nps: 8 }]],
        );
        assert.equal((await events('tap')).length, 1);
        assert.deepEqual(await events('tap', 'form_updated'), []);
      });

      it('keeps concurrent clicks of one link to one submission', async () => {
        const p = await profileId('double-tap');
        const t = token(p, 'nps');
        const pages = await Promise.all(
          Array.from({ length: 4 }, () => click(t, 'q=nps&a=10').then((r) => r.text())),
        );
        assert.equal(pages.filter((h) => /already received/.test(h)).length, 3);
        assert.equal((await events('double-tap')).length, 1);
      });

      it('submits the only required question and takes the optional rest once', async () => {
        const p = await profileId('more');
        const t = token(p, 'survey');
        const res = await click(t, 'q=nps&a=9');
        assert.equal(res.status, 200);
        const html = await res.text();
        assert.match(html, /Your answer is recorded\. Anything to add\?/);
        assert.match(html, /name="topics" value="speed"/);
        assert.doesNotMatch(html, /name="nps"/, 'the answered question is not asked again');
        const submitted = await events('more');
        assert.equal(submitted.length, 1);
        assert.equal(submitted[0]?.properties.score, 9);

        // An invalid addition is refused beside its field; nothing is recorded.
        const bad = await post(t, 'topics=weather');
        assert.equal(bad.status, 422);
        assert.match(await bad.text(), /Choose among the options\./);
        assert.deepEqual(await events('more', 'form_updated'), []);

        // The follow-up: one form_updated with the added answers; the score is not changed.
        const more = await post(t, 'topics=speed&topics=courier&nps=0');
        assert.equal(more.status, 200);
        assert.doesNotMatch(await more.text(), /already received/);
        const again = await post(t, 'topics=packaging');
        assert.match(await again.text(), /already received/);

        const rows = (await submissions('survey')).filter((s) => s.profileId === p);
        assert.deepEqual(
          rows.map((r) => [r.status, r.answers]),
          [['submitted', { nps: 9 }]],
        );
        assert.equal((await events('more')).length, 1, 'never a second form_submitted');
        const updated = await events('more', 'form_updated');
        assert.deepEqual(
          updated.map((e) => e.properties),
          [
            {
              form: 'survey',
              answers: { topics: ['speed', 'courier'] },
              message: `m-${p}`,
              run: 'r1',
              submission: rows[0]?.id,
            },
          ],
        );
      });

      it('keeps machine requests provisional: HEAD, scanner and missing user agents', async () => {
        const p = await profileId('scanned');
        const t = token(p, 'nps');
        const head = await click(t, 'q=nps&a=7', BROWSER, 'HEAD');
        assert.equal(head.status, 200);
        assert.equal(await head.text(), '');
        for (const ua of [
          'Mozilla/5.0 (compatible; Mimecast Link Scanner)',
          'python-requests/2.31.0',
          '',
        ]) {
          const res = await click(t, 'q=nps&a=7', ua);
          assert.equal(res.status, 200, ua);
          assert.match(await res.text(), /Your answer is noted/, ua);
        }
        let rows = (await submissions('nps')).filter((s) => s.profileId === p);
        assert.deepEqual(
          rows.map((r) => [r.status, r.answers]),
          [['provisional', { nps: 7 }]],
        );
        assert.deepEqual(await events('scanned'), []);

        // The person's own tap then counts.
        assert.match(await (await click(t, 'q=nps&a=9')).text(), /Thanks for your score/);
        rows = (await submissions('nps')).filter((s) => s.profileId === p);
        assert.deepEqual(
          rows.map((r) => [r.status, r.answers]),
          [['submitted', { nps: 9 }]],
        );
        assert.equal((await events('scanned')).length, 1);
      });

      it('moves a waiting run on the click; a click on arrival stays provisional', async () => {
        const journey = `
schemaVersion: 1
id: rate-delivery
name: Rate the delivery
trigger: { type: event, event: order_delivered }
start: ask
nodes:
  ask: { type: send, channel: email, template: ask, next: wait }
  wait:
    type: wait_for
    event: form_submitted
    where: { field: event.properties.form, op: eq, value: nps }
    timeout: 2d
    next: thanks
    onTimeout: done
  thanks: { type: send, channel: email, template: thanks, next: done }
  done: { type: exit }
templates:
  ask:
    channel: email
    subject: How likely are you to recommend us?
    html: '<p><a href="{{ ''nps'' | form_url: ''nps'', 10 }}">10</a></p>'
  thanks: { channel: email, subject: Thank you, body: "Thanks for rating us." }
`;
        const applied = await forms.server.admin('PUT', '/api/journeys/rate-delivery', journey);
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
        await profileId('lea');
        await forms.server.track('/v1/track', { userId: 'lea', event: 'order_delivered' });
        await forms.server.waymark.worker.drain();
        const [ask] = (await emails('lea')).filter((m) => m.template === 'ask');
        assert.ok(ask, 'the rating email was sent');
        const link = await formLink(String(ask.content.html), 0);
        assert.match(link, /\?q=nps&a=10$/);
        const open = (ua = BROWSER) =>
          fetch(`${forms.server.address}${link}`, { headers: { 'user-agent': ua } });

        // Opened the moment it was sent: a scanner's click, provisional; the run keeps waiting.
        assert.match(await (await open()).text(), /Your answer is noted/);
        await forms.server.waymark.worker.drain();
        assert.deepEqual(
          (await emails('lea')).map((m) => m.template),
          ['ask'],
        );

        clock.advance(60_000);
        assert.match(await (await open()).text(), /Thanks for your score/);
        await forms.server.waymark.worker.drain();
        assert.deepEqual((await emails('lea')).map((m) => m.template).sort(), ['ask', 'thanks']);
        assert.equal((await events('lea')).length, 1);
      });
    });

    describe('scenario 1: retention', () => {
      before(async () => {
        const applied = await forms.server.admin('PUT', '/api/journeys/retention', retention);
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
      });

      it('sends the form; "price" gets the tailored reply, silence gets the coupon', async () => {
        await profileId('ana');
        await profileId('rui');
        await forms.server.waymark.worker.drain();
        clock.advance(31 * DAY);
        await forms.server.waymark.worker.drain();

        const [ask] = await emails('ana');
        assert.equal(ask?.template, 'ask');
        const html = String(ask?.content.html);
        assert.ok((await emails('rui')).some((m) => m.template === 'ask'));

        // Ana clicks the one-click "5" (provisional), then answers on the page.
        const oneClick = await formLink(html, 1);
        assert.match(oneClick, /\?q=score&a=5$/);
        const opened = await fetch(`${forms.server.address}${oneClick}`);
        assert.equal(opened.status, 200);
        assert.match(await opened.text(), /value="5" checked/);
        await forms.server.waymark.worker.drain();
        assert.deepEqual(
          (await emails('ana')).map((m) => m.template),
          ['ask'],
          'a provisional answer wakes nothing',
        );

        clock.advance(DAY);
        const link = await formLink(html, 0);
        const sent = await fetch(`${forms.server.address}${link}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'reason=price&score=5',
        });
        assert.equal(sent.status, 200);
        await forms.server.waymark.worker.drain();
        assert.deepEqual((await emails('ana')).map((m) => m.template).sort(), ['ask', 'price']);

        // Rui never answers: after the 5-day wait, the coupon.
        clock.advance(5 * DAY);
        await forms.server.waymark.worker.drain();
        assert.deepEqual((await emails('rui')).map((m) => m.template).sort(), ['ask', 'coupon']);
        assert.ok(!(await emails('ana')).some((m) => m.template === 'coupon'));
      });
    });
  });
}
