// The webhook adapter against a real local HTTP server: signatures (checked with our verifier and
// by hand), headers a node cannot override, classification of answers (2xx, 4xx, 429/5xx with
// Retry-After, timeouts, refused connections), response bodies captured and capped, alerts.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../clock.ts';
import { Secrets } from '../../secrets.ts';
import {
  startRecordingPeer,
  type PeerResponse,
  type PeerRoute,
  type RecordingPeer,
} from '../../testing/recording-peer.ts';
import type { ChannelAdapter, MessageRow } from '../sdk/index.ts';
import {
  RESPONSE_BODY_LIMIT,
  derivedSigningSecret,
  verifyWebhookSignature,
  webhookAdapter,
  webhookProvider,
} from './index.ts';

const SECRET = 'whsec_test_secret_0123456789';
const NOW = Date.parse('2026-05-05T10:00:00Z');

/** What the receiver answers unless a test says otherwise. */
const NO_CONTENT: PeerResponse = { status: 204 };

/** A webhook receiver: records every request and answers 204. */
const startReceiver = () => startRecordingPeer({ routes: { '*': NO_CONTENT } });

function row(over: Partial<MessageRow> = {}): MessageRow {
  return {
    workspaceId: 'ws',
    profileId: 'p1',
    id: 'msg-1',
    idempotencyKey: 'run-1:hook:3',
    runId: 'run-1',
    journeyId: 'j1',
    nodeId: 'hook',
    kind: 'webhook',
    channel: 'webhook',
    recipient: null,
    template: null,
    content: { method: 'POST', headers: {}, body: { order: 42 } },
    status: 'pending',
    attempts: 0,
    availableAt: NOW,
    leaseUntil: null,
    providerMessageId: null,
    error: null,
    createdAt: NOW,
    updatedAt: NOW,
    sentAt: null,
    ...over,
  };
}

