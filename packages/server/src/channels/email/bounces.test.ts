// The bounce mailbox end to end, on SQLite and (with DATABASE_URL) PostgreSQL: a Waymark whose
// smtp provider sends with a VERP envelope sender (BOUNCE_DOMAIN) to a real SMTP server, and
// whose bounce listener (BOUNCE_SMTP_PORT) receives DSNs and ARF complaints over real SMTP,
// written here as a receiving MTA would. Hard bounces fail the message and suppress the address,
// soft ones do not; complaints suppress; forged addresses are refused at RCPT; duplicates are
// recorded once; the waiting run moves on the bounce.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { listSuppressions } from '../../app/consent.ts';
import { ingest } from '../../app/ingest.ts';
import { applyJourney, checkJourney } from '../../app/journeys.ts';
import { listOutbox } from '../../app/outbox.ts';
import { parseCall } from '../../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../../app/workspaces.ts';
import { configFromEnv } from '../../config.ts';
import { Secrets } from '../../secrets.ts';
import type { MessageRow } from '../sdk/index.ts';
import { testDatabases, type TestDatabase } from '../../storage/testing.ts';
import { createWaymark, type Waymark } from '../../waymark.ts';
import { bounceAddress, bounceSettingsFromEnv, parseReport, readBounceAddress } from './bounces.ts';
import { SMTP_PASSWORD, SMTP_USER, startSmtp } from './testing.ts';

const DOMAIN = 'bounces.shop.example';
const secrets = new Secrets(Buffer.alloc(32, 3));

