/**
 * The SMTP adapter: delivers `email` rows (rendered at enqueue: subject, text, HTML, sender,
 * unsubscribe link) through a pooled nodemailer transport — STARTTLS on `smtp://` (required with
 * `requireTls`), implicit TLS on `smtps://`, AUTH when the URL names a user.
 *
 * Envelope sender: with a bounce domain, `bounce+{signed}@{domain}` per message (VERP, see
 * bounces.ts), so DSNs reach the bounce mailbox and name the message; else the From address.
 *
 * Headers: `Message-ID: <{message id}@{From's domain}>` (returned as the provider id, so a bounce
 * quoting it finds the message), `X-Waymark-Message: {idempotency key}`, and on marketing email
 * (not transactional, not a staff alert) `List-Unsubscribe` + `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click` (RFC 8058).
 *
 * The pool lives in a worker thread of its own (smtp-thread.mjs): building the MIME message and
 * writing it out cost more CPU than the rest of an email's way through Waymark, and the thread
 * that claims, renders and records must not wait for it.
 *
 * Classification (the delivery engine retries): an SMTP 5xx reply → `permanent` with the server's
 * text; 4xx replies, connection, TLS and timeout errors → `retryable`. An authentication failure
 * is `retryable` too: the message is fine, the configuration is not, and it must not cost every
 * queued email its delivery.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type Mail from 'nodemailer/lib/mailer/index.js';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { z } from 'zod';
import type { AfterCrash, ChannelAdapter, MessageRow, SendResult } from '../sdk/index.ts';

/** The header carrying the message's idempotency key. */
export const MESSAGE_KEY_HEADER = 'X-Waymark-Message';

/** What an SMTP adapter is made from (validated settings, see `SmtpSettings`). */
export interface SmtpAdapterOptions {
  /** `smtp://[user@]host[:port]` (STARTTLS) or `smtps://[user@]host[:port]` (implicit TLS). */
  url: string;
  password?: string | undefined;
  /** Default sender. */
  from: string;
  replyTo?: string | undefined;
  /** Pooled connections (`SMTP_IN_FLIGHT_PER_CONNECTION` sends in flight each). */
  maxConnections: number;
  maxPerSecond?: number | undefined;
  /** Fail instead of sending in clear text when the server offers no STARTTLS. */
  requireTls: boolean;
  /** Accept a self-signed or otherwise unverifiable server certificate (tests, private relays). */
  allowSelfSigned: boolean;
  /** Connect, greeting and socket idle timeout, milliseconds. */
  timeoutMs: number;
  /** What becomes of a message the server had when the sender died (default `hold`). */
  afterCrash?: AfterCrash | undefined;
  /** The envelope sender (MAIL FROM) of a message: its VERP bounce address (channels/email/bounces.ts). */
  returnPath?: ((message: MessageRow) => string) | undefined;
}

/**
 * Emails in flight per pooled connection: the pool queues the second while the first is written,
 * so a connection never idles while the delivery engine commits the first one's result.
 */
export const SMTP_IN_FLIGHT_PER_CONNECTION = 2;

/** The parts of a rendered email row the adapter reads. */
const EmailContent = z.looseObject({
  subject: z.string().default(''),
  body: z.string().default(''),
  html: z.string().optional(),
  from: z.string().optional(),
  replyTo: z.string().optional(),
  unsubscribeUrl: z.string().optional(),
  transactional: z.boolean().optional(),
});

/** The bare address of `Name <addr@domain>` / `addr@domain`, or null when there is none. */
export function bareAddress(text: string): string | null {
  const parsed = addressparser(text, { flatten: true });
  const address = parsed[0]?.address;
  return parsed.length === 1 && address && /^[^\s@]+@[^\s@]+$/.test(address) ? address : null;
}

