import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadJourney } from '../journey/parse.ts';
import { replyExpectation } from './expectation.ts';

function journeyTesting(when: string) {
  const parsed = loadJourney(`
schemaVersion: 1
id: ask
name: Ask
trigger: { type: manual }
start: ask
nodes:
  ask: { type: send, channel: sms, template: ask, next: wait }
  wait: { type: wait_for, reply: { node: ask }, timeout: 2d, next: route, onTimeout: done }
  route:
    type: branch
    cases:
      - { when: ${when}, next: done }
    default: done
  done: { type: exit }
templates:
  ask: { body: "How was it? 1-5" }
`);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.definition;
}

describe('replyExpectation', () => {
  it('reads what the branch after the wait tests', () => {
    const score = journeyTesting('{ not: { reply: { score: { between: [1, 2] } } } }');
    assert.equal(replyExpectation(score, 'wait'), 'score');
    const field = journeyTesting('{ field: last.reply.score, op: gte, value: 4 }');
    assert.equal(replyExpectation(field, 'wait'), 'score');
    const intent = journeyTesting('{ any: [{ reply: { intent: yes } }] }');
    assert.equal(replyExpectation(intent, 'wait'), 'yes_no');
    const keyword = journeyTesting('{ reply: { keyword: SLIDES } }');
    assert.equal(replyExpectation(keyword, 'wait'), 'any');
    assert.equal(replyExpectation(keyword, 'ask'), 'any', 'not a wait_for');
  });
});
