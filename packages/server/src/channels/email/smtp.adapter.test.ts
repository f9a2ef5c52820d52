// The smtp provider against a real SMTP server started here (smtp-server, its default
// self-signed certificate): STARTTLS and implicit TLS, AUTH PLAIN and LOGIN, what arrives parsed
// with mailparser (From, Reply-To, Message-ID, List-Unsubscribe(-Post), text, HTML), 4xx replies
// retryable and 5xx permanent with the server's text, settings and environment errors by field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AdapterContext, ChannelAdapter } from '../sdk/index.ts';
import { SmtpSettings, smtpProvider, smtpSettingsFromEnv } from './index.ts';
import { emailRow, rawHeader, startSmtp } from './testing.ts';

const context = {} as AdapterContext;

function adapter(settings: Record<string, unknown>): ChannelAdapter {
  return smtpProvider.create(smtpProvider.settings.parse(settings), context);
}

describe('smtp provider over STARTTLS with AUTH', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let email: ChannelAdapter;
  before(async () => {
    smtp = await startSmtp();
    email = adapter({
      url: `smtp://mailer@127.0.0.1:${smtp.port}`,
      password: 's3cr:t/pw',
      from: 'Shop <news@shop.example>',
      replyTo: 'help@shop.example',
      maxConnections: 3,
      allowSelfSigned: true,
      requireTls: true,
    });
  });
  after(async () => {
    await email.close?.();
    await smtp.close();
  });

  it('delivers a marketing email with its headers, text and HTML', async () => {
    const result = await email.send(emailRow(), 'run1:email:1');
    assert.deepEqual(result, {
      kind: 'sent',
      providerMessageId: '<01JTESTMESSAGE0000000000001@shop.example>',
    });
    assert.equal(email.maxConcurrency, 6, 'two in flight per connection');
    const got = smtp.received.at(-1)!;
    assert.equal(got.secure, true, 'upgraded with STARTTLS');
    assert.equal(got.user, 'mailer');
    assert.deepEqual(got.rcpt, ['ana@example.com']);
    const m = got.mail;
    assert.equal(m.from?.text, '"Shop" <news@shop.example>');
    assert.equal(m.replyTo?.text, 'help@shop.example');
    assert.equal(m.subject, 'Your order');
    assert.equal(m.messageId, '<01JTESTMESSAGE0000000000001@shop.example>');
    assert.equal(m.headers.get('x-waymark-message'), 'run1:email:1');
    assert.equal(rawHeader(m, 'list-unsubscribe'), '<https://waymark.example/u/abc.def>');
    assert.equal(rawHeader(m, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.equal(m.text?.trim(), 'Hello Ana');
    assert.equal(m.html, '<p>Hello <b>Ana</b></p>');
  });

  it('uses the journey sender and leaves unsubscribe headers off transactional email', async () => {
    const result = await email.send(
      emailRow(
        { id: '01JTESTMESSAGE0000000000002' },
        {
          transactional: true,
          from: 'Billing <billing@bills.example>',
          replyTo: 'Accounts <accounts@bills.example>',
        },
      ),
      'run1:email:2',
    );
    assert.equal(result.kind, 'sent');
    assert.equal(
      result.kind === 'sent' && result.providerMessageId,
      '<01JTESTMESSAGE0000000000002@bills.example>',
    );
    const m = smtp.received.at(-1)!.mail;
    assert.equal(m.from?.value[0]?.address, 'billing@bills.example');
    assert.equal(m.replyTo?.value[0]?.address, 'accounts@bills.example');
    assert.equal(rawHeader(m, 'list-unsubscribe'), undefined);
    assert.equal(rawHeader(m, 'list-unsubscribe-post'), undefined);
  });

  it('answers a 4xx as retryable and a 5xx as permanent, with the server text', async () => {
    const busy = await email.send(emailRow({ recipient: 'busy@example.com' }), 'k1');
    assert.equal(busy.kind, 'retryable');
    assert.match(busy.kind === 'retryable' ? busy.error : '', /451.*mailbox busy, try later/);
    const gone = await email.send(emailRow({ recipient: 'gone@example.com' }), 'k2');
    assert.equal(gone.kind, 'permanent');
    assert.match(gone.kind === 'permanent' ? gone.error : '', /^SMTP 550: .*no such user here/);
    // The pool recovers: the next message goes through.
    assert.equal((await email.send(emailRow(), 'k3')).kind, 'sent');
  });

  it('refuses a row that is not an email without calling the server', async () => {
    const before = smtp.received.length;
    const bad = await email.send(emailRow({ recipient: 'not an address' }), 'k4');
    assert.deepEqual(bad, { kind: 'permanent', error: '"not an address" is not an email address' });
    assert.equal(smtp.received.length, before);
  });

  it('rejects the self-signed certificate unless allowSelfSigned is set (retryable)', async () => {
    const strict = adapter({
      url: `smtp://mailer@127.0.0.1:${smtp.port}`,
      password: 's3cr:t/pw',
      from: 'news@shop.example',
    });
    try {
      const result = await strict.send(emailRow(), 'k5');
      assert.equal(result.kind, 'retryable');
      assert.match(result.kind === 'retryable' ? result.error : '', /certificate/i);
    } finally {
      await strict.close?.();
    }
  });

  it('treats a wrong password as retryable (the message is fine, the configuration is not)', async () => {
    const wrong = adapter({
      url: `smtp://mailer@127.0.0.1:${smtp.port}`,
      password: 'nope',
      from: 'news@shop.example',
      allowSelfSigned: true,
    });
    try {
      const result = await wrong.send(emailRow(), 'k6');
      assert.equal(result.kind, 'retryable');
      assert.match(result.kind === 'retryable' ? result.error : '', /authentication failed.*535/i);
    } finally {
      await wrong.close?.();
    }
  });

  it('answers connection errors as retryable', async () => {
    const closed = await startSmtp();
    await closed.close();
    const down = adapter({ url: `smtp://127.0.0.1:${closed.port}`, from: 'news@shop.example' });
    try {
      const result = await down.send(emailRow(), 'k7');
      assert.equal(result.kind, 'retryable');
      assert.match(result.kind === 'retryable' ? result.error : '', /ECONNREFUSED|ECONNECTION/);
    } finally {
      await down.close?.();
    }
  });
});

describe('smtp provider over implicit TLS (smtps://) with AUTH LOGIN', () => {
  it('delivers', async () => {
    const smtp = await startSmtp({ secure: true, authMethods: ['LOGIN'] });
    const email = adapter({
      url: `smtps://mailer@127.0.0.1:${smtp.port}`,
      password: 's3cr:t/pw',
      from: 'news@shop.example',
      allowSelfSigned: true,
    });
    try {
      assert.equal((await email.send(emailRow(), 'k1')).kind, 'sent');
      assert.equal(smtp.received[0]?.secure, true);
      assert.equal(smtp.received[0]?.user, 'mailer');
      assert.equal(smtp.received[0]?.mail.subject, 'Your order');
    } finally {
      await email.close?.();
      await smtp.close();
    }
  });
});

describe('smtp settings', () => {
  it('reads the environment, splitting the password out of SMTP_URL', () => {
    assert.equal(smtpProvider.fromEnv({}, 'email'), null);
    assert.equal(smtpProvider.fromEnv({ SMTP_URL: 'smtp://h' }, 'sms'), null);
    const settings = smtpSettingsFromEnv({
      SMTP_URL: 'smtps://mailer:s3cr%3At%2Fpw@smtp.example.com:465',
      EMAIL_FROM: 'Shop <news@shop.example>',
      EMAIL_REPLY_TO: 'help@shop.example',
      SMTP_MAX_CONNECTIONS: '8',
      SMTP_MAX_PER_SECOND: '50',
      SMTP_ALLOW_SELF_SIGNED: 'true',
      SMTP_AFTER_CRASH: 'resend',
    });
    assert.deepEqual(settings, {
      url: 'smtps://mailer@smtp.example.com:465',
      password: 's3cr:t/pw',
      from: 'Shop <news@shop.example>',
      replyTo: 'help@shop.example',
      maxConnections: 8,
      maxPerSecond: 50,
      requireTls: false,
      allowSelfSigned: true,
      timeoutMs: 30_000,
      afterCrash: 'resend',
    });
    assert.equal(
      smtpSettingsFromEnv({ SMTP_URL: 'smtp://h', EMAIL_FROM: 'a@b.c' })?.afterCrash,
      'hold',
    );
    assert.throws(
      () =>
        smtpSettingsFromEnv({
          SMTP_URL: 'smtp://h',
          EMAIL_FROM: 'a@b.c',
          SMTP_AFTER_CRASH: 'maybe',
        }),
      /SMTP_AFTER_CRASH/,
    );
    assert.deepEqual(smtpProvider.secretFields, ['password']);
  });

  it('names the variable or field that is wrong', () => {
    assert.throws(
      () => smtpSettingsFromEnv({ SMTP_URL: 'smtp://h' }),
      /EMAIL_FROM must be set with SMTP_URL/,
    );
    assert.throws(
      () =>
        smtpSettingsFromEnv({
          SMTP_URL: 'http://h',
          EMAIL_FROM: 'shop',
          SMTP_MAX_CONNECTIONS: 'many',
        }),
      (err: Error) =>
        /SMTP_URL: the scheme must be smtp:\/\//.test(err.message) &&
        /EMAIL_FROM: expected "addr@example.com"/.test(err.message) &&
        /SMTP_MAX_CONNECTIONS:/.test(err.message),
    );
    assert.throws(
      () =>
        smtpSettingsFromEnv({
          SMTP_URL: 'smtp://h',
          EMAIL_FROM: 'a@b.c',
          SMTP_REQUIRE_TLS: 'maybe',
        }),
      /SMTP_REQUIRE_TLS must be true or false/,
    );
    const api = SmtpSettings.safeParse({ url: 'smtp://u:pw@h', from: 'a@b.c', extra: 1 });
    assert.equal(api.success, false);
    assert.deepEqual(
      api.error?.issues.map((i) => [i.path.join('.'), i.message]),
      [
        ['url', 'put the password in `password` (a secret field), not in the URL'],
        ['', 'Unrecognized key: "extra"'],
      ],
    );
  });
});
