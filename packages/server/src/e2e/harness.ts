/**
 * The stage of the scenario tests (issue 5): a whole Waymark served over HTTP with its worker loop
 * running (`--role all`, as `waymark start`) on a manual clock, its channels configured from the
 * environment as in production and pointed at real local peers — an SMTP server that parses what
 * arrives, the Twilio peer (SMS and calls), and a receiver of signed webhooks.
 *
 * Tests drive only public interfaces through it: the Segment API, the admin API (journeys,
 * profiles, tasks, reports, the clock and `POST /api/settle`), Twilio-format webhooks from the
 * peer, tracking links and forms as a recipient's mail client or browser would fetch them, and
 * the personalisation endpoint. Every arrival is stamped with the server's clock when it came,
 * so a test can say at what local time a customer got what.
 */
import { readFileSync } from 'node:fs';
import { durationMs, formatLocal } from '@waymark/core';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressObject, ParsedMail } from 'mailparser';
import type { ProfileView, RunView } from '../app/profiles.ts';
import { startSmtp } from '../channels/email/testing.ts';
import { decodeAttribute } from '../links/index.ts';
import {
  TwilioPeer,
  type PeerCall,
  type PeerMessage,
} from '../channels/twilio/testing/twilio-peer.ts';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { basicAuth, freePort, type JsonResponse } from '../http/testing.ts';
import { startHttp, type RunningHttp } from '../http/server.ts';
import type { TestDatabase, TestDatabaseKind } from '../storage/testing.ts';
import { startRecordingPeer } from '../testing/recording-peer.ts';
import { createWaymark, type Waymark } from '../waymark.ts';

/** The workspace keys of the scenario server. */
export const WRITE_KEY = 'wk_scenario_write_key';
export const ADMIN_TOKEN = 'wa_scenario_admin_token';
/** Our SMS / voice number at the Twilio peer. */
export const OUR_NUMBER = '+15017122661';
/** Sender of the scenario emails. */
export const EMAIL_FROM = 'Waymark Shop <shop@waymark.example>';
/** The secret signed webhooks are signed with. */
export const WEBHOOK_SECRET = 'whsec_scenario_secret';

/** Something a peer received, stamped with the server clock's time when it arrived. */
export interface Stamped<T> {
  at: number;
  item: T;
}

/** A signed webhook post the receiver got. */
export interface HookPost {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: Record<string, unknown>;
}

/** Options of `startScenario`. */
export interface ScenarioOptions {
  /** The manual clock's start (ISO). */
  start: string;
  /** The workspace's default time zone (default UTC). */
  timezone?: string;
  /** Extra environment of the server (e.g. SMS_DEFAULT_COUNTRY). */
  env?: Record<string, string>;
  /** Status callbacks the Twilio peer sends after each message (default `['sent','delivered']`). */
  autoStatus?: string[];
}

