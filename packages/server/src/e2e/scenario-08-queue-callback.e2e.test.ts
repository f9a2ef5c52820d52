// Scenario 8 end to end — queue-abandon recovery, as shipped in
// examples/journeys/queue-callback.yaml, driven only through public interfaces on both backends:
// `call_abandoned` (Segment) → 5 minutes → a voice callback through the local Twilio: the CENTRE
// is called first, the agent hears the whisper and the customer's number is dialled (the TwiML
// Twilio fetches) → bridged: nothing more; the centre or the customer did not answer, or the call
// failed: the SMS fallback. A call completed in those 5 minutes means no call at all, and a
// customer who hangs up after closing time is called back when the centre opens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallScenario } from '../channels/twilio/testing/twilio-peer.ts';
import { readTwiml } from '../channels/twilio/testing/twilio-peer.ts';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, OUR_NUMBER, startScenario, type Scenario } from './harness.ts';

const ZONE = 'Europe/Lisbon';
const CENTRE = '+351210000000';
const MISSED = (name: string) =>
  `Sorry we missed you, ${name}. We tried to call you back about your billing question. Call us on 210 000 000, 09:00-20:00.`;

for (const kind of testDatabases()) {
  describe(`scenario 8: queue-abandon recovery (${kind.name})`, () => {
    let s: Scenario;

    async function abandon(
      user: string,
      name: string,
      phone: string,
      properties: Record<string, unknown> = { queue: 'billing', waited_seconds: 240 },
    ): Promise<void> {
      await s.segment('identify', { userId: user, traits: { phone, first_name: name } });
      await s.segment('track', {
        userId: user,
        event: 'call_abandoned',
        properties: { caller: phone, ...properties },
      });
    }

    /** The callbacks placed for `phone` (the customer travels in the TwiML URL, signed). */
    function callsFor(phone: string) {
      return s.calls().filter((c) => new URL(c.item.url).searchParams.get('customer') === phone);
    }

    const runOf = (user: string) => s.runOf(user, 'queue-callback');

    before(async () => {
      // Tuesday 5 May 2026, 10:00 in Lisbon (WEST, UTC+1).
      s = await startScenario(kind, { start: '2026-05-05T09:00:00Z' });
      await s.publish(exampleJourney('queue-callback.yaml'));
    });
    after(async () => {
      await s?.close();
    });

    it('after 5 minutes the centre is called; the agent hears the whisper; the customer is bridged', async () => {
      await abandon('ana', 'Ana', '+351912000801');
      await s.pass('PT4M', { step: 'PT1M' });
      assert.deepEqual(callsFor('+351912000801'), [], 'no call before 5 minutes');
      await s.pass('PT1M');
      const [call, ...more] = callsFor('+351912000801');
      assert.ok(call, 'the callback was placed');
      assert.deepEqual(more, []);
      assert.equal(s.localTime(ZONE, call.at), '2026-05-05 10:05');
      assert.equal(call.item.to, CENTRE, 'the centre is called first');
      assert.equal(call.item.from, OUR_NUMBER);

      await s.peer.simulateCall(call.item.sid, 'bridged');
      await s.settle();
      // What Twilio played to the agent: the whisper, then <Dial> the customer from our number.
      const twiml = readTwiml(s.peer.call(call.item.sid).twiml ?? '');
      assert.equal(
        twiml.say,
        'Callback for Ana, who hung up after 4 minutes in the billing queue. Connecting now.',
      );
      assert.equal(twiml.dial?.number, '+351912000801');
      assert.equal(twiml.dial?.callerId, OUR_NUMBER);

      await s.pass('PT2H', { step: 'PT30M' });
      assert.deepEqual(s.textsTo('+351912000801'), [], 'bridged: no SMS');
      assert.equal((await runOf('ana'))?.status, 'exited');
    });

    const failures: Array<[CallScenario, string, string, string]> = [
      ['agent-no-answer', 'rui', 'Rui', '+351912000802'],
      ['customer-no-answer', 'eva', 'Eva', '+351912000803'],
      ['failed', 'joao', 'João', '+351912000804'],
    ];
    for (const [scenario, user, name, phone] of failures)
      it(`${scenario}: the SMS fallback at once, one call only`, async () => {
        await abandon(user, name, phone);
        await s.pass('PT5M');
        const [call] = callsFor(phone);
        assert.ok(call, 'the callback was placed');
        await s.peer.simulateCall(call.item.sid, scenario);
        await s.settle();
        const texts = s.textsTo(phone);
        assert.equal(texts.length, 1, 'one SMS');
        assert.equal(texts[0]!.item.body, MISSED(name));
        assert.equal(texts[0]!.at, call.at, 'at once');
        await s.pass('PT2H', { step: 'PT30M' });
        assert.equal(callsFor(phone).length, 1, 'never called twice');
        assert.equal(s.textsTo(phone).length, 1);
        assert.equal((await runOf(user))?.status, 'exited');
      });

    it('a call completed within the 5 minutes: no call is placed at all, no SMS', async () => {
      await abandon('rita', 'Rita', '+351912000805');
      await s.pass('PT3M', { step: 'PT1M' });
      // She called again and got through.
      await s.segment('track', {
        userId: 'rita',
        event: 'call_completed',
        properties: { queue: 'billing', duration_seconds: 310 },
      });
      await s.pass('PT2H', { step: 'PT5M' });
      assert.deepEqual(callsFor('+351912000805'), []);
      assert.deepEqual(s.textsTo('+351912000805'), []);
      const run = await runOf('rita');
      assert.equal(run?.status, 'exited');
      const history = await s.admin<{ trace: Array<{ node: string | null }> }>(
        'GET',
        `/api/runs/${run!.id}`,
      );
      assert.ok(
        !history.body.trace.some((t) => t.node === 'callback'),
        'the run never reached the callback',
      );
    });

    it('hung up after closing time on Saturday: called back on Monday at 09:00', async () => {
      // Saturday 9 May, 19:58 local: the 5 minutes end after 20:00, and Sunday is closed.
      const gap = Date.parse('2026-05-09T18:58:00Z') - s.now();
      await s.admin('POST', '/api/clock', { advance: `PT${gap / 1000}S`, settle: true });
      assert.equal(s.localTime(ZONE), '2026-05-09 19:58');
      // The centre's system sent only the caller's number this time.
      await abandon('tiago', 'Tiago', '+351912000806', {});
      await s.pass('PT2M'); // 20:00: closed
      await s.pass('P1DT13H', { step: 'PT30M' }); // Monday 09:00
      const calls = callsFor('+351912000806');
      assert.equal(calls.length, 1);
      assert.equal(s.localTime(ZONE, calls[0]!.at), '2026-05-11 09:00');
      await s.peer.simulateCall(calls[0]!.item.sid, 'bridged');
      assert.equal(
        readTwiml(s.peer.call(calls[0]!.item.sid).twiml ?? '').say,
        'Callback for Tiago, who hung up in the support queue. Connecting now.',
      );
      await s.pass('PT2H');
      assert.deepEqual(s.textsTo('+351912000806'), []);
    });
  });
}
