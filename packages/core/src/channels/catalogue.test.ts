import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Channel } from '../journey/schema.ts';
import { CHANNELS, channelKind, channelsByAddress } from './catalogue.ts';

describe('channel catalogue', () => {
  it('has an entry for every channel a send node can use, and none other', () => {
    assert.deepEqual(Object.keys(CHANNELS).sort(), [...Channel.options].sort());
  });

  it('names a channel at run time, or nothing for what is not a message channel', () => {
    assert.equal(channelKind('sms')?.label, 'SMS');
    assert.equal(channelKind('webhook'), undefined);
    assert.equal(channelKind('toString'), undefined, 'not an inherited property');
  });

  it('groups channels by the trait their address lives in', () => {
    assert.deepEqual(channelsByAddress('phone'), ['sms', 'voice', 'whatsapp']);
    assert.deepEqual(channelsByAddress('email'), ['email']);
  });

  it('text channels answer STOP, START and HELP; the others no consent words', () => {
    assert.equal(CHANNELS.sms.consentWords.stop, 'stop');
    assert.equal(CHANNELS.whatsapp.consentWords.unstop, 'start');
    assert.deepEqual(CHANNELS.email.consentWords, {});
  });
});
