// Email end to end: a Waymark whose email channel is the smtp adapter, a journey with an MJML
// email, an event ingested — and the email arrives at a real SMTP server, personalised, with its
// text part, sender, Message-ID (= the outbox row's provider id) and a one-click unsubscribe link
// whose token says who, what channel, topic and message. A template whose variable the profile
// lacks fails its row (`render failed: …`) and nothing is sent. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../../app/ingest.ts';
import { applyJourney, checkJourney } from '../../app/journeys.ts';
import { listOutbox } from '../../app/outbox.ts';
import { parseCall, type CallType } from '../../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../../app/workspaces.ts';
import { ManualClock } from '../../clock.ts';
import { configFromEnv } from '../../config.ts';
import { testDatabases, type TestDatabase } from '../../storage/testing.ts';
import { createWaymark, type Waymark } from '../../waymark.ts';
import { channelRegistry, type AdapterContext } from '../sdk/index.ts';
import type { UnsubscribeToken } from '../../links/index.ts';
import { smtpProvider } from './index.ts';
import { SMTP_PASSWORD, SMTP_USER, rawHeader, startSmtp } from './testing.ts';

const PUBLIC_URL = 'https://waymark.example';

const journeys = [
  `
schemaVersion: 1
id: welcome
name: Welcome
trigger: { type: event, event: signed_up }
start: email
nodes:
  email: { type: send, channel: email, template: welcome, topic: news, next: done }
  done: { type: exit }
policies:
  email: { from: "Shop <hello@shop.example>", replyTo: "Help <help@shop.example>" }
templates:
  welcome:
    channel: email
    subject: "Welcome, [[[first_name]]]"
    html: |
      <mjml>
        <mj-body>
          <mj-section><mj-column>
            <mj-text>Olá {{ profile.traits.first_name }}, o seu crédito de {{ event.properties.credit | money: 'EUR' }} expira a {{ event.properties.expires | date: 'long' }}.</mj-text>
            <mj-button href="https://shop.example/start?u={{ profile.id }}">Começar</mj-button>
            <mj-text><a href="{{ unsubscribe_url }}">Cancelar</a></mj-text>
          </mj-column></mj-section>
        </mj-body>
      </mjml>
`,
  `
schemaVersion: 1
id: broken
name: Needs a coupon
trigger: { type: event, event: signed_up }
start: email
nodes:
  email: { type: send, channel: email, template: coupon, transactional: true, next: done }
  done: { type: exit }
templates:
  coupon: { channel: email, subject: "Your code {{ event.properties.coupon }}", body: "x" }
`,
];

for (const kind of testDatabases()) {
  describe(`email end to end (${kind.name})`, () => {
    let db: TestDatabase;
    let wm: Waymark;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));
    before(async () => {
      db = await kind.create();
      smtp = await startSmtp();
      const settings = smtpProvider.settings.parse({
        url: `smtp://${SMTP_USER}@127.0.0.1:${smtp.port}`,
        password: SMTP_PASSWORD,
        from: 'Default <default@waymark.example>',
        allowSelfSigned: true,
        requireTls: true,
      });
      const email = smtpProvider.create(settings, {} as AdapterContext);
      wm = await createWaymark(
        configFromEnv(
          {},
          {
            databaseUrl: db.url,
            role: 'worker',
            publicUrl: PUBLIC_URL,
            secretKey: 'e2e-secret-key-e2e-secret-key-e2e-secret',
          },
        ),
        { clock, channels: channelRegistry({ email }) },
      );
      for (const doc of journeys) await applyJourney(wm.deps, WS, checkJourney(doc));
    });
    after(async () => {
      await wm.close();
      await smtp.close();
      await db.drop();
    });

    async function track(type: CallType, body: Record<string, unknown>) {
      await ingest(wm.deps, WS, [
        parseCall(type, { timestamp: new Date(clock.now()).toISOString(), ...body }, ''),
      ]);
      await wm.worker.drain();
    }

    it('delivers the personalised email and fails the one that cannot render', async () => {
      await track('identify', {
        userId: 'ana',
        traits: {
          email: 'ana@example.com',
          first_name: 'Ana',
          locale: 'pt-PT',
          timezone: 'Europe/Lisbon',
        },
      });
      await track('track', {
        userId: 'ana',
        event: 'signed_up',
        properties: { credit: 10, expires: '2026-06-30T23:30:00Z' },
      });
      // The delivery engine may settle sends after drain returns: wait for the server to see it.
      for (let i = 0; i < 100 && smtp.received.length === 0; i++) await wm.worker.drain();

      const rows = (await listOutbox(wm.deps, WS, { limit: 10, profile: 'userId:ana' })).items;
      const welcome = rows.find((r) => r.journeyId === 'welcome');
      const broken = rows.find((r) => r.journeyId === 'broken');
      assert.ok(welcome && broken);
      assert.equal(broken.status, 'failed');
      assert.equal(
        broken.error,
        'render failed: subject: undefined variable: event.properties.coupon, line:1, col:14',
      );

      assert.equal(smtp.received.length, 1, 'only the email that rendered is sent');
      assert.equal(welcome.status, 'sent', welcome.error ?? '');
      assert.equal(welcome.providerMessageId, `<${welcome.id}@shop.example>`);

      const got = smtp.received[0]!;
      const m = got.mail;
      assert.deepEqual(got.rcpt, ['ana@example.com']);
      assert.equal(got.secure, true);
      assert.equal(m.subject, 'Welcome, Ana');
      assert.equal(m.from?.text, '"Shop" <hello@shop.example>');
      assert.equal(m.replyTo?.value[0]?.address, 'help@shop.example');
      assert.equal(m.messageId, welcome.providerMessageId);
      assert.equal(m.headers.get('x-waymark-message'), welcome.idempotencyKey);
      assert.match(String(m.html), /<table/);
      assert.match(
        String(m.html),
        /Olá Ana, o seu crédito de 10,00\s€ expira a 1 de julho de 2026\./,
      );
      assert.match(
        m.text ?? '',
        /Olá Ana, o seu crédito de 10,00\s€ expira a 1 de julho de 2026\./,
      );
      assert.match(
        m.text ?? '',
        new RegExp(`Começar \\[https://shop\\.example/start\\?u=${welcome.profileId}\\]`),
      );

      const unsubscribe = rawHeader(m, 'list-unsubscribe');
      assert.equal(rawHeader(m, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      const url = /^<(.+)>$/.exec(unsubscribe ?? '')?.[1];
      assert.ok(url?.startsWith(`${PUBLIC_URL}/u/`), unsubscribe);
      assert.match(String(m.html), new RegExp(`href="${url!.replace(/[.?]/g, '\\$&')}"`));
      const token = wm.deps.secrets.verify<UnsubscribeToken>(
        'unsubscribe',
        url!.slice(`${PUBLIC_URL}/u/`.length),
      );
      assert.deepEqual(token, {
        w: WS,
        p: welcome.profileId,
        c: 'email',
        t: 'news',
        m: welcome.id,
      });
    });
  });
}
