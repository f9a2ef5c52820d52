// /api/channels over real HTTP with real SMTP servers: the environment configures the default
// workspace's email, an API row wins over it (secrets encrypted in the row, never returned), a
// removal falls back to the environment, validation names the field, a test message goes out, and
// a changed secret key is reported (listing and delivery) instead of crashing. Both backends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import type { ChannelView } from '../app/channels.ts';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import { startSmtp, SMTP_PASSWORD, SMTP_USER } from '../channels/email/testing.ts';
import type { ProviderRegistry } from '../channels/registry.ts';
import { Secrets } from '../secrets.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

type Smtp = Awaited<ReturnType<typeof startSmtp>>;

const journey = `
schemaVersion: 1
id: hello
name: Hello
trigger: { type: event, event: hello }
start: email
nodes:
  email: { type: send, channel: email, template: hi, next: done }
  done: { type: exit }
templates:
  hi: { channel: email, subject: "Hello", body: "Hi there" }
`;

for (const backend of testDatabaseUrls()) {
  describe(`/api/channels (${backend.name})`, () => {
    let envSmtp: Smtp;
    let apiSmtp: Smtp;
    let server: TestServer;
    let user = 0;

    before(async () => {
      envSmtp = await startSmtp();
      apiSmtp = await startSmtp();
      // The default workspace's email from the environment (read when the registry is built).
      process.env.SMTP_URL = `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${envSmtp.port}`;
      process.env.EMAIL_FROM = 'Env <env@example.com>';
      process.env.SMTP_ALLOW_SELF_SIGNED = 'true';
      server = await startTestServer(backend);
      await applyJourney(server.waymark.deps, DEFAULT_WORKSPACE, checkJourney(journey));
    });
    after(async () => {
      await server.close();
      await envSmtp.close();
      await apiSmtp.close();
      delete process.env.SMTP_URL;
      delete process.env.EMAIL_FROM;
      delete process.env.SMTP_ALLOW_SELF_SIGNED;
    });

    async function sendOne(): Promise<string> {
      user += 1;
      const email = `u${user}@example.com`;
      await server.track('/v1/identify', { userId: `u${user}`, traits: { email } });
      await server.track('/v1/track', { userId: `u${user}`, event: 'hello' });
      await server.waymark.worker.drain();
      return email;
    }

    const email = (items: ChannelView[]): ChannelView => items.find((c) => c.channel === 'email')!;

    it('answers 401 without the admin token', async () => {
      const res = await fetch(`${server.address}/api/channels`);
      assert.equal(res.status, 401);
    });

    it('lists the environment-configured email with its password shown only as "set"', async () => {
      const res = await server.admin<{ items: ChannelView[] }>('GET', '/api/channels');
      assert.equal(res.status, 200);
      const view = email(res.body.items);
      assert.equal(view.configured, 'env');
      assert.equal(view.provider, 'smtp');
      assert.deepEqual(view.secrets, { password: 'set' });
      assert.equal(view.settings.from, 'Env <env@example.com>');
      assert.ok(!JSON.stringify(res.body).includes(SMTP_PASSWORD), 'no secret in the listing');
      const sms = res.body.items.find((c) => c.channel === 'sms')!;
      assert.deepEqual([sms.configured, sms.provider], ['none', null]);
      assert.ok(sms.providers.includes('twilio') && sms.providers.includes('http-sms'));

      const to = await sendOne();
      assert.ok(
        envSmtp.received.some((r) => r.rcpt.includes(to)),
        'sent through the env server',
      );
    });

    it('names the field of bad settings and rejects a provider that cannot serve the channel', async () => {
      const bad = await server.admin('PUT', '/api/channels/email', {
        provider: 'smtp',
        settings: { url: `smtp://${SMTP_USER}@127.0.0.1:${apiSmtp.port}` },
      });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.error?.details.some((d) => d.path === 'body.settings.from'));
      const wrong = await server.admin('PUT', '/api/channels/email', {
        provider: 'twilio',
        settings: {},
      });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error?.details[0]?.path, 'body.provider');
      assert.match(wrong.body.error!.details[0]!.hint!, /smtp/);
    });

    it('an API configuration wins over the environment; its secret is encrypted in the row', async () => {
      const put = await server.admin<ChannelView>('PUT', '/api/channels/email', {
        provider: 'smtp',
        settings: {
          url: `smtp://${SMTP_USER}@127.0.0.1:${apiSmtp.port}`,
          password: SMTP_PASSWORD,
          from: 'Api <api@example.com>',
          allowSelfSigned: true,
        },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.configured, 'api');
      assert.deepEqual(put.body.secrets, { password: 'set' });
      assert.ok(!JSON.stringify(put.body).includes(SMTP_PASSWORD));

      const row = await server.waymark.store.channelConfigs.get(DEFAULT_WORKSPACE, 'email');
      assert.ok(row?.secrets, 'secrets stored');
      assert.ok(!row.secrets.includes(SMTP_PASSWORD), 'not in clear text');
      assert.ok(!JSON.stringify(row.settings).includes(SMTP_PASSWORD));
      assert.equal('password' in row.settings, false);
      assert.deepEqual(JSON.parse(server.waymark.deps.secrets.decrypt(row.secrets)), {
        password: SMTP_PASSWORD,
      });

      const to = await sendOne();
      const got = apiSmtp.received.find((r) => r.rcpt.includes(to));
      assert.ok(got, 'sent through the API-configured server');
      assert.equal(got.user, SMTP_USER, 'authenticated with the decrypted password');
      assert.ok(!envSmtp.received.some((r) => r.rcpt.includes(to)));

      // A change leaving the secret out keeps it.
      const again = await server.admin<ChannelView>('PUT', '/api/channels/email', {
        provider: 'smtp',
        settings: {
          url: `smtp://${SMTP_USER}@127.0.0.1:${apiSmtp.port}`,
          from: 'Api Two <api@example.com>',
          allowSelfSigned: true,
        },
      });
      assert.deepEqual(again.body.secrets, { password: 'set' });
    });

    it('sends a test message through the configured provider', async () => {
      const res = await server.admin<{ result: string }>('POST', '/api/channels/email/test', {
        to: 'probe@example.com',
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.result, 'sent');
      assert.ok(apiSmtp.received.some((r) => r.rcpt.includes('probe@example.com')));
      const none = await server.admin('POST', '/api/channels/sms/test', { to: '+15550100' });
      assert.equal(none.status, 409);
    });

    it('reports a secret the key cannot decrypt, and holds messages instead of crashing', async () => {
      // A row encrypted under another key: what a changed WAYMARK_SECRET_KEY looks like.
      const wrong = new Secrets(Buffer.from('another-secret-key-of-at-least-32-characters'));
      const row = (await server.waymark.store.channelConfigs.get(DEFAULT_WORKSPACE, 'email'))!;
      await server.waymark.store.channelConfigs.upsert({
        ...row,
        secrets: wrong.encrypt(JSON.stringify({ password: SMTP_PASSWORD })),
        updatedAt: row.updatedAt + 1,
      });
      (server.waymark.deps.channels as ProviderRegistry).invalidate(DEFAULT_WORKSPACE, 'email');

      const list = await server.admin<{ items: ChannelView[] }>('GET', '/api/channels');
      assert.equal(list.status, 200);
      assert.match(email(list.body.items).error ?? '', /WAYMARK_SECRET_KEY/);

      const to = await sendOne();
      const page = await server.waymark.store.messages.list(DEFAULT_WORKSPACE, { limit: 50 });
      const held = page.items.find((m) => m.recipient === to)!;
      assert.equal(held.status, 'pending', 'held, not dead');
      assert.equal(held.attempts, 0);
      assert.match(held.error ?? '', /cannot be read.*WAYMARK_SECRET_KEY/);

      const del = await server.admin('DELETE', '/api/channels/email');
      assert.equal(del.status, 200);
    });

    it('falls back to the environment once the API configuration is removed', async () => {
      const del = await server.admin('DELETE', '/api/channels/email');
      assert.equal(del.status, 404, 'already removed');
      const res = await server.admin<{ items: ChannelView[] }>('GET', '/api/channels');
      assert.equal(email(res.body.items).configured, 'env');
      const to = await sendOne();
      assert.ok(envSmtp.received.some((r) => r.rcpt.includes(to)));
    });
  });
}
