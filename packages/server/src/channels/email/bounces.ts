/**
 * The bounce mailbox: an SMTP listener (smtp-server) that receives delivery status notifications
 * (RFC 3464, `multipart/report; report-type=delivery-status`) and abuse complaints (ARF, RFC 5965,
 * `report-type=feedback-report`) about the email Waymark sent, and hands each, parsed, to a
 * callback (bounce-mailbox.ts, the smtp provider's listener, turns it into a notice).
 *
 * Authenticity is VERP: the SMTP adapter sends every email with the envelope sender
 * `bounce+{mac}.{message}.{workspace}@{BOUNCE_DOMAIN}`, where `mac` is the HMAC of
 * `sign('bounce', { w, m })` (64 bits, hex) and message and workspace are base32 — all lower-case,
 * since some MTAs fold the case of local parts, and short enough for the 64-octet limit. Bounces go
 * to that address, so a report is accepted only at a validly signed recipient: RCPT to anything
 * else gets 550, and nothing is recorded. Complaint loops that report to one fixed address reach
 * `fbl@{BOUNCE_DOMAIN}`: accepted only when the complained-about message inside the report carries
 * a valid VERP `Return-Path`. A DSN's quoted Message-ID alone is never trusted: anyone can write
 * one; the signed address cannot be guessed.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Secrets } from '../sdk/index.ts';

/** Signing purpose of VERP addresses. */
export const BOUNCE_PURPOSE = 'bounce';
/** Local part of the fixed complaint (feedback loop) address. */
export const FBL_LOCAL_PART = 'fbl';
/** Largest report accepted (reports quote the original message). */
export const MAX_REPORT_BYTES = 5 * 1024 * 1024;

