// The adapter contract, once for every provider: each adapter is made through its provider factory
// (settings validated as `/api/channels` and the environment would give them) and driven against
// a real local peer of its protocol — an SMTP server, the local Twilio, an HTTP gateway, a webhook
// receiver. Whatever the provider, `send` must: answer `sent` with the provider's id once the peer
// has the message; hand the peer our idempotency key, the same on a retry; answer `retryable` for a
// transient refusal and for an unreachable peer; answer `permanent` with a reason for a message the
// provider will never take; never throw. Factories must name the field of bad settings.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../clock.ts';
import { Secrets } from '../secrets.ts';
import { startRecordingPeer } from '../testing/recording-peer.ts';
import { smtpProvider } from './email/index.ts';
import { SMTP_PASSWORD, SMTP_USER, startSmtp } from './email/testing.ts';
import { httpSmsProvider } from './http-sms/index.ts';
import { providerFactories } from './providers.ts';
import type { AdapterContext, ChannelAdapter, MessageRow, ProviderFactory } from './sdk/index.ts';
import { outboxRow } from './sdk/testing.ts';
import { twilioSmsProvider, twilioVoiceProvider } from './twilio/index.ts';
import { startTwilioPeer, type TwilioPeer } from './twilio/testing/twilio-peer.ts';
import { webhookProvider } from './webhook/index.ts';