/** A running scenario stage. */
export interface Scenario {
  /** The server's base URL (also its public URL: links in messages point here). */
  url: string;
  /** Base URL of the webhook receiver; posts land in `hooks`. */
  hookUrl: string;
  peer: TwilioPeer;
  /** For assertions the public API cannot express; never to drive the journey. */
  waymark: Waymark;
  /** Every email that arrived at the SMTP server. */
  emails: Array<Stamped<ParsedMail>>;
  /** Every signed webhook post that arrived. */
  hooks: Array<Stamped<HookPost>>;
  /** The server clock (epoch ms). */
  now(): number;
  /** The server clock as a local wall time `YYYY-MM-DD HH:mm` in `zone`. */
  localTime(zone: string, at?: number): string;
  /** Sends a Segment call (`identify`, `track`, …) to `/v1/<type>` and waits until it has run. */
  segment(type: string, body: Record<string, unknown>): Promise<void>;
  /** Calls the admin API; objects go as JSON, strings as YAML. */
  admin<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<JsonResponse<T>>;
  /** Publishes a journey document (YAML text) with `PUT /api/journeys/:id`; throws on errors. */
  publish(yaml: string): Promise<void>;
  /** The profile's (newest) run of a journey, as `GET /api/profiles/userId:…` shows it. */
  runOf(userId: string, journeyId: string): Promise<RunView | undefined>;
  /** Waits until the worker has run everything due (`POST /api/settle`). */
  settle(): Promise<void>;
  /**
   * Lets `duration` pass on the server clock in steps (default one step; give `step` to see at
   * what time each message went out), settling after each step.
   */
  pass(duration: string, opts?: { step?: string }): Promise<void>;
  /** Emails to `address`, oldest first. */
  emailsTo(address: string): Array<Stamped<ParsedMail>>;
  /** SMS the peer was asked to send to `to`, oldest first. */
  textsTo(to: string): Array<Stamped<PeerMessage>>;
  /** Calls the peer was asked to place, oldest first. */
  calls(): Array<Stamped<PeerCall>>;
  /** The customer `from` texts our number: Twilio's signed inbound webhook, then settle. */
  text(from: string, body: string): Promise<void>;
  /** GETs a URL as a recipient's browser would (no redirects followed). */
  visit(url: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** The address an email was sent to (its first To address). */
export function recipientOf(mail: ParsedMail): string {
  return (mail.to as AddressObject | undefined)?.value[0]?.address ?? '';
}

/** The open pixel's address in an email's HTML, as a mail client showing images fetches it. */
export function pixelOf(mail: ParsedMail): string {
  const m = /<img[^>]+src="([^"]+\/t\/o\/[^"]+)"/.exec(String(mail.html));
  if (!m) throw new Error(`the email to ${recipientOf(mail)} carries no open pixel`);
  return decodeAttribute(m[1]!);
}

/** The text of an example journey shipped in `examples/journeys/`. */
export function exampleJourney(file: string): string {
  return readFileSync(new URL(`../../../../examples/journeys/${file}`, import.meta.url), 'utf8');
}

/** Starts a scenario stage on a fresh database of `backend`. */
export async function startScenario(
  backend: TestDatabaseKind,
  opts: ScenarioOptions,
): Promise<Scenario> {
  const clock = new ManualClock(Date.parse(opts.start));
  const emails: Array<Stamped<ParsedMail>> = [];
  const hooks: Array<Stamped<HookPost>> = [];
  const smtp = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
  const receiver = await startRecordingPeer({
    routes: {
      '*': (req) => {
        const json = req.json as Record<string, unknown> | undefined;
        const item = { path: req.path, headers: req.headers, raw: req.raw, json: json ?? {} };
        hooks.push({ at: clock.now(), item });
        return { body: { ok: true } };
      },
    },
  });
  const peer = await TwilioPeer.start({ autoStatus: opts.autoStatus ?? ['sent', 'delivered'] });
  const db: TestDatabase = await backend.create();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const waymark = await createWaymark(
    configFromEnv(
      {},
      {
        databaseUrl: db.url,
        role: 'all',
        timezone: opts.timezone ?? 'UTC',
        publicUrl: url,
        port,
        writeKey: WRITE_KEY,
        adminToken: ADMIN_TOKEN,
      },
    ),
    {
      clock,
      pollMs: 20,
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        EMAIL_FROM,
        TWILIO_ACCOUNT_SID: peer.accountSid,
        TWILIO_AUTH_TOKEN: peer.authToken,
        TWILIO_FROM: OUR_NUMBER,
        TWILIO_VOICE_FROM: OUR_NUMBER,
        TWILIO_API_BASE: peer.apiBase,
        WEBHOOK_SIGNING_SECRET: WEBHOOK_SECRET,
        ...opts.env,
      },
    },
  );
  waymark.worker.start();
  const http: RunningHttp = await startHttp(waymark, { port, host: '127.0.0.1' });

  // Arrivals are stamped when first seen, which is at the latest the settle after they came.
  let mailsSeen = 0;
  let textsSeen = 0;
  let callsSeen = 0;
  const texts: Array<Stamped<PeerMessage>> = [];
  const placed: Array<Stamped<PeerCall>> = [];
  function stamp(): void {
    const at = clock.now();
    for (; mailsSeen < smtp.received.length; mailsSeen += 1)
      emails.push({ at, item: smtp.received[mailsSeen]!.mail });
    for (; textsSeen < peer.messages.length; textsSeen += 1)
      texts.push({ at, item: peer.messages[textsSeen]! });
    for (; callsSeen < peer.calls.length; callsSeen += 1)
      placed.push({ at, item: peer.calls[callsSeen]! });
  }

  async function admin<T>(method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
    if (body !== undefined)
      headers['content-type'] = typeof body === 'string' ? 'application/yaml' : 'application/json';
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as JsonResponse<T>['body'] };
  }