/** The message a VERP address names. */
export interface BounceTarget {
  w: string;
  m: string;
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer | null {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text) {
    const v = B32.indexOf(c);
    if (v === -1) return null;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Message ids are UUIDs (16 bytes → 26 characters); anything else is `0` + base32 of its text.
function encodeId(id: string): string {
  return UUID.test(id)
    ? base32(Buffer.from(id.replace(/-/g, ''), 'hex'))
    : `0${base32(Buffer.from(id, 'utf8'))}`;
}

function decodeId(text: string): string | null {
  if (text.startsWith('0')) return unbase32(text.slice(1))?.toString('utf8') ?? null;
  const bytes = unbase32(text);
  if (!bytes || bytes.length !== 16) return null;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function mac(secrets: Secrets, t: BounceTarget): string {
  const token = secrets.sign(BOUNCE_PURPOSE, { w: t.w, m: t.m });
  return Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')
    .subarray(0, 8)
    .toString('hex');
}

/** The VERP envelope sender of a message: `bounce+{mac}.{message}.{workspace}@{domain}`. */
export function bounceAddress(secrets: Secrets, domain: string, t: BounceTarget): string {
  return `bounce+${mac(secrets, t)}.${encodeId(t.m)}.${base32(Buffer.from(t.w, 'utf8'))}@${domain}`;
}

/** The message a VERP address names, or null when it is not one of ours or not validly signed. */
export function readBounceAddress(
  secrets: Secrets,
  address: string,
  domain: string,
): BounceTarget | null {
  const m = /^bounce\+([0-9a-f]{16})\.([0-9a-z]+)\.([a-z2-7]+)@(.+)$/.exec(
    address.trim().toLowerCase(),
  );
  if (!m || m[4] !== domain.toLowerCase()) return null;
  const messageId = decodeId(m[2]!);
  const workspace = unbase32(m[3]!)?.toString('utf8');
  if (!messageId || !workspace) return null;
  const target = { w: workspace, m: messageId };
  const expected = Buffer.from(mac(secrets, target), 'hex');
  const given = Buffer.from(m[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? target : null;
}

/** One recipient's status in a DSN. */
export interface DsnRecipient {
  finalRecipient?: string;
  /** `failed`, `delayed`, `delivered`, `relayed`, `expanded`. */
  action: string;
  /** Enhanced status code, `5.1.1`. */
  status?: string;
  diagnostic?: string;
}

/** A parsed report. */
export type BounceReport =
  | { kind: 'dsn'; recipients: DsnRecipient[]; originalMessageId?: string }
  | {
      kind: 'arf';
      /** `abuse`, `fraud`, `virus`, `other`, … */
      feedbackType: string;
      originalRecipient?: string;
      originalMessageId?: string;
      /** The Return-Path of the reported message (its VERP address, when it was ours). */
      returnPath?: string;
    };

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** Header fields of a block (`Name: value`, folded lines joined), names lower-cased. */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | null = null;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last !== null) {
      out.set(last, `${out.get(last)!} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(last)) out.set(last, line.slice(colon + 1).trim());
  }
  return out;
}

function split(raw: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  return m
    ? { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) }
    : { head: raw, body: '' };
}

function param(header: string | undefined, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function decodeBody(part: Part): string {
  const cte = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (cte === 'base64')
    return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable')
    return part.body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return part.body;
}

/** The leaf parts of a MIME entity (multiparts opened, nested ones too). */
function parts(raw: string, depth = 0): Part[] {
  const { head, body } = split(raw);
  const headers = fields(head);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /^multipart\//i.test(type) ? param(type, 'boundary') : undefined;
  if (!boundary || depth > 3) return [{ headers, body }];
  const out: Part[] = [];
  const pieces = body.split(
    new RegExp(`^--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?$`, 'm'),
  );
  for (const piece of pieces.slice(1, -1))
    out.push(...parts(piece.replace(/^\r?\n/, ''), depth + 1));
  return out;
}

function stripType(value: string | undefined): string | undefined {
  // `rfc822; ana@example.com` → `ana@example.com`
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(semi + 1)).trim().replace(/^<|>$/g, '');
}

/** The headers of the original message quoted in a report (message/rfc822 or text/rfc822-headers). */
function original(all: Part[]): Map<string, string> | null {
  const part = all.find((p) =>
    /^(message\/rfc822|text\/rfc822-headers|message\/rfc822-headers)/i.test(
      p.headers.get('content-type') ?? '',
    ),
  );
  return part ? fields(split(decodeBody(part)).head) : null;
}

/**
 * Parses a DSN or an ARF report (the whole message as received); null when it is neither (an
 * auto-reply, spam, a DSN without any per-recipient status).
 */
export async function parseReport(raw: Buffer): Promise<BounceReport | null> {
  const mail = await simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  const type = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  const reportType = type?.params?.['report-type']?.toLowerCase();
  if (type?.value?.toLowerCase() !== 'multipart/report') return null;
  const all = parts(raw.toString('utf8'));
  const quoted = original(all);
  const originalMessageId = quoted?.get('message-id');
  if (reportType === 'delivery-status') {
    const status = all.find((p) =>
      /^message\/(global-)?delivery-status/i.test(p.headers.get('content-type') ?? ''),
    );
    if (!status) return null;
    const blocks = decodeBody(status)
      .split(/\r?\n[ \t]*\r?\n/)
      .map(fields);
    const recipients: DsnRecipient[] = [];
    for (const f of blocks.slice(1)) {
      const action = f.get('action')?.toLowerCase();
      if (!action) continue;
      const r: DsnRecipient = { action };
      const fr = stripType(f.get('final-recipient') ?? f.get('original-recipient'));
      if (fr) r.finalRecipient = fr;
      const st = /\d\.\d{1,3}\.\d{1,3}/.exec(f.get('status') ?? '')?.[0];
      if (st) r.status = st;
      const diag = stripType(f.get('diagnostic-code'));
      if (diag) r.diagnostic = diag;
      recipients.push(r);
    }
    if (!recipients.length) return null;
    return { kind: 'dsn', recipients, ...(originalMessageId ? { originalMessageId } : {}) };
  }
  if (reportType === 'feedback-report') {
    const feedback = all.find((p) =>
      /^message\/feedback-report/i.test(p.headers.get('content-type') ?? ''),
    );
    if (!feedback) return null;
    const f = fields(decodeBody(feedback));
    const returnPath = quoted?.get('return-path')?.replace(/^<|>$/g, '');
    const originalRecipient = stripType(f.get('original-rcpt-to') ?? quoted?.get('to'));
    return {
      kind: 'arf',
      feedbackType: (f.get('feedback-type') ?? 'other').toLowerCase(),
      ...(originalRecipient ? { originalRecipient } : {}),
      ...(originalMessageId ? { originalMessageId } : {}),
      ...(returnPath ? { returnPath } : {}),
    };
  }
  return null;
}

/** Settings of the bounce listener. */
export interface BounceSettings {
  port: number;
  host: string;
  /** The domain of the VERP addresses (its MX points at this listener). */
  domain: string;
}

/** Settings from BOUNCE_SMTP_PORT, BOUNCE_DOMAIN and BOUNCE_SMTP_HOST; null when no port is set. */
export function bounceSettingsFromEnv(env: NodeJS.ProcessEnv): BounceSettings | null {
  const rawPort = env.BOUNCE_SMTP_PORT?.trim();
  if (!rawPort) return null;
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`BOUNCE_SMTP_PORT must be a port number, got "${rawPort}"`);
  const domain = env.BOUNCE_DOMAIN?.trim().toLowerCase();
  if (!domain || !/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/.test(domain))
    throw new Error(
      'BOUNCE_DOMAIN must be set with BOUNCE_SMTP_PORT: the domain of the bounce addresses, e.g. bounces.example.com',
    );
  return { port, host: env.BOUNCE_SMTP_HOST?.trim() || '0.0.0.0', domain };
}

/** What the callback says about a report. */
export type ReportHandler = (target: BounceTarget, report: BounceReport) => Promise<void>;

/** A listening bounce mailbox. */
export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Starts the bounce mailbox (see the module header). */
export async function startBounceListener(o: {
  port: number;
  host: string;
  domain: string;
  secrets: Secrets;
  onReport: ReportHandler;
}): Promise<BounceListener> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_REPORT_BYTES,
    logger: false,
    banner: 'Waymark bounce mailbox',
    onRcptTo(address, _session, cb) {
      const a = address.address.toLowerCase();
      if (
        a === `${FBL_LOCAL_PART}@${o.domain.toLowerCase()}` ||
        readBounceAddress(o.secrets, a, o.domain)
      )
        return cb();
      return cb(smtpError(550, '5.1.1 no such bounce address'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', cb);
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded)
          return cb(smtpError(552, '5.3.4 report too large'));
        void (async () => {
          const report = await parseReport(Buffer.concat(chunks));
          if (!report) return cb(smtpError(554, '5.6.0 not a delivery status or feedback report'));
          const targets = new Map<string, BounceTarget>();
          for (const r of session.envelope.rcptTo) {
            let t = readBounceAddress(o.secrets, r.address, o.domain);
            if (!t && report.kind === 'arf' && report.returnPath)
              t = readBounceAddress(o.secrets, report.returnPath, o.domain);
            if (t) targets.set(`${t.w}\n${t.m}`, t);
          }
          if (!targets.size)
            return cb(
              smtpError(550, '5.7.1 the report names no message of ours (no signed Return-Path)'),
            );
          for (const t of targets.values()) await o.onReport(t, report);
          cb();
        })().catch((err: unknown) =>
          cb(smtpError(451, `4.3.0 ${err instanceof Error ? err.message : String(err)}`)),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}
