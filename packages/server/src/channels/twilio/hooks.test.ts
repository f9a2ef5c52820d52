// Scenario 8 end to end over real HTTP: a journey calls the contact centre through the local
// Twilio peer, the peer plays the call (agent answers or not, customer answers or not) and calls
// Waymark back signed like Twilio; the run takes the bridged route or falls back to SMS. Also:
// SMS status callbacks settle messages once, forged and unsigned callbacks get 403 and change
// nothing. Runs on SQLite and, when DATABASE_URL is set, PostgreSQL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../../app/ingest.ts';
import { applyJourney, checkJourney } from '../../app/journeys.ts';
import { listOutbox } from '../../app/outbox.ts';
import { getProfile, runHistory } from '../../app/profiles.ts';
import { parseCall, type CallType } from '../../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../../app/workspaces.ts';
import { channelRegistry, type AdapterContext } from '../sdk/index.ts';
import { TwilioPeer } from './testing/twilio-peer.ts';
import { twilioSignature, twilioSmsProvider, twilioVoiceProvider } from './index.ts';
import { ManualClock } from '../../clock.ts';
import { configFromEnv } from '../../config.ts';
import { Secrets } from '../../secrets.ts';
import { testDatabases, type TestDatabase } from '../../storage/testing.ts';
import { createWaymark, type Waymark } from '../../waymark.ts';
import { startHttp, type RunningHttp } from '../../http/server.ts';
import { freePort } from '../../http/testing.ts';

const CENTRE = '+351210000000';

const JOURNEY = `
schemaVersion: 1
id: callback
name: Queue-abandon recovery
trigger: { type: event, event: call_abandoned }
start: callback
nodes:
  callback:
    type: send
    channel: voice
    template: whisper
    connectTo: "210 000 000"
    next: wait-call
  wait-call:
    type: wait_for
    outcome: { node: callback, is: [bridged, no_agent, no_answer, failed] }
    timeout: 30m
    next: route
    onTimeout: sms-fallback
  route:
    type: branch
    cases:
      - { when: { outcome: { node: callback, is: bridged } }, next: bridged }
    default: sms-fallback
  sms-fallback: { type: send, channel: sms, template: sorry, next: wait-delivery }
  wait-delivery:
    type: wait_for
    outcome: { node: sms-fallback, is: [delivered, failed] }
    timeout: 1h
    next: done
    onTimeout: done
  bridged: { type: exit, reason: bridged }
  done: { type: exit, reason: fallback }
templates:
  whisper:
    channel: voice
    body: "Callback for {{ profile.traits.first_name }} who abandoned the queue"
  sorry:
    channel: sms
    body: "Sorry we missed you, {{ profile.traits.first_name }}. Call us on 210 000 000."
`;

