/**
 * The stage of the report reconciliation tests (reports-reconciliation.e2e.test.ts): a journey
 * with an A/B split and a holdout, email then SMS, run on the scenario stage over three days (two
 * versions) while customers open (by hand and through privacy proxies), click (by hand and through
 * link scanners), unsubscribe, text STOP, reply, fail, have no phone, and buy in and after their
 * runs; then a journey with a loop and two ways into one node. It keeps a log of what the customers
 * did and reads the raw rows (runs, their traces, the outbox, conversions) through the store, so
 * the checks (reports-checks.ts) can count every number of a report independently.
 */
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import type { JourneyReport } from '../app/reports.ts';
import type { ConversionRow, MessageRow, RunRow } from '../storage/store.ts';
import type { TestDatabaseKind } from '../storage/testing.ts';
import { startScenario, type Scenario } from './harness.ts';

export const ZONE = 'America/New_York';
export const WS = DEFAULT_WORKSPACE;
export const USERS = 30;
const HUMAN_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15';
// Apple Mail Privacy Protection fetches with exactly this user agent; scanners announce themselves.
const PROXY_UA = 'Mozilla/5.0';
const SCANNER_UA = 'python-requests/2.31';

const journey = (smsBody: string): string => `
schemaVersion: 1
id: spring-promo
name: Spring promo
trigger: { type: event, event: signed_up }
start: pick
nodes:
  pick:
    type: split
    holdout: 20
    variants:
      - { name: a, weight: 1, next: email-a }
      - { name: b, weight: 1, next: email-b }
  email-a: { type: send, channel: email, template: promo-a, next: pause }
  email-b: { type: send, channel: email, template: promo-b, next: pause }
  pause: { type: wait, duration: P1D, next: text }
  text: { type: send, channel: sms, template: promo-sms, next: listen }
  # Replies count for the message they answer while the run listens for them.
  listen: { type: wait_for, reply: { node: text }, timeout: P1D, next: done, onTimeout: done }
  done: { type: exit }
policies:
  goals:
    - { id: purchased, event: order_completed, valueProperty: revenue }
templates:
  promo-a:
    channel: email
    subject: Spring is here
    html: '<p>Fresh picks for you. <a href="https://shop.example/a">Shop now</a></p>'
  promo-b:
    channel: email
    subject: Our spring sale
    html: '<p>Up to 30% off. <a href="https://shop.example/b">See the sale</a></p>'
  promo-sms:
    channel: sms
    body: "${smsBody}"
`;

/**
 * What customer `i` does: a fixed mix, so every kind of number is exercised whichever arm the
 * (random) split sends each run to — each kind by several customers who get a text.
 */
export const does = (i: number) => ({
  noPhone: i % 5 === 4,
  humanOpen: i % 2 === 0,
  proxyOpen: i % 5 === 0 || i % 5 === 3,
  humanClick: i % 4 === 0 || i % 7 === 1,
  scannerClick: i % 7 === 3 || i % 9 === 5,
  unsubscribe: i % 6 === 5,
  stop: i % 8 === 3 || i % 8 === 6,
  reply: i % 5 === 2,
  undelivered: i % 11 === 4 || i % 11 === 8 || i % 13 === 0,
  buyInRun: i % 4 === 1,
  buyAfterRun: i % 9 === 2 || i % 9 === 7,
});

const phoneOf = (i: number) => `+1202555${String(1000 + i)}`;
const emailOf = (i: number) => `c${i}@example.com`;

/** A link of an email's HTML: the open pixel (`o`) or a click redirect (`c`). */
function tracked(html: string, kind: 'o' | 'c'): string {
  const m = new RegExp(`(?:src|href)="([^"]+/t/${kind}/[^"]+)"`).exec(html);
  assert.ok(m, `the email carries a /t/${kind}/ link`);
  return m[1]!.replace(/&amp;/g, '&');
}

/**
 * Ways into one node from a split's arms and from a loop: a run waits at `listen` for a view of
 * an item; a view that is not a purchase brings it back to `listen` (to the very wait it woke at),
 * a purchase ends it, and without a view it gets a text. `done` is reached two ways, as a voucher
 * journey's end is (opened → done; timeout → SMS → done).
 */