  async function settle(): Promise<void> {
    const res = await admin('POST', '/api/settle');
    if (res.status !== 200) throw new Error(`settle: ${res.status} ${JSON.stringify(res.body)}`);
    await peer.settled();
    // Status callbacks the peer sent may have queued more work.
    const again = await admin('POST', '/api/settle');
    if (again.status !== 200) throw new Error(`settle: ${again.status}`);
    stamp();
  }

  return {
    url,
    hookUrl: receiver.url,
    peer,
    waymark,
    emails,
    hooks,
    now: () => clock.now(),
    localTime: (zone, at = clock.now()) => formatLocal(at, zone).slice(0, 16),
    async segment(type, body) {
      const res = await fetch(`${url}/v1/${type}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basicAuth(WRITE_KEY) },
        body: JSON.stringify({ timestamp: new Date(clock.now()).toISOString(), ...body }),
      });
      if (res.status !== 200) throw new Error(`/v1/${type}: ${res.status} ${await res.text()}`);
      await settle();
    },
    admin,
    async publish(yaml) {
      const id = /^id:\s*(\S+)/m.exec(yaml)?.[1];
      if (!id) throw new Error('the journey has no id');
      const res = await admin('PUT', `/api/journeys/${id}`, yaml);
      if (res.status !== 200) throw new Error(`publish ${id}: ${JSON.stringify(res.body)}`);
      await settle();
    },
    async runOf(userId, journeyId) {
      const res = await admin<ProfileView>('GET', `/api/profiles/userId:${userId}`);
      if (res.status !== 200) throw new Error(`profile ${userId}: ${res.status}`);
      return res.body.runs.find((r) => r.journeyId === journeyId);
    },
    settle,
    async pass(duration, o = {}) {
      const total = durationMs(duration);
      const step = o.step ? durationMs(o.step) : total;
      for (let done = 0; done < total;) {
        const by = Math.min(step, total - done);
        const res = await admin('POST', '/api/clock', { advance: `PT${by / 1000}S` });
        if (res.status !== 200) throw new Error(`clock: ${JSON.stringify(res.body)}`);
        done += by;
        await settle();
      }
    },
    emailsTo: (address) => emails.filter((e) => recipientOf(e.item) === address),
    textsTo: (to) => texts.filter((t) => t.item.to === to),
    calls: () => placed,
    async text(from, body) {
      const sid = `SM${String(peer.messages.length + Date.now()).padStart(32, '0')}`;
      const res = await peer.callback(`${url}/hooks/twilio/default/sms/inbound`, {
        MessageSid: sid,
        SmsSid: sid,
        AccountSid: peer.accountSid,
        From: from,
        To: OUR_NUMBER,
        Body: body,
        NumMedia: '0',
      });
      if (res.status !== 200) throw new Error(`inbound SMS: ${res.status} ${res.body}`);
      await settle();
    },
    visit: (target, headers = {}) => fetch(target, { redirect: 'manual', headers }),
    async close() {
      await http.close();
      await waymark.close();
      await peer.close();
      await smtp.close();
      await receiver.close();
      await db.drop();
    },
  };
}
