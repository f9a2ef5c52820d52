// The delivery engine with real adapters against real local peers (an HTTP SMS gateway written
// here, an SMTP server): the concurrency bound, the rate limit (measured spacing), a slow provider
// not holding back another, the backoff schedule and its jitter bounds, dead-lettering with the
// reason and the run told, policy skips and delays on the message and the run's history, results
// recorded in few transactions, the idempotency key passed. SQLite and, with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { ingest } from '../app/ingest.ts';
import { EVENT_PARTITIONS } from '../ids.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import { parseCall } from '../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { channelRegistry } from '../channels/sdk/index.ts';
import { smtpProvider } from '../channels/email/index.ts';
import { startSmtp } from '../channels/email/testing.ts';
import { httpSmsProvider } from '../channels/http-sms/index.ts';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { Secrets } from '../secrets.ts';
import type { MessageRow } from '../storage/store.ts';
import { testDatabases, type TestDatabase } from '../storage/testing.ts';
import {
  startRecordingPeer,
  type RecordedRequest,
  type RecordingPeer,
} from '../testing/recording-peer.ts';
import { createWaymark, type Waymark, type WaymarkOptions } from '../waymark.ts';
import { backoffDelay, Delivery, DELIVERY_DEFAULTS, type DeliveryPolicy } from './delivery.ts';

const START = Date.parse('2026-03-02T10:00:00.000Z');
const HOUR = 3_600_000;

/** A local HTTP SMS gateway on the recording peer: answers per recipient. */
interface Gateway extends RecordingPeer {
  /** Status and delay per recipient (default 200 at once); `until`: answer once it resolves. */
  rules: Map<string, { status?: number; delayMs?: number; until?: Promise<void> }>;
}

/** The recipient of a request to the gateway. */
const toOf = (req: RecordedRequest): string => (req.json as { to: string }).to;
/** The idempotency key of a request to the gateway. */
const keyOf = (req: RecordedRequest) => req.headers['idempotency-key'] as string | undefined;

/** Starts a gateway answering 200 with a fresh id (`gw-<n>`) unless a rule says otherwise. */
async function startGateway(): Promise<Gateway> {
  const rules: Gateway['rules'] = new Map();
  let n = 0;
  const peer = await startRecordingPeer({
    routes: {
      '*': async (req) => {
        const { status = 200, delayMs, until } = rules.get(toOf(req)) ?? {};
        n += 1;
        await until;
        const body = status < 300 ? { id: `gw-${n}` } : { message: `refused with ${status}` };
        return { status, body, delayMs };
      },
    },
  });
  return { ...peer, rules };
}

const journey = `
schemaVersion: 1
id: notify
name: Notify
trigger: { type: event, event: notify }
start: sms
nodes:
  sms: { type: send, channel: sms, template: note, next: wait }
  wait:
    type: wait_for
    outcome: { node: sms, is: [failed] }
    timeout: 2d
    next: flag
    onTimeout: done
  flag: { type: update_profile, set: { sms_failed: true }, next: done }
  done: { type: exit }
templates:
  note: { channel: sms, body: "Your parcel is on its way" }
`;

const mailJourney = `
schemaVersion: 1
id: mail
name: Mail
trigger: { type: event, event: mail }
start: email
nodes:
  email: { type: send, channel: email, template: hi, next: done }
  done: { type: exit }
templates:
  hi: { channel: email, subject: "Hi", body: "Hello" }
`;

function phone(i: number): string {
  return `+3519100${String(i).padStart(5, '0')}`;
}

interface Ctx {
  wm: Waymark;
  clock: ManualClock;
  db: TestDatabase;
}

const secrets = new Secrets(Buffer.from('delivery-test-secret-key-0123456789abcdef'));

function smsAdapter(gw: Gateway, clock: ManualClock, extra: Record<string, unknown> = {}) {
  const url = `${gw.url}/sms`;
  return httpSmsProvider.create(httpSmsProvider.settings.parse({ url, ...extra }), {
    channel: 'sms',
    publicUrl: 'http://127.0.0.1',
    secrets,
    clock,
  });
}

