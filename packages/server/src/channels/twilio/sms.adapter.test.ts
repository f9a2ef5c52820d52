// The Twilio SMS adapter against the local Twilio peer over real HTTP: what reaches Twilio (form
// fields, Basic auth, E.164 numbers, the status callback URL, the idempotency token), segment
// counts, how each failure is classified, and status callbacks verified and normalised.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import { ManualClock } from '../../clock.ts';
import { Secrets } from '../../secrets.ts';
import {
  WebhookRejected,
  type AdapterContext,
  type ChannelAdapter,
  type MessageRow,
  type ProviderRequest,
} from '../sdk/index.ts';
import { TwilioPeer } from './testing/twilio-peer.ts';
import { twilioSmsProvider } from './sms.adapter.ts';
import { twilioSignature, verifyTwilioSignature } from './signature.ts';
import { outboxRow } from '../sdk/testing.ts';

const PUBLIC = 'https://waymark.example.com';

function context(channel = 'sms'): AdapterContext {
  return {
    channel,
    publicUrl: PUBLIC,
    secrets: new Secrets(randomBytes(32)),
    clock: new ManualClock(Date.parse('2026-05-05T10:00:00Z')),
  };
}

function message(over: Partial<MessageRow> = {}): MessageRow {
  return outboxRow({
    recipient: '912 345 678',
    content: { body: 'Hello Maria, your parcel arrives today.' },
    ...over,
  });
}

