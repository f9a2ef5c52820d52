// Journey reports reconcile: a journey with an A/B split and a holdout, email then SMS, runs on
// the scenario stage over three days (two versions), customers open (by hand and through privacy
// proxies), click (by hand and through link scanners), unsubscribe, text STOP, reply, fail, have
// no phone, and buy in and after their runs. Every number of `GET /api/journeys/:id/report` (all
// versions, and each version) must equal the count made here independently: from what this test
// did, and from the raw rows read through the store (runs, their traces, the outbox, conversions).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import type { JourneyReport } from '../app/reports.ts';
import type { ConversionRow, MessageRow, RunRow } from '../storage/store.ts';
import { testDatabases } from '../test-databases.ts';
import { startScenario, type Scenario } from './harness.ts';

const ZONE = 'America/New_York';
const WS = DEFAULT_WORKSPACE;
const USERS = 30;
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
const does = (i: number) => ({
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
const NUDGE_EDGES = [
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
const BROWSERS = 12;
/** What browser `i` does: views items without buying (0–2 times), then buys or not. */
const browses = (i: number) => ({ views: i % 3, buys: i % 2 === 0 });

/** The graph's edges (`listen` goes to `done` on a reply and on its timeout: one edge). */
const SPRING_EDGES = [
  'pick→email-a',
  'pick→email-b',
  'email-a→pause',
  'email-b→pause',
  'pause→text',
  'text→listen',
  'listen→done',
];

/** An arrival of a run at a node, from the node it was at (null: it entered there). */
interface Arrival {
  from: string | null;
  node: string;
}

/** What this test did to the email of a run, with the server time of each hit. */
interface EmailLog {
  messageId: string;
  hits: Array<{ kind: 'open' | 'click'; machine: boolean; at: number }>;
  unsubscribed: boolean;
}

for (const kind of testDatabases()) {
  describe(`journey reports reconcile with the raw rows (${kind.name})`, () => {
    let s: Scenario;
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

    before(async () => {
      // 08:00 in New York (EST, UTC−5) on Monday 2 March 2026.
      s = await startScenario(kind, {
        start: '2026-03-02T13:00:00Z',
        timezone: ZONE,
        autoStatus: ['sent'],
      });
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
    });
    after(async () => {
      await s?.close();
    });

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
      const conversions = (await allConversions()).filter(
        (c) => v === undefined || c.version === v,
      );
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

    /**
     * Checks the funnel (each node's arrivals, each edge's) against the runs' paths: the edges
     * are the graph's (`edges`, each pair of nodes once) and each counts the runs that went along
     * it — the arrivals at its target from its source, not those from the target's other ways in.
     */
    function checkFunnel(r: JourneyReport, paths: Arrival[][], edges: string[]): void {
      const arrivals = paths.flat();
      const reached = (node: string) => arrivals.filter((a) => a.node === node).length;
      const went = (from: string, to: string) =>
        arrivals.filter((a) => a.from === from && a.node === to).length;
      for (const n of r.nodes) assert.equal(n.reached, reached(n.nodeId), `reached ${n.nodeId}`);
      assert.deepEqual(r.dropOff.map((e) => `${e.from}→${e.to}`).sort(), [...edges].sort());
      for (const e of r.dropOff) {
        const name = `${e.from}→${e.to}`;
        assert.equal(e.reachedFrom, reached(e.from), `${name} reachedFrom`);
        assert.equal(e.reachedTo, went(e.from, e.to), `${name} reachedTo`);
        assert.equal(e.dropOff, e.reachedFrom - e.reachedTo, `${name} dropOff`);
        assert.ok(e.dropOff >= 0, `${name} dropOff ≥ 0`);
        assert.equal(e.rate, e.reachedFrom ? e.reachedTo / e.reachedFrom : null, `${name} rate`);
        assert.equal(e.unattributed, 0, `${name}: every arrival was counted with its edge`);
      }
      // Every arrival but the entries went along an edge of the report.
      assert.equal(
        sum(r.dropOff.map((e) => e.reachedTo)),
        arrivals.filter((a) => a.from !== null).length,
      );
    }

    const tally = <T>(items: T[], key: (t: T) => string | null) => {
      const out: Record<string, number> = {};
      for (const t of items) {
        const k = key(t);
        if (k !== null) out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

    /** Checks every number of the report against the raw rows and this test's log. */
    /** `to`: the series' last day (New York moves its clocks forward on 8 March). */
    async function reconcile(v: number | undefined, to: string): Promise<void> {
      const r = await report(to, v === undefined ? '' : `&version=${v}`);
      const { runs, messages, conversions, paths } = await raw(v);
      assert.equal(r.version, v ?? null);

      // Runs.
      assert.equal(r.runs.entered, runs.length);
      assert.equal(
        r.runs.active,
        runs.filter((x) => x.status === 'active' || x.status === 'waiting').length,
      );
      assert.equal(r.runs.completed, runs.filter((x) => x.status === 'completed').length);
      const exited = runs.filter((x) => x.status === 'exited');
      assert.deepEqual(
        r.runs.exitedByGoal,
        tally(exited, (x) => (x.exit?.kind === 'goal' ? x.exit.goal : null)),
      );
      assert.deepEqual(
        r.runs.exitedOther,
        tally(exited, (x) => (x.exit?.kind === 'goal' ? null : (x.exit?.kind ?? 'unknown'))),
      );
      if (v === undefined) {
        assert.ok(Object.keys(r.runs.exitedByGoal).length > 0, 'some runs exited by the goal');
        assert.ok((r.runs.exitedOther.holdout ?? 0) > 0, 'some runs were held out');
      }
      assert.deepEqual(
        r.byVersion.map((b) => [b.version, b.entered]),
        Object.entries(tally(runs, (x) => String(x.version))).map(([k, n]) => [Number(k), n]),
      );

      // Nodes: reached and drop-off along each edge (from the runs' paths), there now.
      checkFunnel(r, [...paths.values()], SPRING_EDGES);
      const reached = (node: string) =>
        [...paths.values()].flat().filter((a) => a.node === node).length;
      for (const n of r.nodes) {
        assert.equal(
          n.atNow,
          runs.filter(
            (x) => (x.status === 'active' || x.status === 'waiting') && x.node === n.nodeId,
          ).length,
          `at ${n.nodeId} now`,
        );
      }
      assert.deepEqual(
        r.nodes.map((n) => n.nodeId),
        ['pick', 'email-a', 'email-b', 'pause', 'text', 'listen', 'done'],
      );
      const edge = (from: string, to: string) => {
        const e = r.dropOff.find((x) => x.from === from && x.to === to);
        assert.ok(e, `an edge ${from}→${to}`);
        return e;
      };
      assert.equal(edge('pause', 'text').dropOff, reached('pause') - reached('text'));
      if (v === undefined)
        assert.ok(edge('pause', 'text').dropOff > 0, 'buyers left between the wait and the text');
      // Reached from the split: each arm's runs. Two ways into `pause`: each email's runs.
      for (const arm of ['a', 'b']) {
        const armRuns = runs.filter((x) => x.state.variant === arm);
        assert.equal(edge('pick', `email-${arm}`).reachedTo, armRuns.length, `pick→email-${arm}`);
        // The email goes out and the run goes on to the wait in the same step.
        assert.equal(edge(`email-${arm}`, 'pause').reachedTo, armRuns.length, `email-${arm}→pause`);
      }
      if (v === undefined)
        for (const arm of ['a', 'b'])
          assert.ok(
            edge(`email-${arm}`, 'pause').reachedTo < reached('pause'),
            `email-${arm}→pause is credited its own runs only`,
          );

      // Messages per node: statuses from the outbox rows.
      for (const node of ['email-a', 'email-b', 'text']) {
        const rows = messages.filter((m) => m.nodeId === node);
        const m = r.messages.find((x) => x.nodeId === node);
        assert.ok(m || rows.length === 0, `a row for ${node}`);
        if (!m) continue;
        const status = (st: string) => rows.filter((x) => x.status === st).length;
        assert.equal(m.messages, rows.length, `${node} messages`);
        assert.equal(m.sent, rows.filter((x) => x.sentAt !== null).length, `${node} sent`);
        assert.equal(m.delivered, status('delivered'), `${node} delivered`);
        assert.equal(m.failed, status('failed'), `${node} failed`);
        assert.equal(m.dead, status('dead'), `${node} dead`);
        assert.equal(m.skipped, status('skipped'), `${node} skipped`);
        assert.equal(m.pending, status('pending') + status('sending'), `${node} pending`);
      }

      // Outcomes of the emails, from what this test did: a click implies an open; a machine's
      // counts only where no person's did (opened.machine: messages only machines opened).
      for (const node of ['email-a', 'email-b']) {
        const ids = new Set(messages.filter((m) => m.nodeId === node).map((m) => m.id));
        const logs = [...emails.values()].filter((l) => ids.has(l.messageId));
        const m = r.messages.find((x) => x.nodeId === node)!;
        const human = (l: EmailLog, kinds: string[]) =>
          l.hits.some((h) => !h.machine && kinds.includes(h.kind));
        const machine = (l: EmailLog, kinds: string[]) =>
          l.hits.some((h) => h.machine && kinds.includes(h.kind));
        const opens = ['open', 'click'];
        assert.equal(m.opened.human, logs.filter((l) => human(l, opens)).length, `${node} opens`);
        assert.equal(
          m.opened.machine,
          logs.filter((l) => machine(l, opens) && !human(l, opens)).length,
          `${node} machine opens`,
        );
        assert.equal(m.clicked.human, logs.filter((l) => human(l, ['click'])).length);
        assert.equal(
          m.clicked.machine,
          logs.filter((l) => machine(l, ['click']) && !human(l, ['click'])).length,
        );
        assert.equal(m.unsubscribed, logs.filter((l) => l.unsubscribed).length);
        assert.equal(m.replied, 0);
      }

      // The texts: failures, replies, skips by reason.
      const texts = messages.filter((m) => m.nodeId === 'text');
      const t = r.messages.find((x) => x.nodeId === 'text')!;
      assert.equal(t.failed, texts.filter((m) => undelivered.has(m.id)).length);
      assert.equal(t.replied, texts.filter((m) => replied.has(m.id)).length);
      const textRuns = new Set(texts.map((m) => m.runId));
      const users = [...Array(USERS).keys()];
      const withText = [];
      for (const i of users) if (textRuns.has((await runOf(i)).id)) withText.push(i);
      const skippedBy: Record<string, number> = {};
      const noAddress = withText.filter((i) => does(i).noPhone).length;
      const unsubscribed = withText.filter((i) => stopped.has(i)).length;
      if (noAddress) skippedBy.no_address = noAddress;
      if (unsubscribed) skippedBy.unsubscribed = unsubscribed;
      assert.deepEqual(t.skippedBy, skippedBy);
      if (v === undefined) {
        assert.ok(t.failed > 0 && t.replied > 0 && noAddress > 0 && unsubscribed > 0);
        const all = r.messages.filter((x) => x.nodeId?.startsWith('email-'));
        assert.ok(sum(all.map((x) => x.opened.machine)) > 0, 'machine-only opens happened');
        assert.ok(sum(all.map((x) => x.clicked.machine)) > 0, 'scanner-only clicks happened');
      }

      // Templates: the same messages summed per template.
      const tpl = r.templates.find((x) => x.template === 'promo-sms');
      assert.equal(tpl?.messages, texts.length);

      // Conversions, from the conversion rows.
      assert.equal(r.conversions.total.conversions, conversions.length);
      assert.equal(r.conversions.total.revenue, sum(conversions.map((c) => c.value ?? 0)));
      assert.equal(
        r.conversions.total.convertedRuns,
        new Set(conversions.map((c) => c.runId)).size,
      );
      const byChannel = tally(conversions, (c) => String(c.channel));
      assert.deepEqual(
        Object.fromEntries(r.conversions.byChannel.map((c) => [String(c.channel), c.conversions])),
        byChannel,
      );
      for (const n of r.conversions.byNode) {
        const rows = conversions.filter((c) => c.nodeId === n.nodeId && c.channel === n.channel);
        assert.equal(n.conversions, rows.length);
        assert.equal(n.revenue, sum(rows.map((c) => c.value ?? 0)));
      }
      assert.equal(sum(r.conversions.byNode.map((n) => n.conversions)), conversions.length);

      // The split: arms from the runs' variants, conversions from the conversion rows.
      const [x] = r.experiments;
      assert.ok(x);
      assert.equal(x.splitNode, 'pick');
      assert.equal(x.control, 'holdout');
      const control = x.arms.find((a) => a.name === 'holdout')!;
      for (const arm of x.arms) {
        const armRuns = runs.filter((run) => run.state.variant === arm.name);
        const converted = new Set(
          conversions.filter((c) => c.variant === arm.name).map((c) => c.runId),
        ).size;
        assert.equal(arm.entered, armRuns.length, `arm ${arm.name} entered`);
        assert.equal(arm.converted, converted, `arm ${arm.name} converted`);
        if (arm.name === 'holdout' || armRuns.length === 0 || control.entered === 0) continue;
        assert.ok(arm.lift);
        assert.ok(
          Math.abs(arm.lift.difference - (converted / armRuns.length - control.rate!)) < 1e-12,
        );
        assert.ok(arm.lift.interval.low <= arm.lift.difference);
        assert.ok(arm.lift.interval.high >= arm.lift.difference);
      }
      assert.equal(sum(x.arms.map((a) => a.entered)), runs.length);

      // The daily series, in New York days.
      assert.equal(r.timezone, ZONE);
      assert.deepEqual(
        r.daily.days.map((d) => d.date),
        Array.from(
          { length: Number(to.slice(8)) },
          (_, k) => `2026-03-${String(k + 1).padStart(2, '0')}`,
        ),
      );
      for (const d of r.daily.days) {
        const on = (at: number | null) => at !== null && local(at) === d.date;
        assert.equal(d.entered, runs.filter((x) => on(x.enteredAt)).length, `${d.date} entered`);
        assert.deepEqual(
          d.sent,
          tally(
            messages.filter((m) => on(m.sentAt)),
            (m) => m.channel,
          ),
          `${d.date} sent`,
        );
        const logs = [...emails.values()].filter((l) => messages.some((m) => m.id === l.messageId));
        // A person's first open (or click) of a message on that day; machines' only for
        // messages no person opened (clicked).
        const first = (l: EmailLog, kinds: string[], machine: boolean) =>
          l.hits.find((h) => h.machine === machine && kinds.includes(h.kind))?.at ?? null;
        const count = (kinds: string[], machine: boolean) =>
          logs.filter((l) =>
            machine
              ? first(l, kinds, false) === null && on(first(l, kinds, true))
              : on(first(l, kinds, false)),
          ).length;
        assert.equal(d.opens, count(['open', 'click'], false), `${d.date} opens`);
        assert.equal(d.machineOpens, count(['open', 'click'], true), `${d.date} machine opens`);
        assert.equal(d.clicks, count(['click'], false), `${d.date} clicks`);
        assert.equal(d.machineClicks, count(['click'], true), `${d.date} machine clicks`);
        const conv = conversions.filter((c) => on(c.at));
        assert.equal(d.conversions, conv.length, `${d.date} conversions`);
        assert.equal(d.revenue, sum(conv.map((c) => c.value ?? 0)), `${d.date} revenue`);
      }
      assert.equal(sum(r.daily.days.map((d) => d.entered)), runs.length);
    }

    it('every number of the report of all versions', async () => {
      await reconcile(undefined, '2026-03-07');
    });

    it('every number of the report of version 1, and of version 2', async () => {
      await reconcile(1, '2026-03-07');
      await reconcile(2, '2026-03-07');
    });

    it('the series across a change of UTC offset (counted in hours, not days)', async () => {
      await reconcile(undefined, '2026-03-10');
    });

    it('each edge counts the runs that went along it: from a split, two ways in, a loop', async () => {
      const r = await report('2026-03-10');
      const r2 = await s.admin<JourneyReport>('GET', '/api/journeys/browse-nudge/report');
      assert.equal(r2.status, 200, JSON.stringify(r2.body));
      const nudge = r2.body as unknown as JourneyReport;
      const runs: RunRow[] = [];
      for (let i = 0; i < BROWSERS; i += 1) {
        const ids = await s.waymark.store.profiles.resolve(WS, [
          { kind: 'userId', value: `w${i}` },
        ]);
        const id = ids.get(`userId:w${i}`);
        assert.ok(id, `profile w${i}`);
        const mine = (await s.waymark.store.runs.listForProfile(WS, id)).filter(
          (x) => x.journeyId === 'browse-nudge',
        );
        assert.equal(mine.length, 1, `one run of w${i}`);
        runs.push(mine[0]!);
      }
      const paths = await Promise.all(runs.map((x) => pathOf(x.id, NUDGE_EDGES)));
      checkFunnel(nudge, paths, NUDGE_EDGES);

      // The same counts from what the browsers did.
      const all = [...Array(BROWSERS).keys()].map(browses);
      const views = sum(all.map((b) => b.views));
      const buyers = all.filter((b) => b.buys).length;
      const went = (from: string, to: string) =>
        nudge.dropOff.find((e) => e.from === from && e.to === to)?.reachedTo;
      const reached = (node: string) => nudge.nodes.find((n) => n.nodeId === node)?.reached;
      for (const arm of ['a', 'b']) {
        const armRuns = runs.filter((x) => x.state.variant === arm).length;
        assert.equal(went('arm', `tag-${arm}`), armRuns, `arm→tag-${arm}`);
        assert.equal(went(`tag-${arm}`, 'listen'), armRuns, `tag-${arm}→listen`);
        assert.ok(armRuns > 0 && armRuns < BROWSERS, `the split sent runs to ${arm}`);
      }
      assert.ok(views > 0 && buyers > 0 && buyers < BROWSERS);
      assert.equal(reached('listen'), BROWSERS + views, 'a view brings the run back to listen');
      assert.equal(went('listen', 'check'), views + buyers);
      assert.equal(went('check', 'listen'), views);
      assert.equal(went('check', 'done'), buyers);
      assert.equal(went('listen', 'nudge'), BROWSERS - buyers);
      assert.equal(went('nudge', 'done'), BROWSERS - buyers);
      assert.equal(reached('done'), BROWSERS);
      assert.equal(nudge.runs.exitedOther.exit_node, BROWSERS);

      // Versions: each version's edges count its own runs (spring-promo has two).
      const [v1, v2] = [
        await report('2026-03-10', '&version=1'),
        await report('2026-03-10', '&version=2'),
      ];
      for (const e of r.dropOff) {
        const part = (x: JourneyReport) =>
          x.dropOff.find((y) => y.from === e.from && y.to === e.to)?.reachedTo ?? 0;
        assert.equal(part(v1) + part(v2), e.reachedTo, `${e.from}→${e.to} over the versions`);
      }
    });

    it('names the field of bad input', async () => {
      const bad = await s.admin('GET', '/api/journeys/spring-promo/report?from=March');
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /from/);
      const version = await s.admin('GET', '/api/journeys/spring-promo/report?version=9');
      assert.equal(version.status, 404);
      assert.match(JSON.stringify(version.body), /version/);
      const missing = await s.admin('GET', '/api/journeys/nope/report');
      assert.equal(missing.status, 404);
    });
  });
}
