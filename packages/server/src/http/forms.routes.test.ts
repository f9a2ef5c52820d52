// Forms over real HTTP, on SQLite and (with DATABASE_URL) PostgreSQL: the admin API with
// field-named errors (JSON and YAML), the hosted page (GET, POST, required and out-of-range
// answers, forged and altered tokens), one-click answers recorded as provisional on forms with
// several required questions, and a second submission recording nothing. One-click submission
// and scenario 1 end to end: forms-one-click.routes.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { ManualClock } from '../clock.ts';
import { START, feedbackForm, formsServer, surveyYaml } from './forms.fixtures.ts';
import { testDatabaseUrls } from './testing.ts';

for (const backend of testDatabaseUrls()) {
  describe(`forms over HTTP (${backend.name})`, () => {
    const clock = new ManualClock(START);
    const forms = formsServer(backend, clock);
    const { profileId, token, page, post, events, click, submissions } = forms;

    describe('admin API', () => {
      it('creates, reads, lists, replaces and deletes forms (JSON and YAML)', async () => {
        const yaml = await forms.server.admin<{ created: boolean; form: { definition: unknown } }>(
          'PUT',
          '/api/forms/survey',
          surveyYaml,
        );
        assert.equal(yaml.status, 200, JSON.stringify(yaml.body));
        assert.equal(yaml.body.created, true);
        const got = await forms.server.admin<{ form: { definition: typeof feedbackForm } }>(
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
        const list = await forms.server.admin<{ items: Array<{ id: string }> }>(
          'GET',
          '/api/forms',
        );
        assert.deepEqual(
          list.body.items.map((f) => f.id),
          ['checkout', 'feedback', 'nps', 'survey'],
        );
        const again = await forms.server.admin<{ created: boolean }>(
          'PUT',
          '/api/forms/survey',
          surveyYaml,
        );
        assert.equal(again.body.created, false);

        await forms.server.admin('PUT', '/api/forms/temp', { ...feedbackForm, id: 'temp' });
        assert.equal((await forms.server.admin('DELETE', '/api/forms/temp')).status, 200);
        assert.equal((await forms.server.admin('GET', '/api/forms/temp')).status, 404);
        assert.equal((await forms.server.admin('DELETE', '/api/forms/temp')).status, 404);
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
          const res = await forms.server.admin('PUT', '/api/forms/feedback', body);
          assert.equal(res.status, 400, JSON.stringify(body));
          const detail = res.body.error?.details.find((d) => d.path === path);
          assert.ok(detail, `${path} in ${JSON.stringify(res.body.error?.details)}`);
          assert.match(detail.message, message);
        }
        const yaml = await forms.server.admin('PUT', '/api/forms/feedback', 'id: [unclosed');
        assert.equal(yaml.status, 400);
        assert.equal(yaml.body.error?.details[0]?.path, 'body');
        // Nothing was replaced.
        const got = await forms.server.admin<{ form: { definition: { title: string } } }>(
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
          forms.server.waymark.deps.secrets.sign('unsubscribe', { w: WS, p, f: 'feedback' }),
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
  });
}