describe('webhook adapter', () => {
  let receiver: RecordingPeer;
  const clock = new ManualClock(NOW);
  let adapter: ChannelAdapter;
  /** From now on the receiver answers every request so. */
  const answer = (route: PeerRoute): void => {
    receiver.routes['*'] = route;
  };

  before(async () => {
    receiver = await startReceiver();
    adapter = webhookAdapter({ signingSecret: SECRET, timeoutMs: 300, clock });
  });
  after(() => receiver.close());
  beforeEach(() => {
    receiver.requests.length = 0;
    answer(NO_CONTENT);
  });

  it('POSTs the JSON body, signed over timestamp and raw body, with our ids', async () => {
    const result = await adapter.send(
      row({ recipient: `${receiver.url}/hooks/order?x=1` }),
      'run-1:hook:3',
    );
    assert.equal(result.kind, 'sent');
    const [req] = receiver.requests;
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/hooks/order?x=1');
    assert.deepEqual(JSON.parse(req.raw.toString('utf8')), { order: 42 });
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['idempotency-key'], 'run-1:hook:3');
    assert.equal(req.headers['waymark-message-id'], 'msg-1');
    assert.equal(req.headers['waymark-timestamp'], String(NOW / 1000));
    // By hand, as a receiver in any language would.
    const mac = createHmac('sha256', SECRET)
      .update(`${req.headers['waymark-timestamp']}.${req.raw.toString('utf8')}`)
      .digest('hex');
    assert.equal(req.headers['waymark-signature'], `v1=${mac}`);
    // With our verifier.
    assert.equal(verifyWebhookSignature(SECRET, req.headers, req.raw, 300, NOW + 10_000), true);
    assert.equal(
      verifyWebhookSignature('another-secret-xyz', req.headers, req.raw, 300, NOW),
      false,
    );
    assert.equal(
      verifyWebhookSignature(SECRET, req.headers, Buffer.from('{"order":43}'), 300, NOW),
      false,
      'a changed body does not verify',
    );
    assert.equal(
      verifyWebhookSignature(SECRET, req.headers, req.raw, 300, NOW + 301_000),
      false,
      'an old request does not verify (replay)',
    );
    const fetchHeaders = new Headers(
      Object.entries(req.headers).map(([k, v]) => [k, String(v)] as [string, string]),
    );
    assert.equal(verifyWebhookSignature(SECRET, fetchHeaders, req.raw, 300, NOW), true);
  });

  it("keeps the node's own headers but never lets them override ours", async () => {
    await adapter.send(
      row({
        recipient: receiver.url,
        content: {
          method: 'put',
          headers: {
            'X-Api-Key': 'k-123',
            'Waymark-Signature': 'v1=forged',
            'waymark-timestamp': '1',
            'Idempotency-Key': 'mine',
            'Content-Type': 'text/plain',
            Host: 'evil.example',
          },
          body: { a: 1 },
        },
      }),
      'key-1',
    );
    const [req] = receiver.requests;
    assert.ok(req);
    assert.equal(req.method, 'PUT');
    assert.equal(req.headers['x-api-key'], 'k-123');
    assert.equal(req.headers['idempotency-key'], 'key-1');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['waymark-timestamp'], String(NOW / 1000));
    assert.notEqual(req.headers['waymark-signature'], 'v1=forged');
    assert.match(req.headers.host ?? '', /^127\.0\.0\.1:/);
    assert.equal(verifyWebhookSignature(SECRET, req.headers, req.raw, 300, NOW), true);
  });

  it('answers sent with the status and the parsed JSON response', async () => {
    answer({ status: 201, body: { approved: true, limit: 500 } });
    const result = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.deepEqual(result, {
      kind: 'sent',
      providerMessageId: 'webhook:msg-1',
      data: { status: 201, body: { approved: true, limit: 500 } },
    });
  });

  it('keeps a non-JSON response as text, and a body that claims JSON but is not', async () => {
    answer({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' });
    const text = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.equal(text.kind, 'sent');
    assert.deepEqual(text.kind === 'sent' && text.data, { status: 200, body: 'ok' });
    answer({ status: 200, headers: { 'content-type': 'application/json' }, body: '{broken' });
    const broken = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.deepEqual(broken.kind === 'sent' && broken.data, { status: 200, body: '{broken' });
  });

  it('caps a large response body and flags it truncated', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(RESPONSE_BODY_LIMIT * 2) });
    answer({ status: 200, headers: { 'content-type': 'application/json' }, body: big });
    const result = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.equal(result.kind, 'sent');
    const data = result.kind === 'sent' ? result.data : undefined;
    assert.equal(data?.truncated, true);
    assert.equal(data?.status, 200);
    assert.equal(typeof data?.body, 'string');
    assert.equal(Buffer.byteLength(data?.body as string), RESPONSE_BODY_LIMIT);
  });

  it('answers retryable on 500 and on 429, honouring Retry-After (seconds or a date)', async () => {
    answer({ status: 500, body: { error: 'db down' } });
    const five = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.equal(five.kind, 'retryable');
    assert.match(five.kind === 'retryable' ? five.error : '', /HTTP 500.*db down/);
    assert.equal(five.kind === 'retryable' && five.retryAfterMs, undefined);

    answer({ status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '30' } });
    const busy = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.deepEqual(busy.kind === 'retryable' && busy.retryAfterMs, 30_000);

    const at = new Date(NOW + 120_000).toUTCString();
    answer({ status: 503, body: {}, headers: { 'retry-after': at } });
    const later = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.deepEqual(later.kind === 'retryable' && later.retryAfterMs, 120_000);

    answer({ status: 408, body: {} });
    assert.equal((await adapter.send(row({ recipient: receiver.url }), 'k')).kind, 'retryable');
  });

  it('answers permanent on other 4xx, with the status and body as data', async () => {
    answer({ status: 400, body: { error: 'unknown customer' } });
    const result = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.equal(result.kind, 'permanent');
    assert.deepEqual(result.kind === 'permanent' && result.data, {
      status: 400,
      body: { error: 'unknown customer' },
    });
    assert.match(result.kind === 'permanent' ? result.error : '', /HTTP 400/);
  });

  it('does not follow redirects', async () => {
    answer({ status: 302, headers: { location: 'http://example.com/' } });
    const result = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.equal(result.kind, 'permanent');
    assert.equal(receiver.requests.length, 1);
  });

  it('answers retryable when the receiver does not answer in time', async () => {
    answer(() => new Promise<never>(() => undefined)); // never answers
    const result = await adapter.send(row({ recipient: receiver.url }), 'k');
    assert.equal(result.kind, 'retryable');
    assert.match(result.kind === 'retryable' ? result.error : '', /timed out after 300 ms/);
  });

  it('answers retryable when the connection is refused, permanent for a URL it cannot call', async () => {
    const closed = await startReceiver();
    const url = closed.url;
    await closed.close();
    const refused = await adapter.send(row({ recipient: url }), 'k');
    assert.equal(refused.kind, 'retryable');
    assert.match(refused.kind === 'retryable' ? refused.error : '', /request failed/);
    const ftp = await adapter.send(row({ recipient: 'ftp://example.com/x' }), 'k');
    assert.equal(ftp.kind, 'permanent');
    const junk = await adapter.send(row({ recipient: 'not a url' }), 'k');
    assert.equal(junk.kind, 'permanent');
  });

  it('posts a staff alert as JSON with the rendered text', async () => {
    await adapter.send(
      row({
        kind: 'alert',
        recipient: receiver.url,
        template: 'manager-alert',
        content: { subject: 'Not delivered', body: 'Ana (+351912345678) did not get her order' },
      }),
      'alert-key',
    );
    const [req] = receiver.requests;
    assert.ok(req);
    assert.deepEqual(JSON.parse(req.raw.toString('utf8')), {
      type: 'alert',
      messageId: 'msg-1',
      journeyId: 'j1',
      runId: 'run-1',
      nodeId: 'hook',
      profileId: 'p1',
      template: 'manager-alert',
      subject: 'Not delivered',
      text: 'Ana (+351912345678) did not get her order',
    });
    assert.equal(verifyWebhookSignature(SECRET, req.headers, req.raw, 300, NOW), true);
  });
});