/** A DSN as Postfix writes it (RFC 3464), for the message sent to `rcpt`. */
function dsn(a: { to: string; rcpt: string; action: string; status: string; messageId: string }) {
  return [
    'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
    `To: ${a.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Tue, 5 May 2026 10:00:05 +0000',
    'Message-ID: <20260505100005.4A1B2@mx.example.net>',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="4A1B2.1777975205/mx.example.net"',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--4A1B2.1777975205/mx.example.net',
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    '--4A1B2.1777975205/mx.example.net',
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    'X-Postfix-Queue-ID: 4A1B2',
    'Arrival-Date: Tue,  5 May 2026 10:00:04 +0000 (UTC)',
    '',
    `Final-Recipient: rfc822; ${a.rcpt}`,
    `Original-Recipient: rfc822;${a.rcpt}`,
    `Action: ${a.action}`,
    `Status: ${a.status}`,
    'Remote-MTA: dns; mail.example.net',
    `Diagnostic-Code: smtp; ${a.status.startsWith('5') ? '550' : '452'} ${a.status} <${a.rcpt}>:`,
    `    ${a.status.startsWith('5') ? 'Recipient address rejected: User unknown' : 'Mailbox full'}`,
    '',
    '--4A1B2.1777975205/mx.example.net',
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    `Return-Path: <${a.to}>`,
    `Message-ID: ${a.messageId}`,
    'From: Shop <hello@shop.example>',
    `To: ${a.rcpt}`,
    'Subject: Your basket',
    '',
    '--4A1B2.1777975205/mx.example.net--',
    '',
  ].join('\r\n');
}

/** An ARF complaint (RFC 5965) about the message, as a feedback loop sends it. */
function arf(a: { to: string; rcpt: string; returnPath?: string; messageId: string }) {
  return [
    'From: Feedback Loop <fbl@isp.example>',
    `To: ${a.to}`,
    'Subject: FW: Your basket',
    'Date: Tue, 5 May 2026 11:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="arf-b"',
    '',
    '--arf-b',
    'Content-Type: text/plain; charset="US-ASCII"',
    '',
    'This is an email abuse report for an email message received from IP 192.0.2.1.',
    '',
    '--arf-b',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    `Original-Rcpt-To: <${a.rcpt}>`,
    'Arrival-Date: Tue, 5 May 2026 10:00:04 +0000',
    'Source-IP: 192.0.2.1',
    '',
    '--arf-b',
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    ...(a.returnPath ? [`Return-Path: <${a.returnPath}>`] : []),
    'From: Shop <hello@shop.example>',
    `To: ${a.rcpt}`,
    'Subject: Your basket',
    `Message-ID: ${a.messageId}`,
    '',
    'Your basket is waiting.',
    '',
    '--arf-b--',
    '',
  ].join('\r\n');
}

describe('VERP bounce addresses', () => {
  const id = '019df794-8900-72f5-b55c-7e1c987cdc48';

  it('round-trip, fit in 64 octets, and survive case folding', () => {
    const address = bounceAddress(secrets, DOMAIN, { w: 'default', m: id });
    const local = address.slice(0, address.indexOf('@'));
    assert.ok(local.length <= 64, `${local} is ${local.length} long`);
    assert.match(address, /^bounce\+[0-9a-z.]+@bounces\.shop\.example$/);
    assert.deepEqual(readBounceAddress(secrets, address, DOMAIN), { w: 'default', m: id });
    assert.deepEqual(readBounceAddress(secrets, address.toUpperCase(), DOMAIN), {
      w: 'default',
      m: id,
    });
    const other = bounceAddress(secrets, DOMAIN, { w: 'acme', m: 'not-a-uuid' });
    assert.deepEqual(readBounceAddress(secrets, other, DOMAIN), { w: 'acme', m: 'not-a-uuid' });
  });

  it('refuse another key, another message, another domain, and altered signatures', () => {
    const address = bounceAddress(secrets, DOMAIN, { w: 'default', m: id });
    const forged = bounceAddress(new Secrets(Buffer.alloc(32, 4)), DOMAIN, { w: 'default', m: id });
    assert.equal(readBounceAddress(secrets, forged, DOMAIN), null);
    assert.equal(readBounceAddress(secrets, address, 'other.example'), null);
    const [mac, msg, ws] = address.slice(7, address.indexOf('@')).split('.') as [
      string,
      string,
      string,
    ];
    const flip = (s: string) => (s[0] === 'a' ? 'b' : 'a') + s.slice(1);
    for (const bad of [
      `${flip(mac)}.${msg}.${ws}`,
      `${mac}.${flip(msg)}.${ws}`,
      `${mac}.${msg}.${flip(ws)}`,
    ])
      assert.equal(readBounceAddress(secrets, `bounce+${bad}@${DOMAIN}`, DOMAIN), null, bad);
    assert.equal(readBounceAddress(secrets, `postmaster@${DOMAIN}`, DOMAIN), null);
  });

  it('settings: BOUNCE_SMTP_PORT needs BOUNCE_DOMAIN; bad values are named', () => {
    assert.equal(bounceSettingsFromEnv({}), null);
    assert.throws(() => bounceSettingsFromEnv({ BOUNCE_SMTP_PORT: '2525' }), /BOUNCE_DOMAIN/);
    assert.throws(
      () => bounceSettingsFromEnv({ BOUNCE_SMTP_PORT: 'x', BOUNCE_DOMAIN: DOMAIN }),
      /BOUNCE_SMTP_PORT/,
    );
    assert.deepEqual(bounceSettingsFromEnv({ BOUNCE_SMTP_PORT: '2525', BOUNCE_DOMAIN: DOMAIN }), {
      port: 2525,
      host: '0.0.0.0',
      domain: DOMAIN,
    });
  });
});

describe('report parsing', () => {
  it('reads a DSN: action, status, diagnostic (folded), recipient, original Message-ID', async () => {
    const report = await parseReport(
      Buffer.from(
        dsn({
          to: 'x@y',
          rcpt: 'ana@example.net',
          action: 'failed',
          status: '5.1.1',
          messageId: '<m1@shop.example>',
        }),
      ),
    );
    assert.deepEqual(report, {
      kind: 'dsn',
      recipients: [
        {
          action: 'failed',
          finalRecipient: 'ana@example.net',
          status: '5.1.1',
          diagnostic: '550 5.1.1 <ana@example.net>: Recipient address rejected: User unknown',
        },
      ],
      originalMessageId: '<m1@shop.example>',
    });
  });

  it('reads an ARF report; an ordinary email is no report', async () => {
    const report = await parseReport(
      Buffer.from(
        arf({ to: 'x@y', rcpt: 'ana@example.net', returnPath: 'r@y', messageId: '<m1@s>' }),
      ),
    );
    assert.deepEqual(report, {
      kind: 'arf',
      feedbackType: 'abuse',
      originalRecipient: 'ana@example.net',
      originalMessageId: '<m1@s>',
      returnPath: 'r@y',
    });
    assert.equal(
      await parseReport(Buffer.from('From: a@b\r\nSubject: Out of office\r\n\r\nI am away.\r\n')),
      null,
    );
  });
});

const journey = `
schemaVersion: 1
id: basket
name: Basket
trigger: { type: event, event: cart_abandoned }
policies: { reentry: { mode: concurrent }, email: { from: "Shop <hello@shop.example>" } }
start: email
nodes:
  email: { type: send, channel: email, template: basket, next: wait }
  wait:
    type: wait_for
    outcome: { node: email, is: [bounced, complained] }
    timeout: 1d
    onTimeout: done
    next: done
  done: { type: exit }
templates:
  basket: { channel: email, subject: "Your basket", body: "Your basket is waiting." }
`;

for (const kind of testDatabases()) {
  describe(`bounce mailbox over SMTP (${kind.name})`, () => {
    let db: TestDatabase;
    let wm: Waymark;
    let mx: Awaited<ReturnType<typeof startSmtp>>;
    const mailFrom: string[] = [];

    before(async () => {
      db = await kind.create();
      mx = await startSmtp({
        onMailFrom(address, _session, cb) {
          mailFrom.push(address.address);
          cb();
        },
      });
      wm = await createWaymark(
        configFromEnv({}, { databaseUrl: db.url, role: 'all', secretKey: 'b'.repeat(40) }),
        {
          env: {
            SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${mx.port}`,
            SMTP_ALLOW_SELF_SIGNED: 'true',
            EMAIL_FROM: 'Shop <hello@shop.example>',
            BOUNCE_DOMAIN: DOMAIN,
            BOUNCE_SMTP_PORT: '0',
            BOUNCE_SMTP_HOST: '127.0.0.1',
          },
        },
      );
      await applyJourney(wm.deps, WS, checkJourney(journey));
    });
    after(async () => {
      await wm.close();
      await mx.close();
      await db.drop();
    });

    const mailer = () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: wm.listeners.get('bounces')!.port,
        secure: false,
        ignoreTLS: true,
      });

    /** Delivers a raw report to the bounce mailbox as an MTA would (null sender). */
    async function deliverReport(to: string, raw: string): Promise<void> {
      const t = mailer();
      try {
        await t.sendMail({ envelope: { from: '', to: [to] }, raw });
      } finally {
        t.close();
      }
    }

    let seq = 0;
    /** A profile sent the basket email through the MX: the message and its envelope sender. */
    async function sent(): Promise<{ message: MessageRow; verp: string; rcpt: string }> {
      seq += 1;
      const rcpt = `shopper${seq}@example.net`;
      const now = new Date().toISOString();
      await ingest(wm.deps, WS, [
        parseCall('identify', { userId: `s${seq}`, traits: { email: rcpt }, timestamp: now }, ''),
        parseCall('track', { userId: `s${seq}`, event: 'cart_abandoned', timestamp: now }, ''),
      ]);
      await wm.worker.drain();
      const message = await outbox(rcpt);
      assert.equal(message.status, 'sent', message.error ?? '');
      const verp = mailFrom.at(-1)!;
      assert.deepEqual(readBounceAddress(wm.deps.secrets, verp, DOMAIN), { w: WS, m: message.id });
      return { message, verp, rcpt };
    }

    const outbox = async (rcpt: string) =>
      (await listOutbox(wm.deps, WS, { limit: 100 })).items.find((m) => m.recipient === rcpt)!;
    const suppressed = async (address: string) =>
      (await listSuppressions(wm.deps, WS, { limit: 500 })).items.filter(
        (s) => s.address === address,
      );
    const runTrace = async (m: MessageRow) => wm.store.runs.trace(WS, m.runId!);
    const received = (trace: Array<{ detail: string }>, what: RegExp) =>
      trace.filter((t) => what.test(t.detail)).length;

    it('the email goes out with its VERP envelope sender; From stays the shop', async () => {
      const { rcpt } = await sent();
      const mail = mx.received.at(-1)!.mail;
      assert.equal(mail.from?.value[0]?.address, 'hello@shop.example');
      assert.deepEqual(mx.received.at(-1)!.rcpt, [rcpt]);
    });

    it('a hard bounce fails the message, suppresses the address and moves the run; twice is once', async () => {
      const { message, verp, rcpt } = await sent();
      const raw = dsn({
        to: verp,
        rcpt,
        action: 'failed',
        status: '5.1.1',
        messageId: String(message.providerMessageId),
      });
      await deliverReport(verp, raw);
      const after = await outbox(rcpt);
      assert.equal(after.status, 'failed');
      assert.match(after.error ?? '', /bounced: 5\.1\.1 550 5\.1\.1/);
      const rows = await suppressed(rcpt);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.reason, 'hard_bounce');
      assert.match(rows[0]?.detail ?? '', /User unknown/);
      assert.equal(received(await runTrace(message), /bounced of email received/), 1);
      const run = await wm.store.runs.get(WS, message.runId!);
      assert.notEqual(run?.status, 'waiting');

      await deliverReport(verp, raw);
      assert.equal((await suppressed(rcpt)).length, 1);
      assert.equal(received(await runTrace(message), /bounced of email/), 1, 'recorded once');
    });

    it('a soft bounce (delayed, 4.x.x) is recorded once and suppresses nothing', async () => {
      const { message, verp, rcpt } = await sent();
      const raw = dsn({ to: verp, rcpt, action: 'delayed', status: '4.2.2', messageId: 'x' });
      await deliverReport(verp, raw);
      await deliverReport(verp, raw);
      assert.equal((await outbox(rcpt)).status, 'sent');
      assert.deepEqual(await suppressed(rcpt), []);
      const trace = await runTrace(message);
      assert.equal(received(trace, /bounced of email/), 1);
      assert.deepEqual((await outbox(rcpt)).content.tracking, {
        ...((await outbox(rcpt)).content.tracking as object),
        recorded: ['bounced:soft'],
      });
    });

    it('a delay reported after the hard bounce adds nothing', async () => {
      const { message, verp, rcpt } = await sent();
      const report = (action: string, status: string) =>
        dsn({ to: verp, rcpt, action, status, messageId: 'x' });
      await deliverReport(verp, report('failed', '5.1.1'));
      await deliverReport(verp, report('delayed', '4.2.2'));
      assert.equal((await outbox(rcpt)).status, 'failed');
      assert.deepEqual(((await outbox(rcpt)).content.tracking as { recorded: string[] }).recorded, [
        'bounced:hard',
      ]);
      assert.equal(received(await runTrace(message), /bounced of email/), 1);
    });

    it('a complaint (ARF) at the VERP address, or at fbl@ with a signed Return-Path, suppresses', async () => {
      const a = await sent();
      await deliverReport(a.verp, arf({ to: a.verp, rcpt: a.rcpt, messageId: 'x' }));
      assert.equal((await suppressed(a.rcpt))[0]?.reason, 'complaint');
      assert.equal(received(await runTrace(a.message), /complained of email received/), 1);

      const b = await sent();
      const fbl = `fbl@${DOMAIN}`;
      await deliverReport(fbl, arf({ to: fbl, rcpt: b.rcpt, returnPath: b.verp, messageId: 'y' }));
      assert.equal((await suppressed(b.rcpt))[0]?.reason, 'complaint');
    });

    it('forged input: unsigned or forged addresses are refused at RCPT (550), unsigned fbl reports and non-reports at DATA', async () => {
      const { message, verp, rcpt } = await sent();
      const forged = bounceAddress(new Secrets(Buffer.alloc(32, 9)), DOMAIN, {
        w: WS,
        m: message.id,
      });
      const raw = dsn({ to: forged, rcpt, action: 'failed', status: '5.1.1', messageId: 'x' });
      for (const to of [forged, `postmaster@${DOMAIN}`, `bounce+${message.id}@${DOMAIN}`])
        await assert.rejects(deliverReport(to, raw), (err: { responseCode?: number }) => {
          assert.equal(err.responseCode, 550);
          return true;
        });
      const fbl = `fbl@${DOMAIN}`;
      await assert.rejects(
        deliverReport(fbl, arf({ to: fbl, rcpt, returnPath: forged, messageId: 'x' })),
        (err: { responseCode?: number; response?: string }) => {
          assert.equal(err.responseCode, 550);
          assert.match(err.response ?? '', /no message of ours/);
          return true;
        },
      );
      await assert.rejects(
        deliverReport(verp, 'From: a@b\r\nSubject: Out of office\r\n\r\nI am away.\r\n'),
        (err: { responseCode?: number }) => {
          assert.equal(err.responseCode, 554);
          return true;
        },
      );
      assert.deepEqual(await suppressed(rcpt), []);
      assert.equal((await outbox(rcpt)).status, 'sent');
      assert.equal(received(await runTrace(message), /(bounced|complained) of email/), 0);
    });
  });
}
