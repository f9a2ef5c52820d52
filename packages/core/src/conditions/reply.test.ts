import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplyFact } from '../evaluator/types.ts';
import { validateJourney } from '../journey/validate.ts';
import { understandReply } from '../replies/understand.ts';
import { evaluateCondition, type ConditionScope } from './evaluate.ts';
import { compileRegex, regexError } from './regex.ts';
import type { Condition } from './schema.ts';

const NOW = Date.parse('2026-05-01T12:00:00Z');

function scopeWith(reply: ReplyFact | undefined): ConditionScope {
  return {
    profile: { id: 'p1', traits: {}, lists: [] },
    last: {
      outcome: { messageKey: 'r:ask:1', nodeId: 'ask', type: 'replied', at: NOW, reply },
    },
    now: NOW,
  };
}

/** Whether `cond` holds for the understanding of `text`. */
const holdsFor = (cond: Condition, text: string): boolean =>
  evaluateCondition(cond, scopeWith(understandReply(text)));

describe('reply conditions', () => {
  it('test the intent: one, or any of a list; no intent counts as unknown', () => {
    assert.ok(holdsFor({ reply: { intent: 'yes' } }, 'Sim, chegou'));
    assert.ok(!holdsFor({ reply: { intent: 'yes' } }, 'ainda não'));
    assert.ok(holdsFor({ reply: { intent: 'no' } }, 'ainda não'));
    assert.ok(holdsFor({ reply: { intent: ['no', 'unknown'] } }, 'hmm, who is this?'));
    assert.ok(evaluateCondition({ reply: { intent: 'unknown' } }, scopeWith({ text: 'x' })));
    assert.ok(!evaluateCondition({ reply: { intent: 'yes' } }, scopeWith(undefined)), 'no reply');
  });

  it('test the score: a number, a comparison, a list, a range', () => {
    assert.ok(holdsFor({ reply: { score: 4 } }, '4/5'));
    assert.ok(holdsFor({ reply: { score: { op: 'lte', value: 2 } } }, '★★'));
    assert.ok(!holdsFor({ reply: { score: { op: 'lte', value: 2 } } }, 'três'));
    assert.ok(holdsFor({ reply: { score: { op: 'in', value: [4, 5] } } }, 'cinco'));
    assert.ok(holdsFor({ reply: { score: { between: [1, 2] } } }, '2 out of 5'));
    assert.ok(!holdsFor({ reply: { score: { between: [1, 2] } } }, '3'));
    assert.ok(!holdsFor({ reply: { score: { op: 'gte', value: 0 } } }, 'yes'), 'no score');
  });

  it('test the keyword, one or a list, ignoring case', () => {
    assert.ok(holdsFor({ reply: { keyword: 'slides' } }, 'SLIDES please'));
    assert.ok(holdsFor({ reply: { keyword: ['AULA', 'Slides'] } }, 'slides!'));
    assert.ok(!holdsFor({ reply: { keyword: ['AULA', 'SLIDES'] } }, 'the slides'));
  });

  it('test a pattern on the text (ignoring case), and `matches` on last.reply.text', () => {
    assert.ok(holdsFor({ reply: { pattern: '^(?i)slides' } }, 'Slides for lesson 3'));
    assert.ok(holdsFor({ reply: { pattern: 'lesson \\d+' } }, 'Slides for LESSON 3'));
    assert.ok(!holdsFor({ reply: { pattern: '^slides' } }, 'the slides'));
    const field = (value: string): Condition => ({
      field: 'last.reply.text',
      op: 'matches',
      value,
    });
    assert.ok(holdsFor(field('(?i)^slides'), 'SLIDES'));
    assert.ok(holdsFor(field('^(?i)slides'), 'SLIDES'));
    assert.ok(!holdsFor(field('^slides'), 'SLIDES'), 'case-sensitive without a flag');
    assert.ok(holdsFor(field('/^slides$/i'), 'SLIDES'));
  });

  it('need every part given to match', () => {
    assert.ok(holdsFor({ reply: { intent: 'no', keyword: 'AINDA' } }, 'ainda não'));
    assert.ok(!holdsFor({ reply: { intent: 'yes', keyword: 'AINDA' } }, 'ainda não'));
  });
});

describe('condition regexes', () => {
  it('take plain, literal and inline-flag forms', () => {
    assert.equal(compileRegex('(?i)^a')?.flags, 'i');
    assert.equal(compileRegex('^(?i)a')?.source, '^a');
    assert.equal(compileRegex('/a/m', 'i')?.flags, 'im');
    assert.equal(compileRegex('('), null);
  });
  it('explain what is wrong with a bad one', () => {
    assert.equal(regexError('^slides'), null);
    assert.match(regexError('^(slides') ?? '', /Unterminated group/);
    assert.match(regexError('/x/g') ?? '', /unknown regex flag g/);
    assert.match(regexError('(?x)a') ?? '', /unknown regex flag x/);
  });
});

describe('journey validation of reply conditions', () => {
  const journey = (when: unknown) => ({
    schemaVersion: 1,
    id: 'ask',
    name: 'Ask',
    trigger: { type: 'manual' },
    start: 'ask',
    nodes: {
      ask: { type: 'send', channel: 'sms', template: 'ask', next: 'wait' },
      wait: {
        type: 'wait_for',
        reply: { node: 'ask' },
        timeout: '2d',
        next: 'b',
        onTimeout: 'done',
      },
      b: { type: 'branch', cases: [{ when, next: 'done' }], default: 'done' },
      done: { type: 'exit' },
    },
    templates: { ask: { body: 'Did it arrive?' } },
  });
  const issues = (when: unknown) => {
    const result = validateJourney(journey(when));
    return result.ok ? [] : result.issues.map((i) => [i.path, i.message]);
  };

  it('accepts the reply condition forms', () => {
    for (const when of [
      { reply: { intent: 'yes' } },
      { reply: { intent: ['no', 'unknown'] } },
      { reply: { score: 5 } },
      { reply: { score: { between: [1, 3] } } },
      { reply: { score: { op: 'in', value: [4, 5] } } },
      { reply: { keyword: ['SLIDES', 'AULA'], pattern: '^(?i)slides' } },
      { field: 'last.reply.text', op: 'matches', value: '(?i)^slides' },
    ]) {
      assert.deepEqual(issues(when), [], JSON.stringify(when));
    }
  });

  it('rejects a bad regex, naming the field', () => {
    const [pattern] = issues({ reply: { pattern: '^(slides' } });
    assert.equal(pattern?.[0], 'nodes.b.cases.0.when.reply.pattern');
    assert.match(String(pattern?.[1]), /not a valid regular expression: .*Unterminated group/);
    const [matches] = issues({ field: 'last.reply.text', op: 'matches', value: '[a-' });
    assert.equal(matches?.[0], 'nodes.b.cases.0.when.value');
    assert.match(String(matches?.[1]), /not a valid regular expression/);
  });

  it('rejects an unknown intent and an empty range', () => {
    assert.equal(
      issues({ reply: { intent: 'maybe' } })[0]?.[0],
      'nodes.b.cases.0.when.reply.intent',
    );
    assert.match(String(issues({ reply: { score: { between: [4, 2] } } })[0]?.[1]), /min <= max/);
  });
});