describe('webhook provider', () => {
  const secrets = new Secrets(Buffer.alloc(32, 7));

  it('is on by default: settings from the environment even when nothing is set', () => {
    assert.deepEqual(webhookProvider.fromEnv({}, 'webhook'), {
      timeoutMs: 10_000,
      afterCrash: 'resend',
    });
    assert.equal(webhookProvider.fromEnv({}, 'email'), null);
    assert.deepEqual(
      webhookProvider.fromEnv(
        {
          WEBHOOK_SIGNING_SECRET: 'a-long-enough-secret',
          WEBHOOK_TIMEOUT_MS: '2500',
          WEBHOOK_AFTER_CRASH: 'resend',
        },
        'webhook',
      ),
      { signingSecret: 'a-long-enough-secret', timeoutMs: 2500, afterCrash: 'resend' },
    );
  });

  it('names the variable that is wrong', () => {
    assert.throws(
      () => webhookProvider.fromEnv({ WEBHOOK_TIMEOUT_MS: 'soon' }, 'webhook'),
      /WEBHOOK_TIMEOUT_MS/,
    );
    assert.throws(
      () => webhookProvider.fromEnv({ WEBHOOK_SIGNING_SECRET: 'short' }, 'webhook'),
      /WEBHOOK_SIGNING_SECRET/,
    );
    const bad = webhookProvider.settings.safeParse({ timeoutMs: -1, extra: 1 });
    assert.equal(bad.success, false);
    assert.deepEqual(
      bad.error?.issues.map((i) => i.path.join('.') || i.code),
      ['timeoutMs', 'unrecognized_keys'],
    );
  });

  it('signs with the configured secret, else one derived from the server key', async () => {
    const receiver = await startReceiver();
    try {
      const context = { channel: 'webhook', publicUrl: '', secrets, clock: new ManualClock(NOW) };
      const derived = derivedSigningSecret(secrets);
      assert.match(derived, /^whsec_[A-Za-z0-9_-]{22}$/);
      assert.equal(derived, derivedSigningSecret(new Secrets(Buffer.alloc(32, 7))), 'stable');
      assert.notEqual(derived, derivedSigningSecret(new Secrets(Buffer.alloc(32, 8))));
      const byDefault = webhookProvider.create(webhookProvider.fromEnv({}, 'webhook')!, context);
      await byDefault.send(row({ recipient: receiver.url }), 'k');
      const configured = webhookProvider.create(
        {
          signingSecret: 'configured-secret-123',
          timeoutMs: 1000,
          maxPerSecond: 5,
          afterCrash: 'resend',
        },
        context,
      );
      assert.equal(configured.maxPerSecond, 5);
      await configured.send(row({ recipient: receiver.url }), 'k');
      const [first, second] = receiver.requests;
      assert.ok(first && second);
      assert.equal(verifyWebhookSignature(derived, first.headers, first.raw, 300, NOW), true);
      assert.equal(
        verifyWebhookSignature('configured-secret-123', second.headers, second.raw, 300, NOW),
        true,
      );
    } finally {
      await receiver.close();
    }
  });
});
