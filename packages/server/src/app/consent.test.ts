// The pure rules of consent: which texts are SMS keywords, which bounces are hard. (Consent over
// HTTP and the stores is tested in http/consent.routes.test.ts and runtime/policies.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHardBounce, smsKeyword } from './consent.ts';

describe('SMS keywords', () => {
  it('recognises the whole message as a keyword, in any case, with punctuation around', () => {
    for (const text of [
      'STOP',
      'stop',
      ' Stop! ',
      'StopAll',
      'unsubscribe',
      'CANCEL',
      'end',
      'quit.',
    ])
      assert.deepEqual(smsKeyword(text), { keyword: 'stop', alsoReply: false }, text);
    for (const text of ['START', 'unstop'])
      assert.deepEqual(smsKeyword(text), { keyword: 'start', alsoReply: false }, text);
    assert.deepEqual(smsKeyword('Yes'), { keyword: 'start', alsoReply: true });
    for (const text of ['HELP', 'info?'])
      assert.deepEqual(smsKeyword(text), { keyword: 'help', alsoReply: false }, text);
  });

  it('leaves ordinary messages alone', () => {
    for (const text of ['stop by at 5', 'please stop', 'no', 'SLIDES', '', 'stopp', 'help me'])
      assert.equal(smsKeyword(text), null, text);
  });
});

describe('hard bounces', () => {
  it('treats a bounce as hard unless its data says soft or temporary', () => {
    assert.equal(isHardBounce(undefined), true);
    assert.equal(isHardBounce({ diagnostic: '550 5.1.1 user unknown' }), true);
    assert.equal(isHardBounce({ bounceType: 'Permanent' }), true);
    assert.equal(isHardBounce({ status: '5.1.1' }), true);
    assert.equal(isHardBounce({ bounceType: 'soft' }), false);
    assert.equal(isHardBounce({ bounceType: 'Transient' }), false);
    assert.equal(isHardBounce({ type: 'undetermined' }), false);
    assert.equal(isHardBounce({ status: '4.2.2' }), false);
    assert.equal(isHardBounce({ smtpStatus: 421 }), false);
    assert.equal(isHardBounce({ hard: false }), false);
  });
});
