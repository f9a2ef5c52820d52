// Scenario 5 end to end, over real HTTP on both backends: the survey journey as shipped in
// examples/journeys/survey.yaml. `service_completed` → SMS "how did we do? reply 1-5" through the
// local Twilio peer → the customer's answer arrives as Twilio's signed inbound webhook → the
// branch on `last.reply.score`: "2" alerts the manager (a signed webhook to a local receiver),
// apologises and marks the profile high-touch; "five stars" thanks; "3/5" asks what would make it
// a 5. No answer within 3 days (a ManualClock moves time) → one reminder; an answer to it is
// routed the same way; no answer to it either → the run ends, nothing more is sent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../app/ingest.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import { listOutbox } from '../app/outbox.ts';
import { getProfile, runHistory } from '../app/profiles.ts';
import { parseCall, type CallType } from '../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { TwilioPeer } from '../channels/testing/twilio-peer.ts';
import { verifyWebhookSignature } from '../channels/webhook/index.ts';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { testDatabases, type TestDatabase } from '../test-databases.ts';
import { createWaymark, type Waymark } from '../waymark.ts';
import { startHttp, type RunningHttp } from './server.ts';

const OUR_NUMBER = '+15017122661';
const SIGNING_SECRET = 'whsec_survey_test_secret';
const SERVICE_DESK = 'https://hooks.example.com/service-desk';
const DAY = 86_400_000;

/** The shipped example; its service-desk URL is pointed at the local receiver. */
const SURVEY = readFileSync(
  new URL('../../../../examples/journeys/survey.yaml', import.meta.url),
  'utf8',
);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

