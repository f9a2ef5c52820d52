import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formNotFoundPage, formPage, formThanksPage, type FormPageData } from './form-page.ts';

const data: FormPageData = {
  title: 'How did we do?',
  intro: 'Two quick questions.',
  questions: [
    { id: 'score', type: 'rating', label: 'Rate your order', required: true },
    { id: 'nps', type: 'nps', label: 'Would you recommend us?', required: false },
    {
      id: 'reason',
      type: 'choice',
      label: 'Why are you leaving?',
      options: [
        { value: 'price', label: 'Too expensive' },
        { value: 'quality', label: 'Quality' },
      ],
      required: true,
    },
    {
      id: 'topics',
      type: 'multiple_choice',
      label: 'What should we improve?',
      options: [
        { value: 'delivery', label: 'Delivery' },
        { value: 'support', label: 'Support' },
      ],
      required: false,
    },
    { id: 'comment', type: 'text', label: 'Anything else?', required: false },
  ],
  values: {},
  errors: {},
};

describe('form page', () => {
  it('is a phone-friendly page with a form that posts to its own address, no script', () => {
    const html = formPage(data);
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(html, /<form method="post" novalidate>/);
    assert.match(html, /<h1>How did we do\?<\/h1>\n<p>Two quick questions\.<\/p>/);
    assert.match(html, /<button type="submit">Send<\/button>/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /min-height: 48px/, 'touch targets of at least 48 px');
    assert.match(html, /:focus-visible/, 'a visible focus');
  });

  it('groups choices and scales in fieldsets with legends, each input labelled', () => {
    const html = formPage(data);
    assert.equal((html.match(/<fieldset/g) ?? []).length, 4);
    assert.match(html, /<legend>Rate your order <span class="req">\(required\)<\/span><\/legend>/);
    assert.match(html, /<legend>Why are you leaving\? <span class="req">/);
    // A 1–5 scale and a 0–10 scale of radio buttons.
    for (let n = 1; n <= 5; n += 1)
      assert.match(
        html,
        new RegExp(
          `<label for="q-score-${n}"><input type="radio" id="q-score-${n}" name="score" value="${n}" required>`,
        ),
      );
    assert.doesNotMatch(html, /id="q-score-0"/);
    assert.match(html, /id="q-nps-0" name="nps" value="0">/);
    assert.match(html, /id="q-nps-10" name="nps" value="10">/);
    assert.match(
      html,
      /<input type="radio" id="q-reason-0" name="reason" value="price" required> Too expensive/,
    );
    assert.match(
      html,
      /<input type="checkbox" id="q-topics-1" name="topics" value="support"> Support/,
    );
    assert.match(
      html,
      /<label for="q-comment">Anything else\?<\/label>\n<textarea id="q-comment" name="comment"/,
    );
    // Every input has a label pointing at it.
    const ids = [...html.matchAll(/<(?:input|textarea)[^>]* id="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(ids.length, 5 + 11 + 2 + 2 + 1);
    for (const id of ids) assert.match(html, new RegExp(`<label[^>]* for="${id}"`));
  });

  it('shows given values selected and errors next to their fields', () => {
    const html = formPage({
      ...data,
      values: { score: '4', topics: ['delivery', 'support'], comment: 'a <b>' },
      errors: { reason: 'Choose one of the options.' },
      notice: 'Your rating is noted.',
    });
    assert.match(html, /value="4" checked required>/);
    assert.match(html, /value="delivery" checked>/);
    assert.match(html, /value="support" checked>/);
    assert.match(html, />a &#60;b&#62;<\/textarea>/);
    assert.match(html, /<p class="notice" role="status">Your rating is noted\.<\/p>/);
    assert.match(html, /<title>Error: How did we do\?<\/title>/);
    assert.match(
      html,
      /<div class="errors" role="alert">.*<a href="#q-reason-0">Why are you leaving\?<\/a>: Choose one/s,
    );
    assert.match(
      html,
      /<fieldset class="question invalid" aria-describedby="q-reason-error" aria-invalid="true">/,
    );
    assert.match(html, /<p class="error" id="q-reason-error">Choose one of the options\.<\/p>/);
  });

  it('escapes everything it interpolates', () => {
    const html = formPage({
      ...data,
      title: '<script>x</script>',
      questions: [
        {
          id: 'q',
          type: 'choice',
          label: '"><img>',
          options: [{ value: '"><i>', label: '<u>' }],
          required: false,
        },
      ],
    });
    assert.doesNotMatch(html, /<script>|<img>|<i>|<u>/);
  });

  it('thanks, once or again, and says when a link is not valid', () => {
    const first = formThanksPage({ title: 'Feedback', thanks: 'Merci!', already: false });
    assert.match(first, /<p role="status">Merci!<\/p>/);
    assert.doesNotMatch(first, /already/);
    const again = formThanksPage({ title: 'Feedback', already: true });
    assert.match(again, /Thank you for your answers\./);
    assert.match(again, /already received your answers/);
    assert.match(formNotFoundPage(), /This link is not valid/);
  });
});
