// Scenario 5 end to end — the SMS survey as shipped in examples/journeys/survey.yaml, driven only
// through public interfaces on both backends: `service_completed` (Segment) → the SMS "how did we
// do? reply 1-5" through the local Twilio → the customer's answer comes back as Twilio's signed
// inbound webhook → the branch on the score: "2" alerts the service desk (a signed webhook),
// apologises and marks the profile for high-touch support; "five stars" thanks; "3/5" asks what
// would make it a 5. No answer in 3 days → one reminder, whose answer is routed the same way;
// no answer to it either → the run ends 2 days later, nothing more is sent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyWebhookSignature } from '../channels/webhook/index.ts';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, startScenario, WEBHOOK_SECRET, type Scenario } from './harness.ts';

const ZONE = 'Europe/Lisbon';
const SERVICE_DESK = 'https://hooks.example.com/service-desk';

interface ProfileView {
  profile: { traits: Record<string, unknown> };
  lists: string[];
  runs: Array<{ id: string; journeyId: string; status: string }>;
}

for (const kind of testDatabases()) {
  describe(`scenario 5: SMS survey, branch on the score (${kind.name})`, () => {
    let s: Scenario;

    /** The texts the customer received, oldest first. */
    const texts = (phone: string) => s.textsTo(phone).map((t) => t.item.body);

    /** A customer's service is completed: the survey SMS arrives at once. */
    async function served(user: string, name: string, phone: string, e164: string) {
      await s.segment('identify', { userId: user, traits: { phone, first_name: name } });
      await s.segment('track', {
        userId: user,
        event: 'service_completed',
        properties: { service: 'boiler repair' },
      });
      assert.deepEqual(texts(e164), [
        `Hi ${name}, how did we do with your boiler repair? Reply 1-5 (5 = great).`,
      ]);
    }

    async function surveyOf(user: string) {
      const view = (await s.admin<ProfileView>('GET', `/api/profiles/userId:${user}`)).body;
      const run = view.runs.find((r) => r.journeyId === 'survey')!;
      const { trace } = (
        await s.admin<{ trace: Array<{ what: string; detail: string }> }>(
          'GET',
          `/api/runs/${run.id}`,
        )
      ).body;
      return { view, run, trace };
    }

    before(async () => {
      // Tuesday 5 May 2026, 11:00 in Lisbon. Customers type national numbers.
      s = await startScenario(kind, {
        start: '2026-05-05T10:00:00Z',
        env: { SMS_DEFAULT_COUNTRY: 'PT' },
      });
      const survey = exampleJourney('survey.yaml');
      assert.ok(survey.includes(SERVICE_DESK), 'the example alerts the service desk');
      await s.publish(survey.replace(SERVICE_DESK, `${s.hookUrl}/service-desk`));
    });
    after(async () => {
      await s?.close();
    });

    it('"2": the service desk is alerted, the customer gets an apology and high-touch support', async () => {
      await served('u-low', 'Maria', '912 000 101', '+351912000101');
      assert.equal(s.localTime(ZONE, s.textsTo('+351912000101')[0]!.at), '2026-05-05 11:00');
      await s.text('+351912000101', '2');

      assert.deepEqual(texts('+351912000101').slice(1), [
        'We are sorry, Maria. A manager will call you today.',
      ]);
      // One signed alert reached the service desk at once, with the customer's details.
      assert.equal(s.hooks.length, 1);
      const alert = s.hooks[0]!;
      assert.equal(alert.item.path, '/service-desk');
      assert.equal(s.localTime(ZONE, alert.at), '2026-05-05 11:00');
      assert.equal(
        verifyWebhookSignature(WEBHOOK_SECRET, alert.item.headers, alert.item.raw, 300, s.now()),
        true,
      );
      assert.equal(alert.item.json.type, 'alert');
      assert.equal(alert.item.json.journeyId, 'survey');
      assert.equal(alert.item.json.subject, 'Low survey score: Maria');
      assert.equal(
        alert.item.json.text,
        'Maria (912 000 101) scored the boiler repair 2 or less. Call today.',
      );

      const { view, run, trace } = await surveyOf('u-low');
      assert.equal(run.status, 'exited');
      assert.equal(view.profile.traits.high_touch, true);
      assert.deepEqual(view.lists, ['high-touch']);
      assert.ok(trace.some((t) => t.what === 'branch' && t.detail.includes('→ alert')));
    });

    it('"five stars": a thank-you, nothing else', async () => {
      const before = s.hooks.length;
      await served('u-high', 'João', '912 000 102', '+351912000102');
      await s.text('+351912000102', 'five stars');
      assert.deepEqual(texts('+351912000102').slice(1), ['Thank you, João! See you next time.']);
      const { view, run } = await surveyOf('u-high');
      assert.equal(run.status, 'exited');
      assert.equal(s.hooks.length, before, 'no alert');
      assert.equal(view.profile.traits.high_touch, undefined);
      assert.deepEqual(view.lists, []);
    });

    it('"3/5": the follow-up asking what would make it a 5', async () => {
      await served('u-mid', 'Rita', '912 000 103', '+351912000103');
      await s.text('+351912000103', '3/5');
      assert.deepEqual(texts('+351912000103').slice(1), [
        'Thanks, Rita. What would have made it a 5? Just reply here.',
      ]);
      const { view, run } = await surveyOf('u-mid');
      assert.equal(run.status, 'exited');
      assert.deepEqual(view.lists, []);
    });

    it('no answer in 3 days: one reminder, whose answer is routed the same way', async () => {
      await served('u-late', 'Ana', '912 000 104', '+351912000104');
      const asked = s.textsTo('+351912000104')[0]!.at;
      await s.pass('P3D', { step: 'PT1H' });
      const [, reminder] = s.textsTo('+351912000104');
      assert.ok(reminder, 'the reminder');
      assert.equal(reminder.at - asked, 3 * 86_400_000, 'exactly 3 days later, not before');
      assert.equal(
        reminder.item.body,
        'Ana, one number from 1 to 5 tells us how your boiler repair went.',
      );
      assert.equal((await surveyOf('u-late')).run.status, 'waiting');
      await s.text('+351912000104', 'I would say 4');
      assert.deepEqual(texts('+351912000104').slice(2), ['Thank you, Ana! See you next time.']);
      assert.equal((await surveyOf('u-late')).run.status, 'exited');
    });

    it('no answer to the reminder either: the run ends after 2 more days, quietly', async () => {
      await served('u-silent', 'Rui', '912 000 105', '+351912000105');
      await s.pass('P5D', { step: 'PT12H' });
      assert.equal(texts('+351912000105').length, 2, 'the survey and one reminder');
      const { run, trace } = await surveyOf('u-silent');
      assert.equal(run.status, 'exited');
      assert.ok(!trace.some((t) => t.what === 'branch'), 'never branched: no answer');
      await s.pass('P3D', { step: 'P1D' });
      assert.equal(texts('+351912000105').length, 2, 'nothing more');
    });
  });
}
