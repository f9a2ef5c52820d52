// The Twilio voice adapter against the local Twilio peer: the call goes to the contact centre
// with the TwiML and status callback URLs; bad numbers and a missing connectTo are permanent.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../clock.ts';
import { Secrets } from '../../secrets.ts';
import type { ChannelAdapter, MessageRow } from '../sdk/index.ts';
import { TwilioPeer } from './testing/twilio-peer.ts';
import { twilioVoiceProvider } from './voice.adapter.ts';
import { answerTwiml } from './twiml.ts';
import { outboxRow } from '../sdk/testing.ts';

const message = (over: Partial<MessageRow> = {}): MessageRow =>
  outboxRow({
    id: 'm1',
    idempotencyKey: 'run1:callback',
    nodeId: 'callback',
    channel: 'voice',
    recipient: '912 345 678',
    template: 'whisper',
    content: { body: 'Callback for Maria', connectTo: '+351 210 000 000' },
    ...over,
  });

describe('twilio voice adapter', () => {
  let peer: TwilioPeer;
  let voice: ChannelAdapter;
  before(async () => {
    peer = await TwilioPeer.start();
    const settings = twilioVoiceProvider.fromEnv(
      {
        TWILIO_ACCOUNT_SID: peer.accountSid,
        TWILIO_AUTH_TOKEN: peer.authToken,
        TWILIO_FROM: '+15017122661',
        TWILIO_VOICE_FROM: '+15017120000',
        TWILIO_API_BASE: peer.apiBase,
        SMS_DEFAULT_COUNTRY: 'PT',
      },
      'voice',
    )!;
    voice = twilioVoiceProvider.create(settings, {
      channel: 'voice',
      publicUrl: 'https://wm.example.com',
      secrets: new Secrets(randomBytes(32)),
      clock: new ManualClock(0),
    });
  });
  after(async () => {
    await voice.close?.();
    await peer.close();
  });

  it('calls the contact centre with the TwiML URL naming the customer', async () => {
    const result = await voice.send(message(), 'run1:callback');
    assert.equal(result.kind, 'sent');
    const call = peer.calls.at(-1)!;
    assert.equal(result.kind === 'sent' && result.providerMessageId, call.sid);
    assert.equal(call.to, '+351210000000');
    assert.equal(call.from, '+15017120000');
    assert.equal(call.params.Timeout, '60');
    assert.equal(call.idempotencyToken, 'run1:callback');
    assert.equal(
      call.url,
      'https://wm.example.com/hooks/twilio/default/voice/answer/m1' +
        '?key=run1%3Acallback&customer=%2B351912345678&callerId=%2B15017120000&ring=30',
    );
    assert.equal(
      call.statusCallback,
      'https://wm.example.com/hooks/twilio/default/voice/status/m1?key=run1%3Acallback',
    );
    // The TwiML that URL answers: whisper, then dial the customer; the dial reports to …/dial/.
    assert.equal(
      answerTwiml(call.url, 'Callback for Maria & co <VIP>'),
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Callback for Maria &amp; co &lt;VIP&gt;</Say>' +
        '<Dial action="https://wm.example.com/hooks/twilio/default/voice/dial/m1?key=run1%3Acallback" ' +
        'method="POST" callerId="+15017120000" timeout="30"><Number>+351912345678</Number></Dial></Response>',
    );
  });

  it('is permanent without a usable connectTo or customer number', async () => {
    const before = peer.counts.requests;
    const none = await voice.send(message({ content: { body: 'x' } }), 'k');
    assert.match(none.kind === 'permanent' ? none.error : '', /^content\.connectTo: /);
    const bad = await voice.send(message({ content: { body: 'x', connectTo: '12' } }), 'k');
    assert.match(bad.kind === 'permanent' ? bad.error : '', /^content\.connectTo: "12"/);
    const customer = await voice.send(message({ recipient: 'n/a' }), 'k');
    assert.match(customer.kind === 'permanent' ? customer.error : '', /^recipient: /);
    assert.equal(peer.counts.requests, before);
    peer.failNext(
      TwilioPeer.error(400, 21215, 'Geo Permission configuration is not permitting call'),
    );
    const geo = await voice.send(message(), 'k');
    assert.equal(
      geo.kind === 'permanent' && geo.error,
      'twilio 400: 21215 Geo Permission configuration is not permitting call',
    );
  });

  it('is not configured without a voice number', () => {
    assert.equal(
      twilioVoiceProvider.fromEnv(
        { TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_MESSAGING_SERVICE_SID: 'MG1' },
        'voice',
      ),
      null,
    );
  });
});
