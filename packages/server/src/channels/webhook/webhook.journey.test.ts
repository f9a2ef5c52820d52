// A webhook node end to end: the engine writes the call, the delivery engine sends it through the
// webhook adapter to a real local receiver, and the answer comes back to the run as an outcome
// (`delivered` with `{ status, body }`, or `failed`), which the journey branches on. SQLite and,
// with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ingest } from '../../app/ingest.ts';
import { applyJourney, checkJourney } from '../../app/journeys.ts';
import { listOutbox } from '../../app/outbox.ts';
import { parseCall, type CallType } from '../../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../../app/workspaces.ts';
import { ManualClock } from '../../clock.ts';
import { configFromEnv } from '../../config.ts';
import { testDatabases, type TestDatabase } from '../../storage/testing.ts';
import { startRecordingPeer, type RecordingPeer } from '../../testing/recording-peer.ts';
import { createWaymark, type Waymark } from '../../waymark.ts';
import { verifyWebhookSignature } from './index.ts';

const SECRET = 'whsec_journey_test_secret';

const journey = (url: string) => `
schemaVersion: 1
id: credit
name: Credit check
trigger: { type: event, event: loan_requested }
start: check
nodes:
  check:
    type: webhook
    url: "${url}/check"
    body: { user: "{{ profile.traits.email }}", amount: "{{ trigger.properties.amount }}" }
    next: answer
  answer:
    type: wait_for
    outcome: { node: check, is: [delivered, failed] }
    timeout: 1h
    onTimeout: manual
    next: route
  route:
    type: branch
    cases:
      - when:
          all:
            - { field: last.data.status, op: eq, value: 200 }
            - { field: last.data.body.approved, op: eq, value: true }
        next: offer
      - when: { field: last.outcome, op: eq, value: failed }
        next: manual
    default: decline
  offer: { type: send, channel: email, template: offer, next: done }
  decline: { type: send, channel: email, template: decline, next: done }
  manual: { type: send, channel: email, template: manual, next: done }
  done: { type: exit }
templates:
  offer: { channel: email, subject: Offer, body: "Up to {{ profile.traits.email }}" }
  decline: { channel: email, subject: Declined, body: "No" }
  manual: { channel: email, subject: Manual, body: "We will call" }
`;

for (const kind of testDatabases()) {
  describe(`webhook node in a journey (${kind.name})`, () => {
    let receiver: RecordingPeer;
    let db: TestDatabase;
    let wm: Waymark;
    const clock = new ManualClock(Date.parse('2026-05-05T09:00:00Z'));

    before(async () => {
      receiver = await startRecordingPeer();
      db = await kind.create();
      wm = await createWaymark(
        configFromEnv({}, { databaseUrl: db.url, role: 'worker', timezone: 'UTC' }),
        { clock, env: { WEBHOOK_SIGNING_SECRET: SECRET } },
      );
      await applyJourney(wm.deps, WS, checkJourney(journey(receiver.url)));
    });
    after(async () => {
      await wm.close();
      await db.drop();
      await receiver.close();
    });

    async function send(type: CallType, body: Record<string, unknown>): Promise<void> {
      const call = { timestamp: new Date(clock.now()).toISOString(), ...body };
      await ingest(wm.deps, WS, [parseCall(type, call, '')]);
      await wm.worker.drain();
    }

    async function request(user: string, amount: number): Promise<string[]> {
      await send('identify', { userId: user, traits: { email: `${user}@example.com` } });
      await send('track', { userId: user, event: 'loan_requested', properties: { amount } });
      await wm.worker.drain();
      const page = await listOutbox(wm.deps, WS, { limit: 50, profile: `userId:${user}` });
      return page.items.filter((m) => m.channel === 'email').map((m) => m.template ?? '');
    }

    it('branches on a field of the JSON answer', async () => {
      receiver.routes['*'] = (req) => ({
        body: { approved: (req.json as { amount: number }).amount < 5000 },
      });
      assert.deepEqual(await request('ana', 1000), ['offer']);
      const last = receiver.requests.at(-1)!;
      assert.deepEqual(JSON.parse(last.raw.toString('utf8')), {
        user: 'ana@example.com',
        amount: 1000,
      });
      assert.equal(verifyWebhookSignature(SECRET, last.headers, last.raw, 300, clock.now()), true);
      assert.deepEqual(await request('ben', 9000), ['decline']);
    });

    it('a permanent failure reaches the run as failed', async () => {
      receiver.routes['*'] = { status: 422, body: { error: 'unknown customer' } };
      assert.deepEqual(await request('cleo', 1000), ['manual']);
    });
  });
}
