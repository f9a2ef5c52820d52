// Phone numbers as customers type them become E.164 in the workspace's country; SMS texts are
// counted in segments the way the network bills them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countryOfPhone, PhoneNumberError, smsSegments, toE164 } from './phone.ts';

describe('toE164', () => {
  it('reads national numbers in the default country', () => {
    assert.equal(toE164('912 345 678', 'PT'), '+351912345678');
    assert.equal(toE164('(415) 555-2671', 'US'), '+14155552671');
    assert.equal(toE164('020 7946 0958', 'GB'), '+442079460958');
  });
  it('keeps international numbers whatever the default country', () => {
    assert.equal(toE164('+1 415 555 2671', 'PT'), '+14155552671');
    assert.equal(toE164('00351 912 345 678', 'US'), '+351912345678');
    assert.equal(toE164('+351912345678'), '+351912345678');
  });
  it('rejects what is not a number, naming the input and the reason', () => {
    assert.throws(() => toE164('912 345 678'), /no country prefix.*SMS_DEFAULT_COUNTRY/);
    assert.throws(
      () => toE164('12', 'PT'),
      (e: Error) => {
        assert.ok(e instanceof PhoneNumberError);
        assert.match(e.message, /"12" is not a (valid )?phone number/);
        return true;
      },
    );
    assert.throws(() => toE164('hello', 'PT'), /"hello" is not a phone number/);
    assert.throws(() => toE164('  ', 'PT'), /empty/);
    assert.throws(() => toE164('912345678', 'XX'), /default country "XX"/);
  });
  it('tells the country of a number', () => {
    assert.equal(countryOfPhone('+351912345678'), 'PT');
    assert.equal(countryOfPhone('+14155552671'), 'US');
    assert.equal(countryOfPhone('+442079460958'), 'GB');
  });
});

describe('smsSegments', () => {
  it('counts plain GSM-7 text in one part up to 160 characters', () => {
    assert.deepEqual(smsSegments('Hello Maria, your parcel arrives today.'), {
      encoding: 'GSM-7',
      segments: 1,
      characters: 39,
    });
    assert.equal(smsSegments('a'.repeat(160)).segments, 1);
    assert.equal(smsSegments('').segments, 0);
  });
  it('splits longer GSM-7 text into parts of 153', () => {
    assert.deepEqual(smsSegments('a'.repeat(161)), {
      encoding: 'GSM-7',
      segments: 2,
      characters: 161,
    });
    assert.equal(smsSegments('a'.repeat(306)).segments, 2);
    assert.equal(smsSegments('a'.repeat(307)).segments, 3);
  });
  it('counts extension characters twice and never splits them', () => {
    const euro = smsSegments('Only 5€ today [promo] {code}');
    assert.equal(euro.encoding, 'GSM-7');
    assert.equal(euro.characters, 28 + 5);
    assert.equal(smsSegments('€'.repeat(80)).segments, 1);
    assert.equal(smsSegments('€'.repeat(81)).segments, 2);
    // 152 septets then an escape pair: the pair moves to the second part.
    assert.equal(smsSegments('a'.repeat(152) + '€' + 'a'.repeat(8)).segments, 2);
    assert.equal(smsSegments('a'.repeat(152) + '€' + 'a'.repeat(152)).segments, 3);
  });
  it('switches to UCS-2 for characters outside GSM-7 (emoji count 2 units)', () => {
    assert.deepEqual(smsSegments('Olá 👋'), { encoding: 'UCS-2', segments: 1, characters: 6 });
    assert.equal(smsSegments('ç').encoding, 'UCS-2'); // ç (lower case) is not in GSM-7
    assert.equal(smsSegments('Ç'.repeat(160)).encoding, 'GSM-7');
    assert.equal(smsSegments('ã'.repeat(70)).segments, 1);
    assert.equal(smsSegments('ã'.repeat(71)).segments, 2);
    assert.equal(smsSegments('ã'.repeat(134)).segments, 2);
    assert.equal(smsSegments('ã'.repeat(135)).segments, 3);
    // 66 units then an emoji (2 units): the pair is not split.
    assert.equal(smsSegments('ã'.repeat(66) + '👋' + 'ã'.repeat(10)).segments, 2);
    assert.equal(smsSegments('ã'.repeat(66) + '👋'.repeat(34)).segments, 3);
  });
});