describe('twilio sms adapter', () => {
  let peer: TwilioPeer;
  let adapter: ChannelAdapter;
  const settings = () =>
    twilioSmsProvider.fromEnv(
      {
        TWILIO_ACCOUNT_SID: peer.accountSid,
        TWILIO_AUTH_TOKEN: peer.authToken,
        TWILIO_FROM: '+15017122661',
        TWILIO_API_BASE: peer.apiBase,
        SMS_DEFAULT_COUNTRY: 'pt',
      },
      'sms',
    )!;

  before(async () => {
    peer = await TwilioPeer.start();
    adapter = twilioSmsProvider.create(settings(), context());
  });
  after(async () => {
    await adapter.close?.();
    await peer.close();
  });

  it('posts the form Twilio expects, with Basic auth and the number in E.164', async () => {
    const m = message();
    const result = await adapter.send(m, m.idempotencyKey);
    assert.equal(result.kind, 'sent');
    const sent = peer.messages.at(-1)!;
    assert.equal(result.kind === 'sent' && result.providerMessageId, sent.sid);
    assert.match(sent.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(sent.to, '+351912345678');
    assert.equal(sent.from, '+15017122661');
    assert.equal(sent.body, 'Hello Maria, your parcel arrives today.');
    assert.equal(
      sent.statusCallback,
      `${PUBLIC}/hooks/twilio/default/sms/status/${m.id}?key=${encodeURIComponent(m.idempotencyKey)}`,
    );
    assert.equal(sent.idempotencyToken, m.idempotencyKey);
    const request = peer.requests.at(-1)!;
    assert.equal(request.path, `/2010-04-01/Accounts/${peer.accountSid}/Messages.json`);
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(
      request.headers.authorization,
      `Basic ${Buffer.from(`${peer.accountSid}:${peer.authToken}`).toString('base64')}`,
    );
    assert.deepEqual(result.kind === 'sent' && result.data, {
      to: '+351912345678',
      from: '+15017122661', // recorded on the message: replies are matched to it
      encoding: 'GSM-7',
      segments: 1,
      characters: 39,
      status: 'queued',
    });
  });

  it('records segment counts: extension characters, UCS-2 emoji, long messages', async () => {
    const cases: Array<[string, string, number]> = [
      ['Only 5€ today', 'GSM-7', 1],
      ['Olá Maria 👋 a sua encomenda chegou', 'UCS-2', 1],
      ['x'.repeat(200), 'GSM-7', 2],
      ['ã'.repeat(140), 'UCS-2', 3],
    ];
    for (const [body, encoding, segments] of cases) {
      const m = message({ content: { body } });
      const result = await adapter.send(m, m.idempotencyKey);
      assert.equal(result.kind, 'sent');
      if (result.kind === 'sent') {
        assert.equal(result.data?.encoding, encoding, body);
        assert.equal(result.data?.segments, segments, body);
      }
      assert.equal(peer.messages.at(-1)!.body, body);
    }
  });

  it('keeps international numbers and uses a messaging service when configured', async () => {
    const viaService = twilioSmsProvider.create(
      { ...settings(), from: undefined, messagingServiceSid: 'MG0123' },
      context(),
    );
    try {
      const m = message({ recipient: '+1 (415) 555-2671' });
      assert.equal((await viaService.send(m, m.idempotencyKey)).kind, 'sent');
      const sent = peer.messages.at(-1)!;
      assert.equal(sent.to, '+14155552671');
      assert.equal(sent.from, null);
      assert.equal(sent.messagingServiceSid, 'MG0123');
    } finally {
      await viaService.close?.();
    }
  });

  it('sends WhatsApp with whatsapp: addresses', async () => {
    const env = {
      TWILIO_ACCOUNT_SID: peer.accountSid,
      TWILIO_AUTH_TOKEN: peer.authToken,
      TWILIO_FROM: '+15017122661',
      TWILIO_API_BASE: peer.apiBase,
    };
    assert.equal(twilioSmsProvider.fromEnv(env, 'whatsapp'), null);
    const wa = twilioSmsProvider.create(
      twilioSmsProvider.fromEnv({ ...env, TWILIO_WHATSAPP_FROM: '+14155238886' }, 'whatsapp')!,
      context('whatsapp'),
    );
    try {
      const m = message({ channel: 'whatsapp', recipient: '+351912345678' });
      assert.equal((await wa.send(m, m.idempotencyKey)).kind, 'sent');
      const sent = peer.messages.at(-1)!;
      assert.equal(sent.to, 'whatsapp:+351912345678');
      assert.equal(sent.from, 'whatsapp:+14155238886');
      assert.match(sent.statusCallback!, /\/hooks\/twilio\/default\/whatsapp\/status\//);
    } finally {
      await wa.close?.();
    }
  });

  it('rejects a number it cannot normalise before calling Twilio (permanent)', async () => {
    const before = peer.counts.requests;
    const m = message({ recipient: '12' });
    const result = await adapter.send(m, m.idempotencyKey);
    assert.equal(result.kind, 'permanent');
    assert.match(result.kind === 'permanent' ? result.error : '', /^recipient: "12" is not/);
    const empty = await adapter.send(message({ content: { body: '  ' } }), 'k');
    assert.match(empty.kind === 'permanent' ? empty.error : '', /content\.body/);
    assert.equal(peer.counts.requests, before);
  });

  it("classifies Twilio's 4xx as permanent with its code and message", async () => {
    peer.failNext(
      TwilioPeer.error(400, 21211, "The 'To' number +351912345678 is not a valid phone number."),
    );
    const m = message();
    const result = await adapter.send(m, m.idempotencyKey);
    assert.equal(result.kind, 'permanent');
    if (result.kind === 'permanent') {
      assert.equal(
        result.error,
        "twilio 400: 21211 The 'To' number +351912345678 is not a valid phone number.",
      );
      assert.equal(result.data?.code, 21211);
    }
  });

  it('answers a wrong auth token with a permanent 401 (20003)', async () => {
    const wrong = twilioSmsProvider.create({ ...settings(), authToken: 'nope' }, context());
    try {
      const result = await wrong.send(message(), 'k');
      assert.equal(result.kind, 'permanent');
      assert.match(
        result.kind === 'permanent' ? result.error : '',
        /^twilio 401: 20003 Authenticate/,
      );
    } finally {
      await wrong.close?.();
    }
  });

  it('retries 429 (honouring Retry-After), 5xx and network failures', async () => {
    peer.failNext(
      TwilioPeer.error(429, 20429, 'Too Many Requests', { 'retry-after': '3' }),
      TwilioPeer.error(503, 20503, 'Service Unavailable'),
      { status: 0, destroy: true },
    );
    const limited = await adapter.send(message(), 'k1');
    assert.deepEqual(limited, {
      kind: 'retryable',
      error: 'twilio 429: 20429 Too Many Requests',
      retryAfterMs: 3000,
    });
    const down = await adapter.send(message(), 'k2');
    assert.equal(down.kind, 'retryable');
    assert.match(down.kind === 'retryable' ? down.error : '', /^twilio 503: 20503/);
    const dropped = await adapter.send(message(), 'k3');
    assert.equal(dropped.kind, 'retryable');
    assert.match(dropped.kind === 'retryable' ? dropped.error : '', /twilio unreachable/);
    // Nothing listens on the port of a closed server: connection refused.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = twilioSmsProvider.create(
      { ...settings(), apiBase: `http://127.0.0.1:${port}` },
      context(),
    );
    try {
      const result = await refused.send(message(), 'k4');
      assert.equal(result.kind, 'retryable');
      assert.match(result.kind === 'retryable' ? result.error : '', /ECONNREFUSED/);
    } finally {
      await refused.close?.();
    }
  });

  it('names the environment variable of a bad setting', () => {
    assert.throws(
      () =>
        twilioSmsProvider.fromEnv(
          { TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', SMS_DEFAULT_COUNTRY: 'XX' },
          'sms',
        ),
      /TWILIO_FROM: set a sender.*|SMS_DEFAULT_COUNTRY: not an ISO/,
    );
    assert.throws(
      () =>
        twilioSmsProvider.fromEnv(
          {
            TWILIO_ACCOUNT_SID: 'AC1',
            TWILIO_AUTH_TOKEN: 't',
            TWILIO_FROM: '+1',
            TWILIO_API_BASE: 'ftp://x',
          },
          'sms',
        ),
      /TWILIO_API_BASE/,
    );
    assert.equal(twilioSmsProvider.fromEnv({}, 'sms'), null);
  });

  it('turns signed status callbacks into outcomes and rejects forged ones', () => {
    const url = `${PUBLIC}/hooks/twilio/default/sms/status/msg9?key=run1%3Asms%3A9`;
    const request = (params: Record<string, string>, signature?: string): ProviderRequest => ({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === undefined
          ? { 'x-twilio-signature': twilio.getExpectedTwilioSignature(peer.authToken, url, params) }
          : signature
            ? { 'x-twilio-signature': signature }
            : {}),
      },
      rawBody: Buffer.from(new URLSearchParams(params).toString()),
    });
    const base = { AccountSid: peer.accountSid, MessageSid: 'SM1', To: '+351912345678' };
    const [delivered] = adapter.parseWebhook!(request({ ...base, MessageStatus: 'delivered' }));
    assert.deepEqual(delivered, {
      messageId: 'msg9',
      providerMessageId: 'SM1',
      type: 'delivered',
      at: Date.parse('2026-05-05T10:00:00Z'),
      data: { status: 'delivered' },
    });
    const [failed] = adapter.parseWebhook!(
      request({ ...base, MessageStatus: 'undelivered', ErrorCode: '30003' }),
    );
    assert.equal(failed?.type, 'failed');
    assert.equal(failed?.data?.error, 'twilio undelivered 30003');
    assert.deepEqual(adapter.parseWebhook!(request({ ...base, MessageStatus: 'sent' })), []);
    assert.throws(
      () => adapter.parseWebhook!(request({ ...base, MessageStatus: 'delivered' }, '')),
      (e: unknown) => e instanceof WebhookRejected && e.status === 403 && /missing/.test(e.message),
    );
    const forged = twilio.getExpectedTwilioSignature('another token', url, {
      ...base,
      MessageStatus: 'delivered',
    });
    assert.throws(
      () => adapter.parseWebhook!(request({ ...base, MessageStatus: 'delivered' }, forged)),
      /does not match/,
    );
    // A signature over other parameters does not cover these.
    const tampered = request({ ...base, MessageStatus: 'failed' });
    tampered.rawBody = Buffer.from(
      new URLSearchParams({ ...base, MessageStatus: 'delivered' }).toString(),
    );
    assert.throws(() => adapter.parseWebhook!(tampered), WebhookRejected);
  });
});