for (const kind of testDatabases()) {
  describe(`scenario 5: SMS survey, branch on the score (${kind.name})`, () => {
    let peer: TwilioPeer;
    let db: TestDatabase;
    let wm: Waymark;
    let http: RunningHttp;
    let inboundUrl: string;
    let desk: Server;
    /** What the service desk received: the signed alert posts. */
    const alerts: Array<{ headers: IncomingMessage['headers']; raw: Buffer }> = [];
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));
    let sid = 0;

    async function call(type: CallType, body: Record<string, unknown>): Promise<void> {
      await ingest(wm.deps, WS, [
        parseCall(type, { timestamp: new Date(clock.now()).toISOString(), ...body }, ''),
      ]);
      await wm.worker.drain();
    }

    /** The customer texts our number: the peer posts Twilio's signed inbound webhook. */
    async function text(from: string, body: string): Promise<void> {
      sid += 1;
      const messageSid = `SM${String(sid).padStart(32, '0')}`;
      const response = await peer.callback(inboundUrl, {
        MessageSid: messageSid,
        SmsSid: messageSid,
        AccountSid: peer.accountSid,
        From: from,
        To: OUR_NUMBER,
        Body: body,
        NumMedia: '0',
      });
      assert.equal(response.status, 200, response.body);
      await wm.worker.drain();
    }

    /** A customer's service is completed: returns the survey SMS the peer received. */
    async function served(user: string, name: string, phone: string, to: string) {
      await call('identify', { userId: user, traits: { phone, first_name: name } });
      await call('track', {
        userId: user,
        event: 'service_completed',
        properties: { service: 'boiler repair' },
      });
      const asked = textsTo(to);
      assert.deepEqual(asked, [
        `Hi ${name}, how did we do with your boiler repair? Reply 1-5 (5 = great).`,
      ]);
    }

    /** The texts the peer was asked to send to `to`, oldest first. */
    function textsTo(to: string): string[] {
      return peer.messages.filter((m) => m.to === to).map((m) => m.body);
    }

    async function surveyRun(user: string) {
      const view = await getProfile(wm.deps, WS, `userId:${user}`);
      const run = view.runs.find((r) => r.journeyId === 'survey')!;
      return { view, run, trace: (await runHistory(wm.deps, WS, run.id)).trace };
    }

    before(async () => {
      desk = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          alerts.push({ headers: req.headers, raw: Buffer.concat(chunks) });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => desk.listen(0, '127.0.0.1', r));
      const deskUrl = `http://127.0.0.1:${(desk.address() as AddressInfo).port}/service-desk`;
      peer = await TwilioPeer.start();
      db = await kind.create();
      const port = await freePort();
      const publicUrl = `http://127.0.0.1:${port}`;
      inboundUrl = `${publicUrl}/hooks/twilio/${WS}/sms/inbound`;
      // The providers come from the environment, as in production: Twilio for SMS (the local
      // peer), the webhook adapter for the manager alert.
      wm = await createWaymark(
        configFromEnv({}, { databaseUrl: db.url, role: 'api', timezone: 'UTC', publicUrl, port }),
        {
          clock,
          env: {
            TWILIO_ACCOUNT_SID: peer.accountSid,
            TWILIO_AUTH_TOKEN: peer.authToken,
            TWILIO_FROM: OUR_NUMBER,
            TWILIO_API_BASE: peer.apiBase,
            SMS_DEFAULT_COUNTRY: 'PT',
            WEBHOOK_SIGNING_SECRET: SIGNING_SECRET,
          },
        },
      );
      assert.ok(SURVEY.includes(SERVICE_DESK), 'the example alerts the service desk');
      await applyJourney(wm.deps, WS, checkJourney(SURVEY.replace(SERVICE_DESK, deskUrl)));
      http = await startHttp(wm, { port, host: '127.0.0.1' });
    });
    after(async () => {
      await http?.close();
      await wm?.close();
      await peer?.close();
      await db?.drop();
      desk?.closeAllConnections();
      await new Promise((r) => desk?.close(r));
    });

    it('"2": the manager is alerted, the customer gets an apology and high-touch support', async () => {
      await served('u-low', 'Maria', '912 000 101', '+351912000101');
      await text('+351912000101', '2');

      assert.deepEqual(textsTo('+351912000101').slice(1), [
        'We are sorry, Maria. A manager will call you today.',
      ]);
      // One signed alert reached the service desk, with the customer's details.
      assert.equal(alerts.length, 1);
      const alert = alerts[0]!;
      assert.equal(
        verifyWebhookSignature(SIGNING_SECRET, alert.headers, alert.raw, 300, clock.now()),
        true,
      );
      const posted = JSON.parse(alert.raw.toString('utf8')) as Record<string, unknown>;
      assert.equal(posted.type, 'alert');
      assert.equal(posted.journeyId, 'survey');
      assert.equal(posted.nodeId, 'alert');
      assert.equal(posted.subject, 'Low survey score: Maria');
      assert.equal(
        posted.text,
        'Maria (912 000 101) scored the boiler repair 2 or less. Call today.',
      );

      const { view, run, trace } = await surveyRun('u-low');
      assert.equal(run.status, 'exited');
      assert.equal(view.profile.traits.high_touch, true);
      assert.deepEqual(view.lists, ['high-touch']);
      assert.ok(trace.some((t) => t.what === 'branch' && t.detail.includes('→ alert')));
      // The alert is in the outbox too, sent to the service desk (not to the customer).
      const outbox = await listOutbox(wm.deps, WS, { limit: 20, profile: view.profile.id });
      const row = outbox.items.find((m) => m.kind === 'alert');
      assert.equal(row?.status, 'sent');
      assert.match(row?.recipient ?? '', /\/service-desk$/);
    });

    it('"five stars": a thank-you, nothing else', async () => {
      const before = alerts.length;
      await served('u-high', 'João', '912 000 102', '+351912000102');
      await text('+351912000102', 'five stars');
      assert.deepEqual(textsTo('+351912000102').slice(1), ['Thank you, João! See you next time.']);
      const { view, run } = await surveyRun('u-high');
      assert.equal(run.status, 'exited');
      assert.equal(alerts.length, before, 'no alert');
      assert.equal(view.profile.traits.high_touch, undefined);
      assert.deepEqual(view.lists, []);
    });

    it('"3/5": the follow-up asking what would make it a 5', async () => {
      await served('u-mid', 'Rita', '912 000 103', '+351912000103');
      await text('+351912000103', '3/5');
      assert.deepEqual(textsTo('+351912000103').slice(1), [
        'Thanks, Rita. What would have made it a 5? Just reply here.',
      ]);
      const { view, run } = await surveyRun('u-mid');
      assert.equal(run.status, 'exited');
      assert.deepEqual(view.lists, []);
    });

    it('no answer in 3 days: one reminder, whose answer is routed the same way', async () => {
      await served('u-late', 'Ana', '912 000 104', '+351912000104');
      clock.advance(3 * DAY - 60_000);
      await wm.worker.drain();
      assert.equal(textsTo('+351912000104').length, 1, 'no reminder before 3 days');
      clock.advance(2 * 60_000);
      await wm.worker.drain();
      assert.deepEqual(textsTo('+351912000104').slice(1), [
        'Ana, one number from 1 to 5 tells us how your boiler repair went.',
      ]);
      assert.equal((await surveyRun('u-late')).run.status, 'waiting');
      await text('+351912000104', 'I would say 4');
      assert.deepEqual(textsTo('+351912000104').slice(2), ['Thank you, Ana! See you next time.']);
      assert.equal((await surveyRun('u-late')).run.status, 'exited');
    });

    it('no answer to the reminder either: the run ends after 2 more days, quietly', async () => {
      await served('u-silent', 'Rui', '912 000 105', '+351912000105');
      clock.advance(3 * DAY + 60_000);
      await wm.worker.drain();
      clock.advance(2 * DAY + 60_000);
      await wm.worker.drain();
      assert.equal(textsTo('+351912000105').length, 2, 'the survey and one reminder');
      const { run, trace } = await surveyRun('u-silent');
      assert.equal(run.status, 'exited');
      assert.ok(!trace.some((t) => t.what === 'branch'), 'never branched: no answer');
    });
  });
}