const secrets = new Secrets(Buffer.alloc(32, 7));
const context = (channel: string): AdapterContext => ({
  channel,
  publicUrl: 'http://127.0.0.1:1',
  secrets,
  clock: systemClock,
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function row(channel: string, kind: MessageRow['kind'], over: Partial<MessageRow>): MessageRow {
  return outboxRow({ channel, kind, journeyId: 'contract', nodeId: 'send', ...over });
}

/** What each provider's harness gives the shared cases. */
interface Harness {
  adapter: ChannelAdapter;
  /** A message the peer accepts. */
  good(): MessageRow;
  /** A message the peer refuses for now (retry later). */
  transient(): MessageRow;
  /** A message the provider will never take. */
  doomed(): MessageRow;
  /** The idempotency keys the peer saw, oldest first. */
  keysSeen(): string[];
  /** The same settings, pointed at a port nothing listens on. */
  unreachable(): Promise<ChannelAdapter>;
  close(): Promise<void>;
}

interface Case {
  name: string;
  provider: ProviderFactory;
  channel: string;
  start(): Promise<Harness>;
}

const make = <S>(provider: ProviderFactory<S>, settings: unknown, channel: string) =>
  provider.create(provider.settings.parse(settings), context(channel));

const cases: Case[] = [
  {
    name: 'smtp (email)',
    provider: smtpProvider,
    channel: 'email',
    async start() {
      const smtp = await startSmtp();
      const settings = (port: number) => ({
        url: `smtp://${SMTP_USER}@127.0.0.1:${port}`,
        password: SMTP_PASSWORD,
        from: 'Shop <shop@example.com>',
        allowSelfSigned: true,
        timeoutMs: 2_000,
      });
      const adapter = make(smtpProvider, settings(smtp.port), 'email');
      const email = (to: string) =>
        row('email', 'message', {
          recipient: to,
          content: { subject: 'Hi', body: 'Hello Ana', html: '<p>Hello Ana</p>' },
        });
      return {
        adapter,
        good: () => email('ana@example.com'),
        transient: () => email('busy@example.com'),
        doomed: () => email('gone@example.com'),
        keysSeen: () =>
          smtp.received.map((r) => String(r.mail.headers.get('x-waymark-message') ?? '')),
        unreachable: async () => make(smtpProvider, settings(await closedPort()), 'email'),
        close: async () => {
          await adapter.close?.();
          await smtp.close();
        },
      };
    },
  },
  ...(['sms', 'voice'] as const).map((channel): Case => ({
    name: `twilio (${channel})`,
    provider: channel === 'sms' ? twilioSmsProvider : twilioVoiceProvider,
    channel,
    async start() {
      const peer: TwilioPeer = await startTwilioPeer();
      const provider: ProviderFactory = channel === 'sms' ? twilioSmsProvider : twilioVoiceProvider;
      const settings = (apiBase: string) => ({
        accountSid: peer.accountSid,
        authToken: peer.authToken,
        apiBase,
        from: '+15005550006',
        defaultCountry: 'PT',
      });
      const adapter = make(provider, settings(peer.apiBase), channel);
      const message = (to: string) =>
        row(channel, 'message', {
          recipient: to,
          content: { body: 'Your order shipped', connectTo: '+351210000000' },
        });
      return {
        adapter,
        good: () => message('912345678'),
        transient: () => {
          peer.failNext({ status: 503, body: { code: 20503, message: 'Service unavailable' } });
          return message('912345678');
        },
        doomed: () => message('not a number'),
        keysSeen: () => [...peer.messages, ...peer.calls].map((m) => m.idempotencyToken ?? ''),
        unreachable: async () =>
          make(provider, settings(`http://127.0.0.1:${await closedPort()}`), channel),
        close: async () => {
          await adapter.close?.();
          await peer.close();
        },
      };
    },
  })),
  {
    name: 'http-sms (sms)',
    provider: httpSmsProvider,
    channel: 'sms',
    async start() {
      const gateway = await startRecordingPeer({
        routes: {
          '*': (req) => {
            const to = (req.json as { to: string }).to;
            if (to.endsWith('0000')) return { status: 503, body: { error: 'busy' } };
            return { status: 200, body: { id: `gw-${to}` } };
          },
        },
      });
      const settings = (url: string) => ({ url, token: 'gw-token', defaultCountry: 'PT' });
      const adapter = make(httpSmsProvider, settings(gateway.url), 'sms');
      const sms = (to: string) => row('sms', 'message', { recipient: to, content: { body: 'Hi' } });
      return {
        adapter,
        good: () => sms('912345678'),
        transient: () => sms('912340000'),
        doomed: () => sms('12'),
        keysSeen: () => gateway.requests.map((r) => String(r.headers['idempotency-key'] ?? '')),
        unreachable: async () =>
          make(httpSmsProvider, settings(`http://127.0.0.1:${await closedPort()}`), 'sms'),
        close: async () => {
          await adapter.close?.();
          await gateway.close();
        },
      };
    },
  },
  {
    name: 'webhook',
    provider: webhookProvider,
    channel: 'webhook',
    async start() {
      const receiver = await startRecordingPeer({
        routes: {
          '/busy': { status: 503, body: { error: 'busy' } },
          '/gone': { status: 404, body: { error: 'no such hook' } },
          '*': { status: 200, body: { ok: true } },
        },
      });
      const settings = { signingSecret: 'whsec_contract_secret_1234', timeoutMs: 2_000 };
      const adapter = make(webhookProvider, settings, 'webhook');
      const hook = (url: string) =>
        row('webhook', 'webhook', {
          recipient: url,
          content: { method: 'POST', headers: {}, body: { order: 42 } },
        });
      return {
        adapter,
        good: () => hook(`${receiver.url}/ok`),
        transient: () => hook(`${receiver.url}/busy`),
        doomed: () => hook(`${receiver.url}/gone`),
        keysSeen: () => receiver.requests.map((r) => String(r.headers['idempotency-key'] ?? '')),
        unreachable: async () => {
          const port = await closedPort();
          const dead = make(webhookProvider, settings, 'webhook');
          return {
            ...dead,
            send: (m, key) => dead.send({ ...m, recipient: `http://127.0.0.1:${port}/ok` }, key),
          };
        },
        close: async () => {
          await adapter.close?.();
          await receiver.close();
        },
      };
    },
  },
];

describe('adapter contract: coverage', () => {
  it('has a case for every provider of the catalogue', () => {
    for (const provider of providerFactories)
      assert.ok(
        cases.some((c) => c.provider === provider),
        `${provider.name} has no adapter contract case`,
      );
  });
});

for (const c of cases) {
  describe(`adapter contract: ${c.name}`, () => {
    let h: Harness;
    before(async () => {
      h = await c.start();
    });
    after(async () => {
      await h.close();
    });

    it('sends: the peer has the message and the provider id comes back', async () => {
      const before = h.keysSeen().length;
      const message = h.good();
      const result = await h.adapter.send(message, message.idempotencyKey);
      assert.equal(result.kind, 'sent', JSON.stringify(result));
      assert.ok(result.kind === 'sent' && result.providerMessageId.length > 0);
      assert.deepEqual(h.keysSeen().slice(before), [message.idempotencyKey]);
    });

    it('hands the provider the same idempotency key on a retry', async () => {
      const before = h.keysSeen().length;
      const message = h.good();
      await h.adapter.send(message, message.idempotencyKey);
      await h.adapter.send({ ...message, attempts: 1 }, message.idempotencyKey);
      assert.deepEqual(h.keysSeen().slice(before), [
        message.idempotencyKey,
        message.idempotencyKey,
      ]);
    });

    it('answers retryable when the provider refuses for now', async () => {
      const message = h.transient();
      const result = await h.adapter.send(message, message.idempotencyKey);
      assert.equal(result.kind, 'retryable', JSON.stringify(result));
      assert.ok(result.kind === 'retryable' && result.error.length > 0);
    });

    it('answers permanent, with the reason, for a message the provider will never take', async () => {
      const message = h.doomed();
      const result = await h.adapter.send(message, message.idempotencyKey);
      assert.equal(result.kind, 'permanent', JSON.stringify(result));
      assert.ok(result.kind === 'permanent' && result.error.length > 0);
    });

    it('answers retryable, without throwing, when the provider cannot be reached', async () => {
      const adapter = await h.unreachable();
      try {
        const message = h.good();
        const result = await adapter.send(message, message.idempotencyKey);
        assert.equal(result.kind, 'retryable', JSON.stringify(result));
      } finally {
        await adapter.close?.();
      }
    });

    it('names the field of bad settings, and reads nothing from an empty environment', () => {
      const parsed = c.provider.settings.safeParse({ maxPerSecond: 'fast' });
      assert.equal(parsed.success, false);
      assert.ok(parsed.error!.issues.every((i) => i.path.length > 0));
      // Webhooks work with no configuration (signed with a key derived from the server's); the
      // others need their provider's address and credentials.
      const fromEmpty = c.provider.fromEnv({}, c.channel);
      if (c.name === 'webhook') assert.notEqual(fromEmpty, null);
      else assert.equal(fromEmpty, null);
      assert.ok(c.provider.channels.includes(c.channel));
    });
  });
}