/** The Message-ID of a message: `<{message id}@{domain of From}>`. */
export function messageIdFor(messageId: string, from: string): string {
  const domain = bareAddress(from)?.split('@')[1] ?? 'waymark.invalid';
  return `<${messageId}@${domain}>`;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

/** Classifies a nodemailer failure (see the module header). */
export function classifySmtpError(err: unknown): SendResult {
  const e = (err instanceof Error ? err : new Error(String(err))) as SmtpError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = (e.response ?? e.message).trim();
  if (e.code === 'EAUTH')
    return { kind: 'retryable', error: `SMTP authentication failed: ${text}` };
  if (code !== undefined && code >= 500)
    return { kind: 'permanent', error: `SMTP ${code}: ${text}`, data: { smtpCode: code } };
  if (code !== undefined && code >= 400)
    return { kind: 'retryable', error: `SMTP ${code}: ${text}` };
  // Refused before talking to the server: the message itself is malformed.
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')
    return { kind: 'permanent', error: `message rejected: ${text}` };
  return { kind: 'retryable', error: `SMTP ${e.code ?? 'error'}: ${text}` };
}

/** What the sending thread answers for one message. */
interface ThreadReply {
  id: number;
  ok: boolean;
  error?: { message: string; code?: string; responseCode?: number; response?: string };
}

/** Old-generation heap of the sending thread. */
const THREAD_HEAP_MB = 48;

/** How long `close()` waits for the thread to close its connections before ending it. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The worker thread that owns the nodemailer pool, started at the first send (an adapter made
 * and never used costs no thread). It keeps the process alive only while sends are in flight.
 */
class SendingThread {
  readonly #transport: SMTPPool.Options;
  #worker: Worker | null = null;
  readonly #pending = new Map<number, (reply: ThreadReply) => void>();
  #next = 0;

  constructor(transport: SMTPPool.Options) {
    this.#transport = transport;
  }

  send(mail: Mail.Options): Promise<ThreadReply> {
    const worker = this.#worker ?? this.#start();
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ id, mail });
    });
  }

  #start(): Worker {
    const worker = new Worker(new URL('./smtp-thread.mjs', import.meta.url), {
      workerData: { transport: this.#transport },
      // It holds at most a send per pooled connection: a small heap keeps its garbage small too.
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
    });
    worker.unref();
    worker.on('message', (reply: ThreadReply) => {
      const resolve = this.#pending.get(reply.id);
      if (!resolve) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      resolve(reply);
    });
    worker.on('error', (err) => this.#lost(worker, err.message));
    worker.on('exit', () => this.#lost(worker, 'the SMTP sending thread stopped'));
    this.#worker = worker;
    return worker;
  }

  /** The thread died: its sends in flight are retryable failures; the next send starts anew. */
  #lost(worker: Worker, message: string): void {
    if (this.#worker === worker) this.#worker = null;
    for (const [id, resolve] of this.#pending)
      resolve({ id, ok: false, error: { message, code: 'ETHREAD' } });
    this.#pending.clear();
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = null;
    worker.ref();
    const exited = once(worker, 'exit');
    worker.postMessage({ close: true });
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** Makes an SMTP adapter with its own connection pool (in its own thread). */
export function smtpAdapter(o: SmtpAdapterOptions): ChannelAdapter {
  const url = new URL(o.url);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const thread = new SendingThread({
    pool: true,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: o.requireTls,
    ignoreTLS: false,
    maxConnections: o.maxConnections,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
    ...(user ? { auth: { user, pass: o.password ?? '' } } : {}),
    ...(o.allowSelfSigned ? { tls: { rejectUnauthorized: false } } : {}),
  });
  return {
    name: 'smtp',
    maxConcurrency: o.maxConnections * SMTP_IN_FLIGHT_PER_CONNECTION,
    afterCrash: o.afterCrash ?? 'hold',
    ...(o.maxPerSecond !== undefined ? { maxPerSecond: o.maxPerSecond } : {}),
    async send(message: MessageRow, idempotencyKey: string): Promise<SendResult> {
      if (message.recipient === null || bareAddress(message.recipient) === null)
        return { kind: 'permanent', error: `"${message.recipient ?? ''}" is not an email address` };
      const parsed = EmailContent.safeParse(message.content);
      if (!parsed.success)
        return {
          kind: 'permanent',
          error: `message content is not an email: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        };
      const c = parsed.data;
      const from = c.from ?? o.from;
      const replyTo = c.replyTo ?? o.replyTo;
      const messageId = messageIdFor(message.id, from);
      const headers: Record<string, string> = { [MESSAGE_KEY_HEADER]: idempotencyKey };
      const marketing = message.kind === 'message' && c.transactional !== true;
      if (marketing && c.unsubscribeUrl) {
        headers['List-Unsubscribe'] = `<${c.unsubscribeUrl}>`;
        headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
      }
      const reply = await thread.send({
        from,
        to: message.recipient,
        ...(replyTo ? { replyTo } : {}),
        subject: c.subject,
        text: c.body,
        ...(c.html !== undefined ? { html: c.html } : {}),
        messageId,
        headers,
        // Bounces go to the message's signed VERP address; the From header stays as it is.
        ...(o.returnPath
          ? { envelope: { from: o.returnPath(message), to: [message.recipient] } }
          : {}),
      });
      if (reply.ok) return { kind: 'sent', providerMessageId: messageId };
      const { message: text, ...fields } = reply.error ?? { message: 'unknown SMTP failure' };
      return classifySmtpError(Object.assign(new Error(text), fields));
    },
    async close() {
      await thread.close();
    },
  };
}
