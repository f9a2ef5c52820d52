// Forms without a server: definitions and their field-named errors, answer checks (required,
// options, ranges), and the `form_url` Liquid filter making signed per-recipient links that the
// page accepts (and nothing else does).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateJourney, type JourneyDefinition } from '@waymark/core';
import { AppError } from '../errors.ts';
import { renderTemplateContent } from '../runtime/render.ts';
import { Secrets } from '../secrets.ts';
import { FORM_TOKEN_PURPOSE, formUrl, type FormToken } from '../links/index.ts';
import { readAnswers } from './forms-answers.ts';
import { parseFormDefinition } from './forms.ts';

const form = parseFormDefinition(`
id: survey
title: How did we do?
questions:
  - { id: score, type: rating, label: Rate us, required: true }
  - { id: nps, type: nps, label: Recommend us? }
  - id: reason
    type: choice
    label: Why?
    options: [price, { value: quality, label: The quality }]
  - { id: topics, type: multiple_choice, label: Improve, options: [speed, packaging, support] }
  - { id: comment, type: text, label: Anything else? }
`);

function errorsOf(input: unknown): Array<[string, string]> {
  try {
    parseFormDefinition(input);
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'invalid_input');
    return err.details.map((d) => [d.path, d.message]);
  }
  assert.fail('expected the definition to be rejected');
}

describe('form definitions', () => {
  it('normalises options and defaults required to false', () => {
    assert.deepEqual(form.questions[2]?.options, [
      { value: 'price', label: 'price' },
      { value: 'quality', label: 'The quality' },
    ]);
    assert.equal(form.questions[1]?.required, false);
  });

  it('names the field of every problem', () => {
    const base = { id: 'f', title: 'F' };
    assert.deepEqual(
      errorsOf({ ...base, questions: [] }).map(([p]) => p),
      ['body.questions'],
    );
    assert.deepEqual(
      errorsOf({
        ...base,
        questions: [
          { id: 'a', type: 'multiple_choice', label: 'A', options: ['x', 'x'] },
          { id: 'a', type: 'text', label: 'B' },
          { id: 'c', type: 'nps', label: 'C', options: ['1', '2'] },
          { id: 'bad id', type: 'text', label: 'D' },
        ],
      }).map(([p]) => p),
      [
        'body.questions.3.id',
        'body.questions.0.options.1',
        'body.questions.1.id',
        'body.questions.2.options',
      ],
    );
    assert.match(errorsOf({ ...base, questions: [{ id: 'q', type: 'text' }] })[0]![0], /label/);
    assert.deepEqual(errorsOf('title: [')[0]?.[0], 'body');
    assert.deepEqual(errorsOf('id: f\nid: g\n')[0]?.[0], 'body', 'duplicate keys are errors');
  });
});

describe('answers', () => {
  const read = (fields: Record<string, string[]>) => readAnswers(form, (id) => fields[id] ?? []);

  it('reads each kind of answer in its own type', () => {
    assert.deepEqual(
      read({
        score: ['5'],
        nps: ['0'],
        reason: ['quality'],
        topics: ['support', 'speed'],
        comment: ['  fine  '],
      }),
      {
        answers: {
          score: 5,
          nps: 0,
          reason: 'quality',
          topics: ['speed', 'support'],
          comment: 'fine',
        },
        errors: {},
      },
    );
  });

  it('refuses what is missing, out of range or not an option', () => {
    assert.deepEqual(read({}).errors, { score: 'Please choose an answer.' });
    const { errors } = read({
      score: ['6'],
      nps: ['11'],
      reason: ['cheap'],
      topics: ['speed', 'colour'],
    });
    assert.deepEqual(Object.keys(errors).sort(), ['nps', 'reason', 'score', 'topics']);
    assert.match(errors.score!, /from 1 to 5/);
    assert.match(errors.nps!, /from 0 to 10/);
    for (const bad of [['0'], ['4.5'], ['-1'], ['1e0'], ['3', '4']])
      assert.ok(read({ score: bad }).errors.score, bad.join(','));
    assert.ok(read({ score: ['3'], reason: ['price', 'quality'] }).errors.reason);
  });
});

describe('form links', () => {
  const secrets = new Secrets(Buffer.alloc(32, 7));
  const target = {
    workspaceId: 'w',
    profileId: 'p1',
    formId: 'survey',
    messageId: 'm1',
    runId: 'r1',
  };

  function tokenOf(url: string): FormToken | null {
    const m = /\/f\/([^?]+)/.exec(url);
    return m ? secrets.verify<FormToken>(FORM_TOKEN_PURPOSE, m[1]!) : null;
  }

  it('signs who answers which form through which message and run', () => {
    const url = formUrl('https://x.example/', secrets, target);
    assert.match(url, /^https:\/\/x\.example\/f\/[\w-]+\.[\w-]+$/);
    assert.deepEqual(tokenOf(url), { w: 'w', p: 'p1', f: 'survey', m: 'm1', r: 'r1' });
    assert.equal(secrets.verify('unsubscribe', url.split('/f/')[1]!), null);
    const click = formUrl('https://x.example', secrets, target, { question: 'score', value: '4' });
    assert.match(click, /\?q=score&a=4$/);
  });

  function journey(templates: Record<string, unknown>): JourneyDefinition {
    const result = validateJourney({
      schemaVersion: 1,
      id: 'j',
      name: 'J',
      trigger: { type: 'manual' },
      start: 'email',
      nodes: {
        email: { type: 'send', channel: 'email', template: 't', next: 'done' },
        done: { type: 'exit' },
      },
      templates,
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
    return result.definition;
  }

  const scope = {
    profile: { id: 'p1', traits: {} },
    trigger: null,
    run: { id: 'r1', journeyId: 'j' },
    message: { id: 'm1' },
    timezone: 'UTC',
    now: 0,
    formUrl: (f: string, a?: { question: string; value: string }) =>
      formUrl('https://x.example', secrets, { ...target, formId: f }, a),
  };

  it('puts the links in templates with the form_url filter, one-click answers too', async () => {
    const template = {
      channel: 'email',
      subject: 'Tell us',
      body: "Answer: {{ 'survey' | form_url }} Five: {{ 'survey' | form_url: 'score', 5 }}",
      html: `<a href="{{ 'survey' | form_url: 'score', 4 }}">4</a>`,
    };
    const out = await renderTemplateContent(journey({ t: template }), template as never, scope);
    const [plain, five] = [...out.body.matchAll(/https:\/\/\S+/g)].map((m) => m[0]);
    assert.deepEqual(tokenOf(plain!), { w: 'w', p: 'p1', f: 'survey', m: 'm1', r: 'r1' });
    assert.match(five!, /\?q=score&a=5$/);
    // In HTML the query's `&` is escaped as an attribute needs.
    assert.match(out.html ?? '', /\?q=score&amp;a=4">4<\/a>/);
  });

  it('fails the render clearly where links cannot be made or the call is incomplete', async () => {
    const bare = { channel: 'email', body: "{{ 'survey' | form_url }}" };
    await assert.rejects(
      renderTemplateContent(journey({ t: bare }), bare as never, { ...scope, formUrl: undefined }),
      /form links are not available/,
    );
    const half = { channel: 'email', body: "{{ 'survey' | form_url: 'score' }}" };
    await assert.rejects(
      renderTemplateContent(journey({ t: half }), half as never, scope),
      /names a question and an answer/,
    );
  });
});