describe('twilio signature', () => {
  it("matches the twilio package's validateRequest both ways", () => {
    const token = 'secret_token_1234';
    const urls = [
      'https://waymark.example.com/hooks/twilio/default/sms/status/m1?key=a%3Ab',
      'https://waymark.example.com:443/hooks/twilio/w/voice/answer/m2?key=k&customer=%2B351912345678',
      'http://127.0.0.1:3000/hooks/twilio/w/sms/status/m3',
    ];
    const paramSets: Array<Record<string, string | string[]>> = [
      {},
      { MessageStatus: 'delivered', To: '+351912345678', Body: 'Olá 👋 & <b>' },
      { Z: 'last', A: 'first', Multi: ['b', 'a'] },
    ];
    for (const url of urls)
      for (const params of paramSets) {
        const ours = twilioSignature(token, url, params);
        assert.equal(ours, twilio.getExpectedTwilioSignature(token, url, params));
        assert.ok(twilio.validateRequest(token, ours, url, params), url);
        assert.ok(verifyTwilioSignature({ authToken: token, signature: ours, url, params }));
        assert.ok(
          !verifyTwilioSignature({ authToken: 'other', signature: ours, url, params }),
          'another token',
        );
      }
    // Signed without the default port, verified with it (and the other way), as Twilio allows.
    const url = 'https://waymark.example.com/hooks/x';
    const signed = twilioSignature(token, url, { A: '1' });
    assert.ok(
      verifyTwilioSignature({
        authToken: token,
        signature: signed,
        url: 'https://waymark.example.com:443/hooks/x',
        params: { A: '1' },
      }),
    );
  });
});
