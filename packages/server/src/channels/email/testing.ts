/**
 * Test helpers of the email channel: a real SMTP server (smtp-server, with AUTH PLAIN/LOGIN and
 * its default self-signed certificate for STARTTLS / implicit TLS) that parses what arrives with
 * mailparser, and an email outbox row as the engine writes it.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { MessageRow } from '../sdk/index.ts';
import { outboxRow } from '../sdk/testing.ts';

/** The user and password the test server accepts. */
export const SMTP_USER = 'mailer';
/** The test server's password (characters a URL must escape). */
export const SMTP_PASSWORD = 's3cr:t/pw';

/** What the server saw of one delivery. */
export interface Received {
  mail: ParsedMail;
  user: string | undefined;
  secure: boolean;
  rcpt: string[];
}

/** A real SMTP server on a free port; rejects RCPT to `busy@…` with 451 and `gone@…` with 550. */
export async function startSmtp(
  opts: Partial<SMTPServerOptions> = {},
): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD)
        return cb(null, { user: auth.username });
      return cb(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('busy@'))
        return cb(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
      if (address.address.startsWith('gone@'))
        return cb(Object.assign(new Error('5.1.1 no such user here'), { responseCode: 550 }));
      return cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            mail,
            user: session.user as string | undefined,
            secure: session.secure,
            rcpt: session.envelope.rcptTo.map((r) => r.address),
          });
          cb();
        })
        .catch(cb);
    },
    logger: false,
    ...opts,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A header as it arrived (mailparser folds List-* headers into one object). */
export function rawHeader(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name)?.line;
  return line?.slice(line.indexOf(':') + 1).trim();
}

/** An email outbox row as the engine writes it. */
export function emailRow(
  over: Partial<MessageRow> = {},
  content: Record<string, unknown> = {},
): MessageRow {
  return outboxRow({
    id: '01JTESTMESSAGE0000000000001',
    idempotencyKey: 'run1:email:1',
    journeyId: 'orders',
    nodeId: 'email',
    channel: 'email',
    recipient: 'ana@example.com',
    template: 'receipt',
    content: {
      transactional: false,
      subject: 'Your order',
      body: 'Hello Ana',
      html: '<p>Hello <b>Ana</b></p>',
      unsubscribeUrl: 'https://waymark.example/u/abc.def',
      ...content,
    },
    attempts: 1,
    ...over,
  });
}