const NUDGE = `
schemaVersion: 1
id: browse-nudge
name: Browse nudge
trigger: { type: event, event: browsed }
start: arm
nodes:
  arm:
    type: split
    variants:
      - { name: a, weight: 1, next: tag-a }
      - { name: b, weight: 1, next: tag-b }
  tag-a: { type: update_profile, set: { nudge_arm: a }, next: listen }
  tag-b: { type: update_profile, set: { nudge_arm: b }, next: listen }
  listen: { type: wait_for, event: viewed_item, timeout: PT1H, next: check, onTimeout: nudge }
  check:
    type: branch
    cases:
      - { when: { field: last.properties.bought, op: eq, value: true }, next: done }
    default: listen
  nudge: { type: send, channel: sms, template: nudge-sms, next: done }
  done: { type: exit }
templates:
  nudge-sms: { channel: sms, body: "Still looking? Your basket is waiting." }
`;
export const NUDGE_EDGES = [
  'arm→tag-a',
  'arm→tag-b',
  'tag-a→listen',
  'tag-b→listen',
  'listen→check',
  'listen→nudge',
  'check→listen',
  'check→done',
  'nudge→done',
];
export const BROWSERS = 12;
/** What browser `i` does: views items without buying (0–2 times), then buys or not. */
export const browses = (i: number) => ({ views: i % 3, buys: i % 2 === 0 });

/** The graph's edges (`listen` goes to `done` on a reply and on its timeout: one edge). */
export const SPRING_EDGES = [
  'pick→email-a',
  'pick→email-b',
  'email-a→pause',
  'email-b→pause',
  'pause→text',
  'text→listen',
  'listen→done',
];

/** An arrival of a run at a node, from the node it was at (null: it entered there). */
export interface Arrival {
  from: string | null;
  node: string;
}

/** What this test did to the email of a run, with the server time of each hit. */
export interface EmailLog {
  messageId: string;
  hits: Array<{ kind: 'open' | 'click'; machine: boolean; at: number }>;
  unsubscribed: boolean;
}

/** A running reports stage: the scenario, the log of what customers did, the raw rows. */
export interface ReportsStage {
  s: Scenario;
  /** What was done to each customer's email (by customer index). */
  emails: Map<number, EmailLog>;
  /** SMS message ids replied to. */
  replied: Set<string>;
  /** SMS message ids reported undelivered. */
  undelivered: Set<string>;
  /** Customers who texted STOP. */
  stopped: Set<number>;
  /** The New York date of a time. */
  local(at: number): string;
  /** The one spring-promo run of customer `i`. */
  runOf(i: number): Promise<RunRow>;
  /** The spring-promo report from 2026-03-01 to `to` (`query`: more of the query string). */
  report(to: string, query?: string): Promise<JourneyReport>;
  /** The raw rows of version `v` (or all): runs, their traces, messages, conversions. */
  raw(v?: number): Promise<{
    runs: RunRow[];
    messages: MessageRow[];
    conversions: ConversionRow[];
    paths: Map<string, Arrival[]>;
  }>;
  /** The way a run went along the graph's `edges`, from its whole trace. */
  pathOf(runId: string, edges: string[]): Promise<Arrival[]>;
  close(): Promise<void>;
}

