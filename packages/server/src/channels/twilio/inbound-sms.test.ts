// Inbound SMS over real HTTP in Twilio's format, signed by the local Twilio peer: scenario 3
// (SMS "did it arrive?" → the customer's reply → thanks, or apology + manager alert + task), a
// reply with no waiting run starting a keyword journey (scenario 4's "SLIDES"), an unknown text
// recorded on the profile, a retried webhook recorded once, forged and unsigned requests refused
// with 403. Signatures are cross-checked with the `twilio` package's validator. Runs on SQLite
// and, when DATABASE_URL is set, PostgreSQL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import { ingest } from '../../app/ingest.ts';
import { applyJourney, checkJourney } from '../../app/journeys.ts';
import { listOutbox } from '../../app/outbox.ts';
import { getProfile, profileEvents, runHistory } from '../../app/profiles.ts';
import { parseCall, type CallType } from '../../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../../app/workspaces.ts';
import {
  devSink,
  type AdapterContext,
  type ChannelAdapter,
  type ChannelRegistry,
} from '../sdk/index.ts';
import { TwilioPeer } from './testing/twilio-peer.ts';
import { twilioSignature, twilioSmsProvider } from './index.ts';
import { ManualClock } from '../../clock.ts';
import { configFromEnv } from '../../config.ts';
import { Secrets } from '../../secrets.ts';
import { testDatabases, type TestDatabase } from '../../storage/testing.ts';
import { createWaymark, type Waymark } from '../../waymark.ts';
import { startHttp, type RunningHttp } from '../../http/server.ts';
import { freePort } from '../../http/testing.ts';

const OUR_NUMBER = '+15017122661';
/** A second number of ours: the SMS channel is moved to it for a while (`sendFrom`). */
const OTHER_NUMBER = '+15017122662';
const SLIDES_NUMBER = '+351300000000';

const ARRIVAL = `
schemaVersion: 1
id: arrival
name: Service arrival
trigger: { type: event, event: delivery_due }
start: ask
nodes:
  ask: { type: send, channel: sms, template: ask, next: wait }
  wait: { type: wait_for, reply: { node: ask }, timeout: 2d, next: route, onTimeout: done }
  route:
    type: branch
    cases:
      - { when: { reply: { intent: yes } }, next: thanks }
      - { when: { reply: { intent: no } }, next: sorry }
    default: done
  thanks: { type: send, channel: sms, template: thanks, next: done }
  sorry: { type: send, channel: sms, template: sorry, next: alert }
  alert: { type: alert, channel: email, to: manager@example.com, template: alert, next: task }
  task: { type: task, team: service, title: "Delivery missing: call the customer", due: 1d, next: done }
  done: { type: exit }
templates:
  ask: { channel: sms, body: "Olá {{ profile.traits.first_name }}, a sua encomenda chegou?" }
  thanks: { channel: sms, body: "Obrigado, {{ profile.traits.first_name }}!" }
  sorry: { channel: sms, body: "Lamentamos, {{ profile.traits.first_name }}. Vamos resolver." }
  alert:
    channel: email
    subject: "Delivery missing: {{ profile.traits.first_name }}"
    body: "{{ profile.traits.first_name }} ({{ profile.traits.phone }}) has not received the order."
`;

const SLIDES = `
schemaVersion: 1
id: slides
name: Lecture slides
trigger: { type: inbound, channel: sms, to: "${SLIDES_NUMBER}", keyword: slides }
start: reply
nodes:
  reply: { type: send, channel: sms, template: slides, to: trigger.properties.from, next: done }
  done: { type: exit }
templates:
  slides: { channel: sms, body: "Here are the slides: https://example.com/s" }
`;

const VISIT = `
schemaVersion: 1
id: visit
name: Visit feedback
trigger: { type: event, event: visit_done }
start: ask
nodes:
  ask: { type: send, channel: sms, template: ask, next: wait }
  wait: { type: wait_for, reply: { node: ask }, timeout: 2d, next: route, onTimeout: done }
  route:
    type: branch
    cases:
      - { when: { reply: { intent: yes } }, next: glad }
    default: done
  glad: { type: send, channel: sms, template: glad, next: done }
  done: { type: exit }
templates:
  ask: { channel: sms, body: "Gostou da visita, {{ profile.traits.first_name }}?" }
  glad: { channel: sms, body: "Ainda bem, {{ profile.traits.first_name }}!" }
`;

