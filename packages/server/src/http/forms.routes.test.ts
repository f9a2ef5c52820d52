// Forms over real HTTP, on SQLite and (with DATABASE_URL) PostgreSQL: the admin API with
// field-named errors (JSON and YAML), the hosted page (GET, POST, required and out-of-range
// answers, forged and altered tokens), one-click answers recorded as provisional on forms with
// several required questions, a second submission recording nothing, and scenario 1 end to end:
// a quiet customer gets an email with a form link, opens it, submits "price", and the waiting run
// sends the tailored reply; a customer who does not answer gets the coupon when the wait times
// out. One-click submission: a person's click on a single-question (or single-required-question)
// link writes `form_submitted` on the GET, once; the follow-up answers one `form_updated`; HEAD
// requests, scanner user agents and clicks on arrival stay provisional; a waiting run moves on
// the click.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FormSubmissionRow } from '../app/forms.ts';
import type { listOutbox } from '../app/outbox.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { ManualClock } from '../clock.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

type Outbox = Awaited<ReturnType<typeof listOutbox>>;
type Event = { type: string; name: string; properties: Record<string, unknown> };

const DAY = 86_400_000;
const START = Date.parse('2026-05-04T09:00:00.000Z');

const feedbackForm = {
  id: 'feedback',
  title: 'Why did you stop shopping with us?',
  intro: 'One minute, three questions.',
  questions: [
    {
      id: 'reason',
      type: 'choice',
      label: 'The main reason',
      required: true,
      options: [
        { value: 'price', label: 'Prices are too high' },
        { value: 'quality', label: 'Quality' },
        'other',
      ],
    },
    { id: 'score', type: 'rating', label: 'Rate us overall' },
    { id: 'comment', type: 'text', label: 'Anything else?' },
  ],
  thanks: 'Thank you, we read every answer.',
};

/** A browser's user agent: a person's click. */
const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** Two required questions: one-click links stay provisional. */
const checkoutForm = {
  id: 'checkout',
  title: 'How was checkout?',
  questions: [
    { id: 'nps', type: 'nps', label: 'How likely are you to recommend us?', required: true },
    { id: 'easy', type: 'choice', label: 'Was it easy?', required: true, options: ['yes', 'no'] },
  ],
};

/** A single NPS question. */
const npsForm = {
  id: 'nps',
  title: 'One question',
  questions: [{ id: 'nps', type: 'nps', label: 'How likely are you to recommend us?' }],
  thanks: 'Thanks for your score.',
};

const surveyYaml = `
id: survey
title: How was your delivery?
questions:
  - { id: nps, type: nps, label: How likely are you to recommend us?, required: true }
  - id: topics
    type: multiple_choice
    label: What went well?
    options: [speed, packaging, courier]
`;

// Scenario 1: quiet for 30 days → feedback email → tailored reply, or a coupon after 5 days.
const retention = `
schemaVersion: 1
id: retention
name: Retention
trigger: { type: inactivity, after: 30d }
start: ask
nodes:
  ask: { type: send, channel: email, template: ask, next: wait }
  wait:
    type: wait_for
    event: form_submitted
    where: { field: event.properties.form, op: eq, value: feedback }
    timeout: 5d
    next: route
    onTimeout: coupon
  route:
    type: branch
    cases:
      - when: { field: last.properties.answers.reason, op: eq, value: price }
        next: price
    default: generic
  price: { type: send, channel: email, template: price, next: done }
  generic: { type: send, channel: email, template: generic, next: done }
  coupon: { type: send, channel: email, template: coupon, next: done }
  done: { type: exit }
templates:
  ask:
    channel: email
    subject: "We miss you, {{ profile.traits.name }}"
    html: '<p>Tell us why: <a href="{{ ''feedback'' | form_url }}">answer</a>. Or rate us: <a href="{{ ''feedback'' | form_url: ''score'', 5 }}">5</a></p>'
  price: { channel: email, subject: Our prices, body: "Here is our price-match promise." }
  generic: { channel: email, subject: Thanks, body: "Thanks for telling us." }
  coupon: { channel: email, subject: A coupon, body: "Here is 10% off: COMEBACK10" }
`;