/** Runs the three days of spring-promo, then browse-nudge, on a fresh database of `kind`. */
export async function startReportsStage(kind: TestDatabaseKind): Promise<ReportsStage> {
  // 08:00 in New York (EST, UTC−5) on Monday 2 March 2026.
  const s = await startScenario(kind, {
    start: '2026-03-02T13:00:00Z',
    timezone: ZONE,
    autoStatus: ['sent'],
  });
  const emails = new Map<number, EmailLog>();
  const replied = new Set<string>(); // SMS message ids replied to
  const undelivered = new Set<string>();
  const stopped = new Set<number>();

  const local = (at: number) => DateTime.fromMillis(at, { zone: ZONE }).toISODate()!;

  async function profileId(i: number): Promise<string> {
    const ids = await s.waymark.store.profiles.resolve(WS, [{ kind: 'userId', value: `u${i}` }]);
    const id = ids.get(`userId:u${i}`);
    assert.ok(id, `profile u${i}`);
    return id;
  }

  async function runOf(i: number): Promise<RunRow> {
    const runs = (await s.waymark.store.runs.listForProfile(WS, await profileId(i))).filter(
      (r) => r.journeyId === 'spring-promo',
    );
    assert.equal(runs.length, 1, `one run of u${i}`);
    return runs[0]!;
  }

  async function allMessages(): Promise<MessageRow[]> {
    const out: MessageRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.waymark.store.messages.list(WS, { limit: 500, cursor });
      out.push(...page.items.filter((m) => m.journeyId === 'spring-promo'));
      cursor = page.next ?? undefined;
    } while (cursor);
    return out;
  }

  async function allConversions(): Promise<ConversionRow[]> {
    const out: ConversionRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.waymark.store.conversions.list(WS, 'spring-promo', {
        limit: 500,
        cursor,
      });
      out.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor);
    return out;
  }

  /** Day `d`: a third of the customers sign up, act on their email, and some buy. */
  async function day(d: number): Promise<void> {
    const today = [...Array(USERS).keys()].filter((i) => i % 3 === d);
    for (const i of today) {
      const traits: Record<string, unknown> = { email: emailOf(i), first_name: `C${i}` };
      if (!does(i).noPhone) traits.phone = phoneOf(i);
      await s.segment('identify', { userId: `u${i}`, traits });
      if (does(i).stop && !does(i).noPhone) {
        await s.text(phoneOf(i), 'STOP');
        stopped.add(i);
      }
      await s.segment('track', { userId: `u${i}`, event: 'signed_up' });
    }
    await s.pass('PT1H');
    for (const i of today) {
      const [mail] = s.emailsTo(emailOf(i));
      if (!mail) continue; // held out
      const key = String(mail.item.headers.get('x-waymark-message') ?? '');
      const message = (await allMessages()).find((m) => m.idempotencyKey === key);
      assert.ok(message, `the email of u${i} is in the outbox`);
      const log: EmailLog = { messageId: message.id, hits: [], unsubscribed: false };
      emails.set(i, log);
      const html = String(mail.item.html);
      const f = does(i);
      const hit = async (what: 'open' | 'click', ua: string) => {
        const res = await s.visit(tracked(html, what === 'open' ? 'o' : 'c'), {
          'user-agent': ua,
        });
        assert.ok(res.status === 200 || res.status === 302, `${what}: ${res.status}`);
        log.hits.push({ kind: what, machine: ua !== HUMAN_UA, at: s.now() });
      };
      if (f.proxyOpen) await hit('open', PROXY_UA);
      if (f.scannerClick) await hit('click', SCANNER_UA);
      await s.pass('PT15M');
      if (f.humanOpen) await hit('open', HUMAN_UA);
      if (f.humanClick) await hit('click', HUMAN_UA);
      if (f.unsubscribe) {
        const header = JSON.stringify([...mail.item.headers]);
        const url = /(https?:\/\/[^\s<>"\\]+\/u\/[^\s<>"\\]+)/.exec(header)?.[1];
        assert.ok(url, 'the email has a List-Unsubscribe link');
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        });
        assert.equal(res.status, 200);
        log.unsubscribed = true;
      }
    }
    await s.settle();
    await s.pass('PT2H');
    for (const i of today)
      if (does(i).buyInRun)
        await s.segment('track', {
          userId: `u${i}`,
          event: 'order_completed',
          properties: { revenue: 10 + i },
        });
  }

  /** The SMS of yesterday's customers went out overnight: statuses, replies, late purchases. */
  async function afterTexts(d: number): Promise<void> {
    for (const i of [...Array(USERS).keys()].filter((x) => x % 3 === d)) {
      const [text] = s.textsTo(phoneOf(i));
      if (!text) continue;
      const message = (await allMessages()).find(
        (m) => m.channel === 'sms' && m.providerMessageId === text.item.sid,
      );
      assert.ok(message, `the SMS of u${i} is in the outbox`);
      if (does(i).undelivered) {
        await s.peer.sendStatus(text.item.sid, 'undelivered', { ErrorCode: '30003' });
        undelivered.add(message.id);
      } else {
        await s.peer.sendStatus(text.item.sid, 'delivered');
        if (does(i).reply) {
          await s.text(phoneOf(i), 'Thanks, I will have a look');
          replied.add(message.id);
        }
      }
      if (does(i).buyAfterRun)
        await s.segment('track', {
          userId: `u${i}`,
          event: 'order_completed',
          properties: { revenue: 100 + i },
        });
    }
    await s.settle();
  }

  async function report(to: string, query = ''): Promise<JourneyReport> {
    const res = await s.admin<JourneyReport>(
      'GET',
      `/api/journeys/spring-promo/report?from=2026-03-01&to=${to}${query}`,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as unknown as JourneyReport;
  }

  /** The raw rows of version `v` (or all): runs, their traces, messages, conversions. */
  async function raw(v?: number) {
    const runs: RunRow[] = [];
    for (let i = 0; i < USERS; i += 1) runs.push(await runOf(i));
    const mine = runs.filter((r) => v === undefined || r.version === v);
    const runIds = new Set(mine.map((r) => r.id));
    const messages = (await allMessages()).filter((m) => m.runId && runIds.has(m.runId));
    const conversions = (await allConversions()).filter((c) => v === undefined || c.version === v);
    const paths = new Map<string, Arrival[]>();
    for (const r of mine) paths.set(r.id, await pathOf(r.id, SPRING_EDGES));
    return { runs: mine, messages, conversions, paths };
  }

  /**
   * The way a run went along the graph's `edges`, from its whole trace (every step's lines, in
   * order): a line at another node than the run's is an arrival there, from the run's node (none
   * before: the run entered there). A line at a node no edge leads to from the run's is not a
   * move: the outbox writes about a message of the node (an SMS not sent: no phone, STOP).
   */
  async function pathOf(runId: string, edges: string[]): Promise<Arrival[]> {
    const path: Arrival[] = [];
    let at: string | null = null;
    for (const { node } of await s.waymark.store.runs.trace(WS, runId)) {
      if (node === null || node === at) continue;
      if (at !== null && !edges.includes(`${at}→${node}`)) continue;
      path.push({ from: at, node });
      at = node;
    }
    return path;
  }

  try {
    await s.publish(journey('Spring sale: last days!'));
    await day(0);
    await s.pass('PT21H', { step: 'PT3H' }); // day 0's texts go out a day after the emails
    await afterTexts(0);
    // Version 2 from day 1 on: day 0's runs stay on version 1.
    await s.publish(journey('Spring sale: 2 days left!'));
    await day(1);
    await s.pass('PT21H', { step: 'PT3H' });
    await afterTexts(1);
    await day(2);
    await s.pass('PT21H', { step: 'PT3H' });
    await afterTexts(2);
    await s.pass('P1D', { step: 'PT6H' });

    await s.publish(NUDGE);
    for (let i = 0; i < BROWSERS; i += 1) {
      const userId = `w${i}`;
      await s.segment('identify', { userId, traits: { phone: `+1202556${1000 + i}` } });
      await s.segment('track', { userId, event: 'browsed' });
      const view = (bought: boolean) =>
        s.segment('track', { userId, event: 'viewed_item', properties: { bought } });
      for (let k = 0; k < browses(i).views; k += 1) await view(false);
      if (browses(i).buys) await view(true);
    }
    await s.pass('PT2H'); // the others' waits time out: a text each
  } catch (err) {
    // The test has no stage to close yet: the scenario's server and peers would stay up.
    await s.close();
    throw err;
  }

  return {
    s,
    emails,
    replied,
    undelivered,
    stopped,
    local,
    runOf,
    report,
    raw,
    pathOf,
    close: () => s.close(),
  };
}