for (const kind of testDatabases()) {
  describe(`inbound SMS and replies (${kind.name})`, () => {
    let peer: TwilioPeer;
    let db: TestDatabase;
    let wm: Waymark;
    let http: RunningHttp;
    let inboundUrl: string;
    /** Sends go out through this adapter (from OUR_NUMBER, or OTHER_NUMBER while moved). */
    let sender: ChannelAdapter;
    const adapters: ChannelAdapter[] = [];
    /** The SMS channel sends from `number` from now on (as after a change in /api/channels). */
    let sendFrom: (number: string) => void;
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));
    let sid = 0;

    async function call(type: CallType, body: Record<string, unknown>): Promise<void> {
      await ingest(wm.deps, WS, [
        parseCall(type, { timestamp: new Date(clock.now()).toISOString(), ...body }, ''),
      ]);
      await wm.worker.drain();
    }

    /** Twilio's inbound-message parameters for a text from `from`. */
    function form(from: string, body: string, extra: Record<string, string> = {}) {
      sid += 1;
      return {
        ToCountry: 'US',
        SmsMessageSid: `SM${String(sid).padStart(32, '0')}`,
        NumMedia: '0',
        SmsSid: `SM${String(sid).padStart(32, '0')}`,
        SmsStatus: 'received',
        Body: body,
        To: OUR_NUMBER,
        NumSegments: '1',
        MessageSid: `SM${String(sid).padStart(32, '0')}`,
        AccountSid: peer.accountSid,
        From: from,
        ApiVersion: '2010-04-01',
        ...extra,
      };
    }

    /** The customer texts us: the peer posts the signed webhook; the worker then catches up. */
    async function text(params: Record<string, string>, opts?: { signWith?: string | null }) {
      const response = await peer.callback(inboundUrl, params, opts);
      await wm.worker.drain();
      return response;
    }

    /** A customer whose delivery is due gets asked; returns the SMS the peer received. */
    async function asked(user: string, name: string, phone: string) {
      await call('identify', { userId: user, traits: { phone, first_name: name } });
      await call('track', { userId: user, event: 'delivery_due' });
      const sms = peer.messages.filter((m) => m.body.startsWith(`Olá ${name},`));
      assert.equal(sms.length, 1, 'asked once');
      return sms[0]!;
    }

    async function runOf(user: string) {
      const profile = await getProfile(wm.deps, WS, `userId:${user}`);
      const run = profile.runs.find((r) => r.journeyId === 'arrival')!;
      return { run, trace: (await runHistory(wm.deps, WS, run.id)).trace };
    }

    before(async () => {
      peer = await TwilioPeer.start();
      db = await kind.create();
      const port = await freePort();
      const publicUrl = `http://127.0.0.1:${port}`;
      inboundUrl = `${publicUrl}/hooks/twilio/${WS}/sms/inbound`;
      const context: AdapterContext = {
        channel: 'sms',
        publicUrl,
        secrets: new Secrets(randomBytes(32)),
        clock,
      };
      const env = {
        TWILIO_ACCOUNT_SID: peer.accountSid,
        TWILIO_AUTH_TOKEN: peer.authToken,
        TWILIO_FROM: OUR_NUMBER,
        TWILIO_API_BASE: peer.apiBase,
        SMS_DEFAULT_COUNTRY: 'PT',
      };
      const made = new Map<string, ChannelAdapter>();
      sendFrom = (number) => {
        let adapter = made.get(number);
        if (!adapter) {
          const settings = twilioSmsProvider.fromEnv({ ...env, TWILIO_FROM: number }, 'sms')!;
          adapter = twilioSmsProvider.create(settings, context);
          made.set(number, adapter);
          adapters.push(adapter);
        }
        sender = adapter;
      };
      sendFrom(OUR_NUMBER);
      // The channel's adapter is looked up per send, so moving it to another number takes
      // effect at once; inbound webhooks are verified by whichever is current (same account).
      const channels: ChannelRegistry = {
        for: async (m) => (m.channel === 'sms' ? sender : devSink),
        get: async (_ws, channel) => (channel === 'sms' ? sender : null),
        close: async () => {
          await Promise.all(adapters.map((a) => a.close?.()));
        },
      };
      wm = await createWaymark(
        configFromEnv({}, { databaseUrl: db.url, role: 'api', timezone: 'UTC', publicUrl, port }),
        { clock, channels },
      );
      await applyJourney(wm.deps, WS, checkJourney(ARRIVAL));
      await applyJourney(wm.deps, WS, checkJourney(SLIDES));
      await applyJourney(wm.deps, WS, checkJourney(VISIT));
      http = await startHttp(wm, { port, host: '127.0.0.1' });
    });
    after(async () => {
      await http?.close();
      await wm?.close();
      await peer?.close();
      await db?.drop();
    });

    it('scenario 3: "Sim, chegou" takes the thanks branch, once even when Twilio retries', async () => {
      const ask = await asked('u-yes', 'Maria', '912 000 001');
      assert.equal(ask.to, '+351912000001');
      assert.equal((await runOf('u-yes')).run.status, 'waiting');

      const params = form('+351912000001', 'Sim, chegou');
      const answered = await text(params);
      assert.equal(answered.status, 200);
      assert.match(answered.headers.get('content-type') ?? '', /^text\/xml/);
      assert.equal(answered.body, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
      // Twilio retries the same webhook: nothing is recorded twice.
      assert.equal((await text(params)).status, 200);

      const { run, trace } = await runOf('u-yes');
      console.log(
        JSON.stringify(trace.map((t) => [t.what, t.detail])),
        JSON.stringify(await profileEvents(wm.deps, WS, 'userId:u-yes', { limit: 20 })),
      );
      assert.equal(run.status, 'exited');
      assert.equal(trace.filter((t) => t.what === 'matched').length, 1);
      assert.ok(trace.some((t) => t.what === 'branch' && t.detail.includes('→ thanks')));
      const thanks = peer.messages.filter((m) => m.body === 'Obrigado, Maria!');
      assert.equal(thanks.length, 1);
      assert.equal(thanks[0]!.to, '+351912000001');
      const events = await profileEvents(wm.deps, WS, 'userId:u-yes', { limit: 20 });
      const replies = events.filter((e) => e.name === 'reply_received');
      assert.equal(replies.length, 1, 'the retry is not stored again');
      assert.equal(replies[0]!.messageId, params.MessageSid);
      assert.deepEqual(replies[0]!.properties.reply, { intent: 'yes', keyword: 'SIM' });
      assert.equal(replies[0]!.properties.runId, run.id);
    });

    it('scenario 3: "ainda não" → apology, manager alert with the details, task', async () => {
      await asked('u-no', 'João', '912 000 002');
      assert.equal((await text(form('+351912000002', 'ainda não'))).status, 200);
      const { run } = await runOf('u-no');
      assert.equal(run.status, 'exited');
      assert.equal(peer.messages.filter((m) => m.body.startsWith('Lamentamos, João.')).length, 1);
      const profile = await getProfile(wm.deps, WS, 'userId:u-no');
      const outbox = (await listOutbox(wm.deps, WS, { limit: 20, profile: profile.profile.id }))
        .items;
      const alert = outbox.find((m) => m.kind === 'alert');
      assert.equal(alert?.recipient, 'manager@example.com');
      assert.equal(alert?.content.body, 'João (912 000 002) has not received the order.');
      const tasks = await wm.deps.store.tasks.list(WS, { limit: 50, team: 'service' });
      assert.deepEqual(
        tasks.filter((t) => t.profileId === profile.profile.id).map((t) => [t.team, t.title]),
        [['service', 'Delivery missing: call the customer']],
      );
    });

    it('a reply goes to the run whose question was sent from the number written to', async () => {
      // The visit question goes out from OTHER_NUMBER; then, a minute later, the arrival
      // question from OUR_NUMBER: the arrival run is the most recent one waiting.
      await call('identify', {
        userId: 'u-two',
        traits: { phone: '912 000 007', first_name: 'Luís' },
      });
      sendFrom(OTHER_NUMBER);
      await call('track', { userId: 'u-two', event: 'visit_done' });
      sendFrom(OUR_NUMBER);
      clock.advance(60_000);
      await call('track', { userId: 'u-two', event: 'delivery_due' });
      const asks = peer.messages.filter((m) => m.to === '+351912000007');
      assert.deepEqual(
        asks.map((m) => [m.from, m.body]),
        [
          [OTHER_NUMBER, 'Gostou da visita, Luís?'],
          [OUR_NUMBER, 'Olá Luís, a sua encomenda chegou?'],
        ],
      );
      // Each message records the number it went out from.
      const profile = await getProfile(wm.deps, WS, 'userId:u-two');
      const outbox = (await listOutbox(wm.deps, WS, { limit: 20, profile: profile.profile.id }))
        .items;
      assert.deepEqual(outbox.map((m) => m.content.from).sort(), [OTHER_NUMBER, OUR_NUMBER].sort());

      // "Sim" written to OTHER_NUMBER answers the visit question, not the newer arrival one.
      const reply = await text(form('+351912000007', 'Sim', { To: OTHER_NUMBER }));
      assert.equal(reply.status, 200);
      const runs = async () =>
        Object.fromEntries(
          (await getProfile(wm.deps, WS, 'userId:u-two')).runs.map((r) => [r.journeyId, r.status]),
        );
      assert.deepEqual(await runs(), { visit: 'exited', arrival: 'waiting' });
      assert.equal(peer.messages.filter((m) => m.body === 'Ainda bem, Luís!').length, 1);

      // Written to OUR_NUMBER, the next "sim" answers the arrival question.
      await text(form('+351912000007', 'sim, chegou', { To: OUR_NUMBER }));
      assert.deepEqual(await runs(), { visit: 'exited', arrival: 'exited' });
      assert.equal(peer.messages.filter((m) => m.body === 'Obrigado, Luís!').length, 1);
    });

    it('an unclear reply still reaches the waiting run, which takes the default', async () => {
      await asked('u-unclear', 'Rita', '912 000 003');
      await text(form('+351912000003', 'quem fala?'));
      const { run, trace } = await runOf('u-unclear');
      assert.equal(run.status, 'exited');
      assert.ok(trace.some((t) => t.what === 'branch' && t.detail.includes('default done')));
    });

    it('a text with no waiting run starts the keyword journey ("SLIDES")', async () => {
      const r = await text(form('+351 933 333 333', 'Slides please', { To: SLIDES_NUMBER }));
      assert.equal(r.status, 200);
      const sent = peer.messages.filter((m) => m.body.startsWith('Here are the slides'));
      assert.deepEqual(
        sent.map((m) => m.to),
        ['+351933333333'],
      );
      const view = await getProfile(wm.deps, WS, 'phone:+351933333333');
      assert.deepEqual(
        view.runs.map((x) => x.journeyId),
        ['slides'],
      );
    });

    it('an unknown text with nothing to take it is recorded on the profile', async () => {
      const params = form('+351944444444', 'Olá, qual é o horário?');
      await text(params);
      await text(params);
      const view = await getProfile(wm.deps, WS, 'phone:+351944444444');
      assert.equal(view.runs.length, 0);
      const events = await profileEvents(wm.deps, WS, 'phone:+351944444444', { limit: 10 });
      assert.deepEqual(
        events.map((e) => [e.type, e.name, e.properties.body, e.properties.to]),
        [['inbound', 'message_received', 'Olá, qual é o horário?', OUR_NUMBER]],
      );
      assert.deepEqual(events[0]!.properties.reply, { intent: 'unknown', keyword: 'OLÁ' });
    });

    it('STOP is a consent keyword, not a reply: the waiting run keeps waiting', async () => {
      await asked('u-stop', 'Ana', '912 000 005');
      await text(form('+351912000005', 'STOP'));
      assert.equal((await runOf('u-stop')).run.status, 'waiting');
      const events = await profileEvents(wm.deps, WS, 'userId:u-stop', { limit: 10 });
      assert.equal(events[0]?.name, 'sms_stop');
    });

    it('rejects forged, unsigned and other-account requests with 403, recording nothing', async () => {
      await asked('u-forged', 'Rui', '912 000 006');
      const wrongKey = await text(form('+351912000006', 'sim'), { signWith: 'not the token' });
      assert.equal(wrongKey.status, 403);
      assert.match(wrongKey.body, /X-Twilio-Signature does not match/);
      const unsigned = await text(form('+351912000006', 'sim'), { signWith: null });
      assert.equal(unsigned.status, 403);
      assert.match(unsigned.body, /X-Twilio-Signature header is missing/);
      // Signed for another workspace's URL: the signature does not cover this one.
      const params = form('+351912000006', 'sim');
      const other = await fetch(inboundUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(
            peer.authToken,
            inboundUrl.replace(`/${WS}/`, '/other/'),
            params,
          ),
        },
        body: new URLSearchParams(params).toString(),
      });
      assert.equal(other.status, 403);
      // Validly signed, but for another Twilio account.
      const foreign = await text({
        ...form('+351912000006', 'sim'),
        AccountSid: 'AC' + '1'.repeat(32),
      });
      assert.equal(foreign.status, 403);
      const noSender = await text({ ...form('', 'sim') });
      assert.equal(noSender.status, 400);
      assert.equal((await runOf('u-forged')).run.status, 'waiting');
      const events = await profileEvents(wm.deps, WS, 'userId:u-forged', { limit: 10 });
      assert.ok(!events.some((e) => e.name === 'reply_received' || e.type === 'inbound'));
    });

    it("agrees with the twilio package's signature validator both ways", async () => {
      const params = form('+351955555555', 'hello');
      const ours = twilioSignature(peer.authToken, inboundUrl, params);
      assert.ok(twilio.validateRequest(peer.authToken, ours, inboundUrl, params));
      const theirs = twilio.getExpectedTwilioSignature(peer.authToken, inboundUrl, params);
      assert.equal(theirs, ours);
      const r = await fetch(inboundUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': theirs,
        },
        body: new URLSearchParams(params).toString(),
      });
      assert.equal(r.status, 200);
      assert.ok(!twilio.validateRequest('another token', ours, inboundUrl, params));
    });
  });
}