async function open(
  kind: ReturnType<typeof testDatabases>[number],
  clock: ManualClock,
  options: WaymarkOptions,
): Promise<Ctx> {
  const db = await kind.create();
  const wm = await createWaymark(configFromEnv({}, { databaseUrl: db.url, role: 'api' }), {
    clock,
    ...options,
  });
  await applyJourney(wm.deps, WS, checkJourney(journey));
  await applyJourney(wm.deps, WS, checkJourney(mailJourney));
  return { wm, clock, db };
}

/** Profiles `from..to-1` with phones and emails, each sent `event`. */
async function enter(ctx: Ctx, from: number, to: number, event = 'notify'): Promise<void> {
  const calls = [];
  const timestamp = new Date(ctx.clock.now()).toISOString();
  for (let i = from; i < to; i += 1) {
    calls.push(
      parseCall(
        'identify',
        { userId: `u${i}`, timestamp, traits: { phone: phone(i), email: `u${i}@example.com` } },
        '',
      ),
    );
    calls.push(parseCall('track', { userId: `u${i}`, event, timestamp }, ''));
  }
  await ingest(ctx.wm.deps, WS, calls);
}

async function messages(ctx: Ctx, channel?: string): Promise<MessageRow[]> {
  const out: MessageRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.wm.store.messages.list(WS, { limit: 500, cursor, channel });
    out.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor);
  return out;
}

async function byRecipient(ctx: Ctx, recipient: string): Promise<MessageRow> {
  const m = (await messages(ctx)).find((x) => x.recipient === recipient);
  assert.ok(m, `a message to ${recipient}`);
  return m;
}

async function runOf(ctx: Ctx, user: string) {
  const id = (await ctx.wm.store.profiles.resolve(WS, [{ kind: 'userId', value: user }])).get(
    `userId:${user}`,
  )!;
  const [run] = await ctx.wm.store.runs.listForProfile(WS, id);
  assert.ok(run);
  return {
    run,
    profile: (await ctx.wm.store.profiles.get(WS, id))!,
    trace: await ctx.wm.store.runs.trace(WS, run.id),
  };
}

describe('backoffDelay', () => {
  it('draws from [0, min(cap, base × 2^(n−1))) and honours retry-after', () => {
    const o = { baseDelayMs: 1000, maxDelayMs: HOUR };
    for (let n = 1; n <= 20; n += 1) {
      const ceiling = Math.min(HOUR, 1000 * 2 ** (n - 1));
      assert.equal(backoffDelay(n, { ...o, random: () => 0 }), 0);
      assert.equal(
        backoffDelay(n, { ...o, random: () => 0.999999 }),
        Math.floor(0.999999 * ceiling),
      );
      assert.ok(backoffDelay(n, { ...o, random: Math.random }) < ceiling);
    }
    assert.equal(backoffDelay(30, { ...o, random: () => 0.5 }), HOUR / 2, 'capped at 1 h');
    assert.equal(backoffDelay(1, { ...o, random: () => 0.5, retryAfterMs: 30_000 }), 30_000);
    assert.equal(DELIVERY_DEFAULTS.baseDelayMs, 1000);
    assert.equal(DELIVERY_DEFAULTS.maxDelayMs, HOUR);
  });
});