for (const backend of testDatabaseUrls()) {
  describe(`forms over HTTP (${backend.name})`, () => {
    const clock = new ManualClock(START);
    let server: TestServer;

    before(async () => {
      server = await startTestServer(backend, { clock });
      for (const form of [feedbackForm, checkoutForm, npsForm]) {
        const put = await server.admin('PUT', `/api/forms/${form.id}`, form);
        assert.equal(put.status, 200, JSON.stringify(put.body));
      }
    });
    after(() => server.close());

    async function profileId(userId: string): Promise<string> {
      await server.track('/v1/identify', {
        userId,
        traits: { name: userId, email: `${userId}@example.com` },
      });
      const p = await server.admin<{ profile: { id: string } }>('GET', `/api/profiles/${userId}`);
      return p.body.profile.id;
    }

    /** A signed link token for a profile, as a message would carry it. */
    function token(profile: string, form = 'feedback', m = `m-${profile}`): string {
      return server.waymark.deps.secrets.sign('form', { w: WS, p: profile, f: form, m, r: 'r1' });
    }

    const page = (t: string, init?: RequestInit) => fetch(`${server.address}/f/${t}`, init);
    const post = (t: string, body: string) =>
      page(t, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });

    async function events(userId: string, name = 'form_submitted'): Promise<Event[]> {
      const res = await server.admin<{ items: Event[] }>(
        'GET',
        `/api/profiles/${userId}/events?limit=100`,
      );
      return res.body.items.filter((e) => e.name === name);
    }

    /** A one-click link opened with a user agent (a person's browser unless told). */
    const click = (t: string, query: string, ua = BROWSER, method = 'GET') =>
      page(`${t}?${query}`, { method, headers: { 'user-agent': ua } });

    async function submissions(form = 'feedback'): Promise<FormSubmissionRow[]> {
      const res = await server.admin<{ items: FormSubmissionRow[] }>(
        'GET',
        `/api/forms/${form}/submissions`,
      );
      return res.body.items;
    }

    async function emails(userId: string): Promise<Outbox['items']> {
      const res = await server.admin<Outbox>('GET', `/api/outbox?profile=userId:${userId}`);
      return res.body.items.filter((m) => m.channel === 'email');
    }

    /**
     * The form link (`/f/…` with its query) of the nth link in the email's HTML, followed as a
     * mail client would: through the click-tracking redirect when links are tracked.
     */
    async function formLink(html: string, nth: number): Promise<string> {
      const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
      let url = hrefs[nth];
      assert.ok(url, `a link in ${html}`);
      for (let hops = 0; !/\/f\//.test(new URL(url).pathname) && hops < 3; hops += 1) {
        const res = await fetch(`${server.address}${new URL(url).pathname}${new URL(url).search}`, {
          redirect: 'manual',
        });
        const location = res.headers.get('location');
        assert.ok(location, `${url} leads somewhere (status ${res.status})`);
        url = new URL(location, url).toString();
      }
      const { pathname, search } = new URL(url);
      assert.match(pathname, /^\/f\//);
      return `${pathname}${search}`;
    }

    describe('admin API', () => {
      it('creates, reads, lists, replaces and deletes forms (JSON and YAML)', async () => {
        const yaml = await server.admin<{ created: boolean; form: { definition: unknown } }>(
          'PUT',
          '/api/forms/survey',
          surveyYaml,
        );
        assert.equal(yaml.status, 200, JSON.stringify(yaml.body));
        assert.equal(yaml.body.created, true);
        const got = await server.admin<{ form: { definition: typeof feedbackForm } }>(
          'GET',
          '/api/forms/feedback',
        );
        assert.equal(got.status, 200);
        // Options given as text become { value, label }; required defaults to false.
        assert.deepEqual(got.body.form.definition.questions[0]?.options?.[2], {
          value: 'other',
          label: 'other',
        });
        assert.equal(got.body.form.definition.questions[1]?.required, false);
        const list = await server.admin<{ items: Array<{ id: string }> }>('GET', '/api/forms');
        assert.deepEqual(
          list.body.items.map((f) => f.id),
          ['checkout', 'feedback', 'nps', 'survey'],
        );
        const again = await server.admin<{ created: boolean }>(
          'PUT',
          '/api/forms/survey',
          surveyYaml,
        );
        assert.equal(again.body.created, false);

        await server.admin('PUT', '/api/forms/temp', { ...feedbackForm, id: 'temp' });
        assert.equal((await server.admin('DELETE', '/api/forms/temp')).status, 200);
        assert.equal((await server.admin('GET', '/api/forms/temp')).status, 404);
        assert.equal((await server.admin('DELETE', '/api/forms/temp')).status, 404);
      });

      it('rejects bad definitions with errors naming the field', async () => {
        const cases: Array<[unknown, string, RegExp]> = [
          [
            { ...feedbackForm, questions: [{ id: 'r', type: 'choice', label: 'Why?' }] },
            'body.questions.0.options',
            /needs options/,
          ],
          [
            {
              ...feedbackForm,
              questions: [{ id: 's', type: 'rating', label: 'Rate', options: ['a', 'b'] }],
            },
            'body.questions.0.options',
            /takes no options/,
          ],
          [
            {
              ...feedbackForm,
              questions: [
                { id: 's', type: 'rating', label: 'Rate' },
                { id: 's', type: 'text', label: 'Say' },
              ],
            },
            'body.questions.1.id',
            /used twice/,
          ],
          [
            { ...feedbackForm, questions: [{ id: 's', type: 'slider', label: 'Rate' }] },
            'body.questions.0.type',
            /./,
          ],
          [{ ...feedbackForm, colour: 'red' }, 'body', /colour/],
          [{ ...feedbackForm, title: '' }, 'body.title', /./],
          [{ ...feedbackForm, id: 'other' }, 'body.id', /expected "feedback"/],
        ];
        for (const [body, path, message] of cases) {
          const res = await server.admin('PUT', '/api/forms/feedback', body);
          assert.equal(res.status, 400, JSON.stringify(body));
          const detail = res.body.error?.details.find((d) => d.path === path);
          assert.ok(detail, `${path} in ${JSON.stringify(res.body.error?.details)}`);
          assert.match(detail.message, message);
        }
        const yaml = await server.admin('PUT', '/api/forms/feedback', 'id: [unclosed');
        assert.equal(yaml.status, 400);
        assert.equal(yaml.body.error?.details[0]?.path, 'body');
        // Nothing was replaced.
        const got = await server.admin<{ form: { definition: { title: string } } }>(
          'GET',
          '/api/forms/feedback',
        );
        assert.equal(got.body.form.definition.title, feedbackForm.title);
      });
    });

    describe('hosted page', () => {
      it('serves an accessible page that records nothing on GET', async () => {
        const p = await profileId('page');
        const res = await page(token(p));
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        const html = await res.text();
        assert.match(html, /<h1>Why did you stop shopping with us\?<\/h1>/);
        assert.match(html, /name="viewport"/);
        assert.match(html, /<legend>The main reason <span class="req">\(required\)<\/span>/);
        assert.match(html, /<input type="radio" id="q-reason-0" name="reason" value="price"/);
        assert.match(html, /<form method="post" novalidate>/);
        assert.doesNotMatch(html, /<script/);
        assert.deepEqual(await events('page'), []);
        assert.equal((await submissions()).filter((s) => s.profileId === p).length, 0);
      });

      it('answers forged, altered and unknown links with a 404 page and records nothing', async () => {
        const p = await profileId('forged');
        const good = token(p);
        const [body, mac] = good.split('.');
        const otherForm = Buffer.from(
          JSON.stringify({ w: WS, p, f: 'survey', m: 'm-forged', r: 'r1' }),
        ).toString('base64url');
        const bad = [
          'nonsense',
          `${body}.${mac?.slice(1)}A`,
          `${otherForm}.${mac}`,
          server.waymark.deps.secrets.sign('unsubscribe', { w: WS, p, f: 'feedback' }),
          token(p, 'no-such-form'),
          token('no-such-profile'),
        ];
        for (const t of bad) {
          const get = await page(t);
          assert.equal(get.status, 404, t);
          assert.match(await get.text(), /This link is not valid/);
          const sent = await post(t, 'reason=price');
          assert.equal(sent.status, 404, t);
          const click = await page(`${t}?q=score&a=4`);
          assert.equal(click.status, 404, t);
        }
        assert.deepEqual(await events('forged'), []);
        assert.equal((await submissions()).filter((s) => s.profileId === p).length, 0);
      });

      it('re-renders with errors beside the fields (422) and records nothing', async () => {
        const p = await profileId('bad');
        const t = token(p);
        const missing = await post(t, 'score=4&comment=hello');
        assert.equal(missing.status, 422);
        const html = await missing.text();
        assert.match(html, /<p class="error" id="q-reason-error">Please choose an answer\.<\/p>/);
        assert.match(html, /value="4" checked/, 'what was given is kept');
        assert.match(html, />hello<\/textarea>/);

        for (const body of [
          'reason=cheap',
          'reason=price&score=6',
          'reason=price&score=0',
          'reason=price&score=x',
          'reason=price&reason=quality',
        ]) {
          const res = await post(t, body);
          assert.equal(res.status, 422, body);
          assert.match(await res.text(), /class="error"/);
        }
        assert.deepEqual(await events('bad'), []);
        assert.equal((await submissions()).filter((s) => s.profileId === p).length, 0);
      });

      it('records a submission once: the row, one event, and the thanks page again', async () => {
        const p = await profileId('once');
        const t = token(p);
        const first = await post(t, 'reason=price&score=2&comment=too+dear');
        assert.equal(first.status, 200);
        const html = await first.text();
        assert.match(html, /Thank you, we read every answer\./);
        assert.doesNotMatch(html, /already received/);

        const second = await post(t, 'reason=quality&score=5');
        assert.equal(second.status, 200);
        assert.match(await second.text(), /already received your answers/);
        const reopened = await page(`${t}?q=score&a=5`);
        assert.match(await reopened.text(), /already received/);

        const rows = (await submissions()).filter((s) => s.profileId === p);
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.status, 'submitted');
        assert.deepEqual(rows[0]?.answers, { reason: 'price', score: 2, comment: 'too dear' });
        const evs = await events('once');
        assert.equal(evs.length, 1);
        assert.deepEqual(evs[0]?.properties, {
          form: 'feedback',
          answers: { reason: 'price', score: 2, comment: 'too dear' },
          score: 2,
          message: `m-${p}`,
          run: 'r1',
          submission: rows[0]?.id,
        });
      });

      it('keeps concurrent submissions of one link to one', async () => {
        const p = await profileId('race');
        const t = token(p);
        const results = await Promise.all(
          Array.from({ length: 4 }, () => post(t, 'reason=price').then((r) => r.text())),
        );
        assert.equal(results.filter((h) => /already received/.test(h)).length, 3);
        assert.equal((await events('race')).length, 1);
      });

      it('records a one-click answer as provisional when the form asks more (two required)', async () => {
        const p = await profileId('click');
        const t = token(p, 'checkout');
        const res = await click(t, 'q=nps&a=9');
        assert.equal(res.status, 200);
        const html = await res.text();
        assert.match(html, /id="q-nps-9" name="nps" value="9" checked/);
        assert.match(html, /class="notice" role="status">Your answer is noted/);
        // A link scanner opening it again changes nothing.
        assert.equal((await click(t, 'q=nps&a=9')).status, 200);
        let rows = (await submissions('checkout')).filter((s) => s.profileId === p);
        assert.deepEqual(
          rows.map((r) => [r.status, r.answers]),
          [['provisional', { nps: 9 }]],
        );
        assert.deepEqual(await events('click'), [], 'no event until the page is submitted');

        // Out of range, or a question the form has not: refused, nothing changes.
        const out = await click(t, 'q=nps&a=11');
        assert.equal(out.status, 422);
        assert.match(await out.text(), /Choose a number from 0 to 10\./);
        assert.equal((await click(t, 'q=colour&a=red')).status, 200);

        // The page, reopened, still shows the answer; submitting it makes it final.
        assert.match(await (await page(t)).text(), /value="9" checked/);
        const sent = await post(t, 'nps=9&easy=yes');
        assert.equal(sent.status, 200);
        rows = (await submissions('checkout')).filter((s) => s.profileId === p);
        assert.deepEqual(
          rows.map((r) => [r.status, r.answers]),
          [['submitted', { nps: 9, easy: 'yes' }]],
        );
        const evs = await events('click');
        assert.equal(evs.length, 1);
        assert.equal(evs[0]?.properties.score, 9);
      });
    });

    describe('one-click submission', () => {
      before(async () => {
        const put = await server.admin('PUT', '/api/forms/survey', surveyYaml);
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
        const applied = await server.admin('PUT', '/api/journeys/rate-delivery', journey);
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
        await profileId('lea');
        await server.track('/v1/track', { userId: 'lea', event: 'order_delivered' });
        await server.waymark.worker.drain();
        const [ask] = (await emails('lea')).filter((m) => m.template === 'ask');
        assert.ok(ask, 'the rating email was sent');
        const link = await formLink(String(ask.content.html), 0);
        assert.match(link, /\?q=nps&a=10$/);
        const open = (ua = BROWSER) =>
          fetch(`${server.address}${link}`, { headers: { 'user-agent': ua } });

        // Opened the moment it was sent: a scanner's click, provisional; the run keeps waiting.
        assert.match(await (await open()).text(), /Your answer is noted/);
        await server.waymark.worker.drain();
        assert.deepEqual(
          (await emails('lea')).map((m) => m.template),
          ['ask'],
        );

        clock.advance(60_000);
        assert.match(await (await open()).text(), /Thanks for your score/);
        await server.waymark.worker.drain();
        assert.deepEqual((await emails('lea')).map((m) => m.template).sort(), ['ask', 'thanks']);
        assert.equal((await events('lea')).length, 1);
      });
    });

    describe('scenario 1: retention', () => {
      before(async () => {
        const applied = await server.admin('PUT', '/api/journeys/retention', retention);
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
      });

      it('sends the form; "price" gets the tailored reply, silence gets the coupon', async () => {
        await profileId('ana');
        await profileId('rui');
        await server.waymark.worker.drain();
        clock.advance(31 * DAY);
        await server.waymark.worker.drain();

        const [ask] = await emails('ana');
        assert.equal(ask?.template, 'ask');
        const html = String(ask?.content.html);
        assert.ok((await emails('rui')).some((m) => m.template === 'ask'));

        // Ana clicks the one-click "5" (provisional), then answers on the page.
        const oneClick = await formLink(html, 1);
        assert.match(oneClick, /\?q=score&a=5$/);
        const opened = await fetch(`${server.address}${oneClick}`);
        assert.equal(opened.status, 200);
        assert.match(await opened.text(), /value="5" checked/);
        await server.waymark.worker.drain();
        assert.deepEqual(
          (await emails('ana')).map((m) => m.template),
          ['ask'],
          'a provisional answer wakes nothing',
        );

        clock.advance(DAY);
        const link = await formLink(html, 0);
        const sent = await fetch(`${server.address}${link}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'reason=price&score=5',
        });
        assert.equal(sent.status, 200);
        await server.waymark.worker.drain();
        assert.deepEqual((await emails('ana')).map((m) => m.template).sort(), ['ask', 'price']);

        // Rui never answers: after the 5-day wait, the coupon.
        clock.advance(5 * DAY);
        await server.waymark.worker.drain();
        assert.deepEqual((await emails('rui')).map((m) => m.template).sort(), ['ask', 'coupon']);
        assert.ok(!(await emails('ana')).some((m) => m.template === 'coupon'));
      });
    });
  });
}