for (const kind of testDatabases()) {
  describe(`twilio webhooks (${kind.name})`, () => {
    let peer: TwilioPeer;
    let db: TestDatabase;
    let wm: Waymark;
    let http: RunningHttp;
    let publicUrl: string;
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));

    async function call(type: CallType, body: Record<string, unknown>): Promise<void> {
      await ingest(wm.deps, WS, [
        parseCall(type, { timestamp: new Date(clock.now()).toISOString(), ...body }, ''),
      ]);
      await wm.worker.drain();
    }

    /** A customer abandons the queue; returns the call the peer got for them. */
    async function abandon(user: string, name: string) {
      await call('identify', { userId: user, traits: { phone: '912 345 678', first_name: name } });
      const before = peer.calls.length;
      await call('track', { userId: user, event: 'call_abandoned' });
      assert.equal(peer.calls.length, before + 1, 'one call placed');
      return peer.calls.at(-1)!;
    }

    async function state(user: string) {
      const profile = await getProfile(wm.deps, WS, `userId:${user}`);
      const run = profile.runs[0]!;
      const { trace } = await runHistory(wm.deps, WS, run.id);
      const messages = (await listOutbox(wm.deps, WS, { limit: 10, profile: `userId:${user}` }))
        .items;
      return {
        run,
        trace,
        voice: messages.find((m) => m.channel === 'voice')!,
        sms: messages.filter((m) => m.channel === 'sms'),
      };
    }

    before(async () => {
      peer = await TwilioPeer.start();
      db = await kind.create();
      const port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      const context = (channel: string): AdapterContext => ({
        channel,
        publicUrl,
        secrets: new Secrets(randomBytes(32)),
        clock,
      });
      const env = {
        TWILIO_ACCOUNT_SID: peer.accountSid,
        TWILIO_AUTH_TOKEN: peer.authToken,
        TWILIO_FROM: '+15017122661',
        TWILIO_API_BASE: peer.apiBase,
        SMS_DEFAULT_COUNTRY: 'PT',
      };
      const sms = twilioSmsProvider.create(twilioSmsProvider.fromEnv(env, 'sms')!, context('sms'));
      const voice = twilioVoiceProvider.create(
        twilioVoiceProvider.fromEnv(env, 'voice')!,
        context('voice'),
      );
      wm = await createWaymark(
        configFromEnv({}, { databaseUrl: db.url, role: 'api', timezone: 'UTC', publicUrl, port }),
        { clock, channels: channelRegistry({ sms, voice }) },
      );
      await applyJourney(wm.deps, WS, checkJourney(JOURNEY));
      http = await startHttp(wm, { port, host: '127.0.0.1' });
    });
    after(async () => {
      await http?.close();
      await wm?.close();
      await peer?.close();
      await db?.drop();
    });

    it('calls the centre, whispers, bridges the customer: the run takes the bridged route', async () => {
      const placed = await abandon('u-bridged', 'Maria');
      assert.equal(placed.to, CENTRE);
      assert.equal(placed.from, '+15017122661');
      const answer = new URL(placed.url);
      assert.equal(answer.origin, publicUrl);
      assert.match(answer.pathname, /^\/hooks\/twilio\/default\/voice\/answer\//);
      assert.match(placed.statusCallback!, /\/hooks\/twilio\/default\/voice\/status\//);

      const answered = await peer.answerCall(placed.sid);
      assert.equal(answered.response.status, 200);
      assert.match(answered.response.headers.get('content-type') ?? '', /^text\/xml/);
      assert.equal(answered.say, 'Callback for Maria who abandoned the queue');
      assert.equal(answered.dial?.number, '+351912345678');
      assert.equal(answered.dial?.callerId, '+15017122661');
      assert.match(answered.dial?.action ?? '', /\/hooks\/twilio\/default\/voice\/dial\//);
      const dial = await peer.finishDial(placed.sid, 'completed');
      assert.equal(dial.status, 200);
      assert.match(dial.body, /<Hangup\/>/);
      assert.equal((await peer.endCall(placed.sid, 'completed')).status, 200);
      await wm.worker.drain();

      const s = await state('u-bridged');
      assert.equal(s.run.status, 'exited');
      assert.deepEqual(s.run.exit, { kind: 'exit_node', node: 'bridged', reason: 'bridged' });
      assert.equal(s.voice.status, 'delivered');
      assert.equal(s.voice.providerMessageId, placed.sid);
      assert.equal(s.sms.length, 0);
      assert.ok(!peer.messages.some((m) => m.body.includes('Maria')));
    });

    it('falls back to SMS when the customer does not answer; duplicates record once', async () => {
      const placed = await abandon('u-noanswer', 'João');
      await peer.answerCall(placed.sid);
      // Twilio may deliver a callback twice: the dial result, then the same again.
      assert.equal((await peer.finishDial(placed.sid, 'no-answer')).status, 200);
      assert.equal((await peer.finishDial(placed.sid, 'no-answer')).status, 200);
      assert.equal((await peer.endCall(placed.sid, 'completed')).status, 200);
      await wm.worker.drain();

      const s = await state('u-noanswer');
      assert.equal(s.voice.status, 'failed');
      assert.equal(s.voice.error, 'twilio dial no-answer: the customer did not answer');
      assert.equal(s.trace.filter((t) => t.what === 'matched').length, 1);
      assert.equal(s.sms.length, 1);
      const texts = peer.messages.filter((m) => m.body.includes('João'));
      assert.equal(texts.length, 1);
      assert.equal(texts[0]!.to, '+351912345678');
      assert.equal(texts[0]!.body, 'Sorry we missed you, João. Call us on 210 000 000.');
      assert.equal(s.run.status, 'waiting');

      // The SMS is delivered: the status callback settles it and the run moves on, once.
      assert.equal((await peer.sendStatus(texts[0]!.sid, 'sent')).status, 200);
      assert.equal((await peer.sendStatus(texts[0]!.sid, 'delivered')).status, 200);
      assert.equal((await peer.sendStatus(texts[0]!.sid, 'delivered')).status, 200);
      await wm.worker.drain();
      const done = await state('u-noanswer');
      assert.equal(done.sms[0]!.status, 'delivered');
      assert.equal(done.run.status, 'exited');
      assert.deepEqual(done.run.exit, { kind: 'exit_node', node: 'done', reason: 'fallback' });
      assert.equal(done.trace.filter((t) => t.what === 'matched').length, 2);
    });

    it('falls back to SMS when no agent answers at the centre', async () => {
      const placed = await abandon('u-noagent', 'Ana');
      await peer.simulateCall(placed.sid, 'agent-busy');
      await wm.worker.drain();
      const s = await state('u-noagent');
      assert.equal(s.voice.status, 'failed');
      assert.match(s.voice.error ?? '', /busy: the contact centre did not answer/);
      assert.equal(s.sms.length, 1);
      assert.ok(peer.messages.some((m) => m.body.startsWith('Sorry we missed you, Ana.')));
    });

    it('rejects forged and unsigned callbacks with 403 and records nothing', async () => {
      const placed = await abandon('u-forged', 'Rui');
      const forged = await peer.finishDial(placed.sid, 'completed').catch(() => null);
      assert.equal(forged, null, 'no <Dial> yet: the call was never answered');
      const statusUrl = placed.statusCallback!;
      const params = { AccountSid: peer.accountSid, CallSid: placed.sid, CallStatus: 'no-answer' };
      const wrongKey = await peer.callback(statusUrl, params, { signWith: 'not the token' });
      assert.equal(wrongKey.status, 403);
      assert.match(wrongKey.body, /X-Twilio-Signature does not match/);
      const unsigned = await peer.callback(statusUrl, params, { signWith: null });
      assert.equal(unsigned.status, 403);
      // Signed for another URL (another message): the signature does not cover this one.
      const other = await fetch(statusUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(
            peer.authToken,
            statusUrl.replace('/status/', '/status/x'),
            params,
          ),
        },
        body: new URLSearchParams(params).toString(),
      });
      assert.equal(other.status, 403);
      await wm.worker.drain();
      const s = await state('u-forged');
      assert.equal(s.voice.status, 'sent');
      assert.equal(s.run.status, 'waiting');
      assert.equal(s.trace.filter((t) => t.what === 'matched').length, 0);
      assert.equal(s.sms.length, 0);
      // The genuine callback still works afterwards.
      assert.equal((await peer.endCall(placed.sid, 'no-answer')).status, 200);
      await wm.worker.drain();
      assert.equal((await state('u-forged')).sms.length, 1);
    });

    it('answers 404 for a channel without a Twilio provider', async () => {
      const res = await peer.callback(
        `${publicUrl}/hooks/twilio/default/whatsapp/status/nope?key=k`,
        { MessageStatus: 'delivered' },
      );
      assert.equal(res.status, 404);
    });
  });
}
