// The generic HTTP SMS gateway against a small local gateway over real HTTP: the JSON it posts,
// the auth header, the provider id read at the configured path, and how failures are classified.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../clock.ts';
import { Secrets } from '../../secrets.ts';
import { startRecordingPeer, type RecordingPeer } from '../../testing/recording-peer.ts';
import type { AdapterContext, MessageRow } from '../sdk/index.ts';
import { httpSmsProvider } from './http-sms.adapter.ts';
import { outboxRow } from '../sdk/testing.ts';

/** A scripted gateway answer; always sent as `application/json`, whatever the body. */
interface Scripted {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const context: AdapterContext = {
  channel: 'sms',
  publicUrl: 'https://waymark.example.com',
  secrets: new Secrets(randomBytes(32)),
  clock: new ManualClock(Date.parse('2026-05-05T10:00:00Z')),
};

function message(over: Partial<MessageRow> = {}): MessageRow {
  return outboxRow({
    recipient: '(415) 555-2671',
    content: { body: 'Your code is 1234 — valid 10 min' },
    ...over,
  });
}

describe('http sms gateway', () => {
  /** The gateway answers from this queue (default: 200 with a nested id). */
  const next: Scripted[] = [];
  let gw: RecordingPeer;
  before(async () => {
    gw = await startRecordingPeer({
      routes: {
        '*': () => {
          const a = next.shift();
          if (!a) return { body: { data: { messages: [{ id: `gw-${gw.requests.length}` }] } } };
          return { ...a, headers: { 'content-type': 'application/json', ...a.headers } };
        },
      },
    });
  });
  after(() => gw.close());

  const adapter = () =>
    httpSmsProvider.create(
      httpSmsProvider.fromEnv(
        {
          SMS_GATEWAY_URL: `${gw.url}/v1/sms?tenant=7`,
          SMS_GATEWAY_TOKEN: 's3cret',
          SMS_GATEWAY_AUTH_HEADER: 'X-Api-Key',
          SMS_GATEWAY_AUTH_SCHEME: '',
          SMS_GATEWAY_FROM: 'Waymark',
          SMS_GATEWAY_ID_PATH: 'data.messages.0.id',
          SMS_DEFAULT_COUNTRY: 'US',
        },
        'sms',
      )!,
      context,
    );

  it('posts JSON with the auth header and reads the id at the configured path', async () => {
    const a = adapter();
    try {
      const result = await a.send(message(), 'run1:sms:1');
      assert.equal(result.kind, 'sent');
      assert.equal(result.kind === 'sent' && result.providerMessageId, 'gw-1');
      assert.deepEqual(result.kind === 'sent' && result.data, {
        to: '+14155552671',
        from: 'Waymark', // recorded on the message: replies are matched to it
        encoding: 'UCS-2', // the em dash is not GSM-7
        segments: 1,
        characters: 32,
        status: 200,
      });
      const got = gw.requests.at(-1)!;
      assert.equal(got.path, '/v1/sms?tenant=7');
      assert.equal(got.headers['x-api-key'], 's3cret');
      assert.equal(got.headers.authorization, undefined);
      assert.equal(got.headers['idempotency-key'], 'run1:sms:1');
      assert.deepEqual(got.json, {
        to: '+14155552671',
        from: 'Waymark',
        body: 'Your code is 1234 — valid 10 min',
        reference: 'run1:sms:1',
      });
    } finally {
      await a.close?.();
    }
  });

  it('sends a Bearer token by default', async () => {
    const a = httpSmsProvider.create(
      httpSmsProvider.fromEnv({ SMS_GATEWAY_URL: gw.url, SMS_GATEWAY_TOKEN: 'tok' }, 'sms')!,
      context,
    );
    try {
      next.push({ status: 201, body: '{"id": 991}' });
      const result = await a.send(message({ recipient: '+351912345678' }), 'k');
      assert.equal(result.kind === 'sent' && result.providerMessageId, '991');
      assert.equal(gw.requests.at(-1)!.headers.authorization, 'Bearer tok');
    } finally {
      await a.close?.();
    }
  });

  it('classifies failures: 429 and 5xx retry, 4xx and a missing id are permanent', async () => {
    const a = adapter();
    try {
      next.push(
        { status: 429, body: '{"message":"slow down"}', headers: { 'retry-after': '7' } },
        { status: 502, body: 'bad gateway' },
        { status: 422, body: '{"error":"invalid destination"}' },
        { status: 200, body: '{"ok":true}' },
      );
      assert.deepEqual(await a.send(message(), 'k1'), {
        kind: 'retryable',
        error: 'sms gateway 429: slow down',
        retryAfterMs: 7000,
      });
      const down = await a.send(message(), 'k2');
      assert.equal(down.kind, 'retryable');
      const bad = await a.send(message(), 'k3');
      assert.equal(bad.kind, 'permanent');
      assert.equal(bad.kind === 'permanent' && bad.error, 'sms gateway 422: invalid destination');
      const noId = await a.send(message(), 'k4');
      assert.equal(noId.kind, 'permanent');
      assert.match(
        noId.kind === 'permanent' ? noId.error : '',
        /no message id at "data\.messages\.0\.id"/,
      );
      const before = gw.requests.length;
      const badNumber = await a.send(message({ recipient: 'call me' }), 'k5');
      assert.match(badNumber.kind === 'permanent' ? badNumber.error : '', /^recipient: /);
      assert.equal(gw.requests.length, before);
    } finally {
      await a.close?.();
    }
  });

  it('names the variable of a bad setting; no URL means not configured', () => {
    assert.equal(httpSmsProvider.fromEnv({}, 'sms'), null);
    assert.throws(
      () => httpSmsProvider.fromEnv({ SMS_GATEWAY_URL: 'not a url' }, 'sms'),
      /SMS_GATEWAY_URL/,
    );
    assert.throws(
      () =>
        httpSmsProvider.fromEnv(
          { SMS_GATEWAY_URL: 'https://gw.example.com', SMS_GATEWAY_AUTH_HEADER: 'X Bad' },
          'sms',
        ),
      /SMS_GATEWAY_AUTH_HEADER: an HTTP header name/,
    );
  });
});