for (const kind of testDatabases()) {
  describe(`delivery engine (${kind.name})`, () => {
    const open_: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const close of open_.splice(0).reverse()) await close();
    });
    after(async () => {
      for (const close of open_.splice(0).reverse()) await close();
    });

    async function setup(
      options: (gw: Gateway, clock: ManualClock) => WaymarkOptions,
    ): Promise<Ctx & { gw: Gateway }> {
      const gw = await startGateway();
      const clock = new ManualClock(START);
      const ctx = await open(kind, clock, options(gw, clock));
      open_.push(
        () => gw.close(),
        async () => {
          await ctx.wm.close();
          await ctx.db.drop();
        },
      );
      return { ...ctx, gw };
    }

    it('keeps at most maxConcurrency sends in flight, and passes the idempotency key', async () => {
      const ctx = await setup((gw, clock) => ({
        channels: channelRegistry({ sms: smsAdapter(gw, clock, { maxConcurrency: 4 }) }),
      }));
      for (let i = 0; i < 40; i += 1) ctx.gw.rules.set(phone(i), { delayMs: 30 });
      await enter(ctx, 0, 40);
      await ctx.wm.worker.drain();
      const sent = await messages(ctx, 'sms');
      assert.equal(sent.length, 40);
      assert.ok(sent.every((m) => m.status === 'sent' && m.attempts === 1));
      assert.equal(ctx.gw.requests.length, 40, 'each sent once');
      assert.equal(ctx.gw.inflight().max, 4, 'the bound is reached and never passed');
      const keys = new Map(sent.map((m) => [m.recipient, m.idempotencyKey]));
      assert.ok(ctx.gw.requests.every((r) => keyOf(r) === keys.get(toOf(r))));
      assert.ok(sent.every((m) => m.providerMessageId?.startsWith('gw-')));
    });

    it('sends nothing twice when the clock jumps past the leases while sends are in flight', async () => {
      const ctx = await setup((gw, clock) => ({
        channels: channelRegistry({ sms: smsAdapter(gw, clock, { maxConcurrency: 8 }) }),
        pollMs: 5,
      }));
      for (let i = 0; i < 40; i += 1) ctx.gw.rules.set(phone(i), { delayMs: 150 });
      await enter(ctx, 0, 40);
      ctx.wm.worker.start();
      const deadline = Date.now() + 20_000;
      while (ctx.gw.requests.length < 8) {
        assert.ok(Date.now() < deadline, 'sends started');
        await new Promise((r) => setTimeout(r, 5));
      }
      // Time moves on by two days (a manual clock, or a host clock stepped): every lease this
      // worker holds has run out while its sends are with the provider and rows wait in its lane.
      ctx.clock.set(START + 48 * HOUR);
      ctx.wm.worker.poke();
      while ((await messages(ctx, 'sms')).some((m) => m.status !== 'sent')) {
        assert.ok(Date.now() < deadline, 'every message sent');
        await new Promise((r) => setTimeout(r, 20));
      }
      await ctx.wm.worker.stop();
      const perKey = new Map<string, number>();
      for (const r of ctx.gw.requests) {
        const key = keyOf(r) ?? '';
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
      }
      assert.deepEqual(
        [...perKey.values()].filter((n) => n > 1),
        [],
        'no message requested twice',
      );
      assert.equal(ctx.gw.requests.length, 40);
      assert.ok((await messages(ctx, 'sms')).every((m) => m.attempts === 1));
    });

    it('paces sends to maxPerSecond (measured spacing)', async () => {
      const ctx = await setup((gw, clock) => ({
        channels: channelRegistry({ sms: smsAdapter(gw, clock, { maxPerSecond: 40 }) }),
      }));
      await enter(ctx, 0, 30);
      await ctx.wm.worker.drain();
      const at = ctx.gw.requests.map((r) => r.at).sort((a, b) => a - b);
      assert.equal(at.length, 30);
      // 40/s with a one-token bucket: 29 gaps of 25 ms at least (timer slack allowed).
      const span = at.at(-1)! - at[0]!;
      assert.ok(span >= 29 * 25 * 0.9, `30 sends took ${span.toFixed(0)} ms, expected ≥ 650`);
      // No burst: any 250 ms holds about 10 sends (3 more allowed for network jitter).
      for (const start of at) {
        const inWindow = at.filter((t) => t >= start && t < start + 250).length;
        assert.ok(inWindow <= 13, `${inWindow} sends within 250 ms`);
      }
    });

    it('a slow provider does not hold back another one', async () => {
      const smtp = await startSmtp({ authOptional: true });
      open_.push(() => smtp.close());
      const ctx = await setup((gw, clock) => ({
        channels: channelRegistry({
          sms: smsAdapter(gw, clock, { maxConcurrency: 1 }),
          email: smtpProvider.create(
            smtpProvider.settings.parse({
              url: `smtp://127.0.0.1:${smtp.port}`,
              from: 'Shop <shop@example.com>',
              allowSelfSigned: true,
            }),
            { channel: 'email', publicUrl: 'http://127.0.0.1', secrets, clock },
          ),
        }),
        pollMs: 5,
      }));
      // The SMS provider answers nothing until every email is out: however slow the machine,
      // the emails cannot be waiting for it.
      let release!: () => void;
      const until = new Promise<void>((r) => (release = r));
      for (let i = 0; i < 5; i += 1) ctx.gw.rules.set(phone(i), { until });
      await enter(ctx, 0, 5, 'notify');
      await enter(ctx, 100, 120, 'mail');
      ctx.wm.worker.start();
      const deadline = Date.now() + 10_000;
      while ((await messages(ctx, 'email')).filter((m) => m.status === 'sent').length < 20) {
        assert.ok(
          Date.now() < deadline,
          `emails went out: ${JSON.stringify((await messages(ctx, 'email')).slice(0, 2))}`,
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      const smsSent = (await messages(ctx, 'sms')).filter((m) => m.status === 'sent').length;
      assert.equal(smsSent, 0, 'the SMS provider answered nothing yet');
      assert.equal(ctx.gw.requests.length, 1, 'one SMS in flight (concurrency 1), held');
      assert.equal(smtp.received.length, 20);
      release();
      while ((await messages(ctx, 'sms')).filter((m) => m.status === 'sent').length < 5) {
        assert.ok(
          Date.now() < deadline + 10_000,
          'the SMS lane went on once its provider answered',
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      await ctx.wm.worker.stop();
    });

    it('retries with jittered exponential backoff, then dead-letters with the last error', async () => {
      const ctx = await setup((gw, clock) => ({
        channels: channelRegistry({ sms: smsAdapter(gw, clock) }),
        delivery: { maxAttempts: 4, random: () => 0.5 },
      }));
      ctx.gw.rules.set(phone(0), { status: 503 });
      await enter(ctx, 0, 1);
      const times: number[] = [];
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        await ctx.wm.worker.drain();
        const m = await byRecipient(ctx, phone(0));
        assert.equal(m.attempts, attempt);
        times.push(ctx.clock.now());
        if (attempt < 4) {
          assert.equal(m.status, 'pending');
          assert.match(m.error ?? '', /503/);
          // random 0.5 → half the ceiling: 500, 1000, 2000 ms.
          assert.equal(m.availableAt - ctx.clock.now(), 0.5 * 1000 * 2 ** (attempt - 1));
          ctx.clock.set(m.availableAt);
        } else {
          assert.equal(m.status, 'dead');
          assert.match(m.error ?? '', /^gave up after 4 attempts: .*503/);
        }
      }
      assert.equal(ctx.gw.requests.length, 4);
      assert.ok(
        ctx.gw.requests.every((r) => keyOf(r) === keyOf(ctx.gw.requests[0]!)),
        'same key',
      );
      const { run, profile } = await runOf(ctx, 'u0');
      assert.equal(profile.traits.sms_failed, true, 'the run took its failed branch');
      assert.equal(run.status, 'exited');
    });

    it('dead-letters a permanent failure at once with the reason; the run is told', async () => {
      const ctx = await setup((gw, clock) => ({
        channels: channelRegistry({ sms: smsAdapter(gw, clock) }),
      }));
      ctx.gw.rules.set(phone(1), { status: 400 });
      await enter(ctx, 0, 2);
      await ctx.wm.worker.drain();
      const bad = await byRecipient(ctx, phone(1));
      assert.deepEqual([bad.status, bad.attempts], ['dead', 1]);
      assert.match(bad.error ?? '', /400.*refused with 400/);
      const good = await byRecipient(ctx, phone(0));
      assert.equal(good.status, 'sent');
      assert.equal((await runOf(ctx, 'u1')).profile.traits.sms_failed, true);
      const ok = await runOf(ctx, 'u0');
      assert.equal(ok.profile.traits.sms_failed, undefined);
      assert.equal(ok.run.status, 'waiting', 'the sent one waits for its timeout');
    });

    it('records policy skips and delays on the message and on the run', async () => {
      let quiet = true;
      const policy: DeliveryPolicy = async (_tx, m, now) => {
        if (m.recipient === phone(0)) return { kind: 'skip', reason: 'unsubscribed from sms' };
        if (m.recipient === phone(1) && quiet)
          return { kind: 'delay', until: now + HOUR, reason: 'frequency cap: 1 per hour' };
        return { kind: 'send' };
      };
      const ctx = await setup((gw, clock) => ({
        channels: channelRegistry({ sms: smsAdapter(gw, clock) }),
        policy,
      }));
      await enter(ctx, 0, 2);
      await ctx.wm.worker.drain();

      const skipped = await byRecipient(ctx, phone(0));
      assert.deepEqual(
        [skipped.status, skipped.error, skipped.attempts],
        ['skipped', 'unsubscribed from sms', 0],
      );
      const s = await runOf(ctx, 'u0');
      assert.ok(
        s.trace.some((t) => t.what === 'skipped' && /unsubscribed from sms/.test(t.detail)),
      );
      assert.equal(s.profile.traits.sms_failed, true, 'a skip reaches the run as failed');

      const held = await byRecipient(ctx, phone(1));
      assert.deepEqual(
        [held.status, held.attempts, held.availableAt, held.error],
        ['pending', 0, START + HOUR, 'frequency cap: 1 per hour'],
      );
      const d = await runOf(ctx, 'u1');
      assert.ok(
        d.trace.some((t) => t.what === 'waiting' && /held until .*frequency cap/.test(t.detail)),
      );
      assert.equal(ctx.gw.requests.length, 0, 'nothing went out');

      quiet = false;
      ctx.clock.set(START + HOUR);
      await ctx.wm.worker.drain();
      const sent = await byRecipient(ctx, phone(1));
      assert.deepEqual([sent.status, sent.attempts], ['sent', 1]);
      assert.equal(ctx.gw.requests.length, 1);
    });

    it('records results and marks sends in group commits, not one transaction per message', async () => {
      const ctx = await setup((gw, clock) => ({
        channels: channelRegistry({ sms: smsAdapter(gw, clock, { maxConcurrency: 64 }) }),
      }));
      await enter(ctx, 0, 200);
      await ctx.wm.worker.drain(); // runs are created; the messages are claimed and sent…
      // …by the worker's own engine. Now a second batch, through an engine whose transactions
      // are counted.
      await enter(ctx, 200, 400);
      while ((await ctx.wm.engine.events([...Array(EVENT_PARTITIONS).keys()])) > 0);
      let transactions = 0;
      const delivery = new Delivery({
        messages: ctx.wm.store.messages,
        clock: ctx.clock,
        channels: ctx.wm.deps.channels,
        withBatch: (fn) => {
          transactions += 1;
          return ctx.wm.engine.withBatch(fn);
        },
        options: { flushMs: 1_000, flushSize: 500 },
      });
      while ((await delivery.deliver()) > 0);
      const sms = await messages(ctx, 'sms');
      assert.equal(sms.filter((m) => m.status === 'sent').length, 400);
      assert.equal(ctx.gw.requests.length, 400);
      // One claim, then about one commit per half lane (64 slots): each records 32 results and
      // marks the 32 rows that take their slots.
      assert.ok(
        transactions <= Math.ceil(400 / 32) + 4,
        `400 results in ${transactions} transactions`,
      );
    });
  });
}
