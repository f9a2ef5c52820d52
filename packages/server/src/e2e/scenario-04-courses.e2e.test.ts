// Scenario 4 end to end — course material by text, as shipped in examples/journeys/courses.yaml,
// and its variant examples/journeys/product-how-to.yaml, driven only through public interfaces on
// both backends. Students text the keyword COURSE to our number (Twilio's signed inbound webhook)
// after an evening lecture → the slides link comes straight back, they join the course list
// (admin API), and the rest of the material follows on a timeline at 09:00 in their own zone;
// texting again does not restart it and other words start nothing. Variant: an order ships, the
// customer texts back that it arrived → the set-up video at once, tips at 10:00 three days on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, startScenario, type Scenario } from './harness.ts';

const LISBON = 'Europe/Lisbon';
const NEW_YORK = 'America/New_York';
const ANA = '+351912000501';
const RUI = '+351912000502';
const JOE = '+12125550503'; // a US number: its zone comes from the timezone trait
const EVA = '+351912000504';

for (const kind of testDatabases()) {
  describe(`scenario 4: courses (${kind.name})`, () => {
    let s: Scenario;

    async function lists(ref: string): Promise<string[]> {
      const res = await s.admin<{ lists: string[] }>('GET', `/api/profiles/${ref}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.lists;
    }

    const bodies = (phone: string) => s.textsTo(phone).map((t) => t.item.body);
    const times = (phone: string, zone: string) =>
      s.textsTo(phone).map((t) => s.localTime(zone, t.at));

    before(async () => {
      // Monday 4 May 2026, 21:30 in Lisbon: the lecture has just ended.
      s = await startScenario(kind, { start: '2026-05-04T20:30:00Z' });
      await s.publish(exampleJourney('courses.yaml'));
      await s.publish(exampleJourney('product-how-to.yaml'));
      // Joe is known already, with his zone.
      await s.segment('identify', {
        userId: 'joe',
        traits: { first_name: 'Joe', phone: JOE, timezone: NEW_YORK },
      });
    });
    after(async () => {
      await s?.close();
    });

    it('COURSE at 21:30: the slides link at once, and the student joins the course list', async () => {
      await s.text(ANA, 'COURSE');
      await s.text(JOE, 'Course please!');
      for (const phone of [ANA, JOE]) {
        const [slides, ...more] = s.textsTo(phone);
        assert.ok(slides, `${phone} got the slides`);
        assert.deepEqual(more, []);
        assert.equal(s.localTime(LISBON, slides.at), '2026-05-04 21:30', 'an answer: not held');
        assert.equal(
          slides.item.body,
          "Thanks for coming to Automation 101! Tonight's slides: https://courses.example.com/automation-101/slides-1.pdf",
        );
      }
      assert.deepEqual(await lists(`phone:${encodeURIComponent(ANA)}`), ['course-automation-101']);
      assert.deepEqual(await lists('userId:joe'), ['course-automation-101']);
    });

    it('other words start nothing; texting COURSE again does not restart the course', async () => {
      await s.text(EVA, 'hello, are the slides online?');
      assert.deepEqual(s.textsTo(EVA), []);
      assert.deepEqual(await lists(`phone:${encodeURIComponent(EVA)}`), []);
      await s.pass('PT30M');
      await s.text(ANA, 'course');
      assert.equal(s.textsTo(ANA).length, 1, 'no second slides text, no second timeline');
    });

    it('the material follows at 09:00 in each student’s zone: next morning, 2 days, a week', async () => {
      // Rui texts on Tuesday morning; everyone's timeline runs for two weeks.
      await s.pass('PT12H', { step: 'PT1H' }); // Tuesday 10:00 Lisbon
      await s.text(RUI, 'COURSE');
      await s.pass('P14D', { step: 'PT1H' });
      assert.deepEqual(times(ANA, LISBON), [
        '2026-05-04 21:30',
        '2026-05-05 09:00',
        '2026-05-07 09:00',
        '2026-05-14 09:00',
      ]);
      assert.match(bodies(ANA)[1]!, /^Good morning! The reading list/);
      assert.match(bodies(ANA)[2]!, /^Exercise 1: map one process/);
      assert.match(bodies(ANA)[3]!, /^The recording of lecture 2 is online: .* Reply STOP/);
      // Joe texted at 16:30 in New York: his mornings are New York's.
      assert.deepEqual(times(JOE, NEW_YORK), [
        '2026-05-04 16:30',
        '2026-05-05 09:00',
        '2026-05-07 09:00',
        '2026-05-14 09:00',
      ]);
      // Rui texted at 10:00 on Tuesday: the next 09:00 is Wednesday's.
      assert.deepEqual(times(RUI, LISBON), [
        '2026-05-05 10:00',
        '2026-05-06 09:00',
        '2026-05-08 09:00',
        '2026-05-15 09:00',
      ]);
      assert.deepEqual(s.textsTo(EVA), []);
    });
  });

  describe(`scenario 4, variant: how-to once the product has arrived (${kind.name})`, () => {
    let s: Scenario;

    async function ship(user: string, phone: string, name: string) {
      await s.segment('identify', { userId: user, traits: { first_name: name, phone } });
      await s.segment('track', {
        userId: user,
        event: 'order_shipped',
        properties: { product: 'espresso machine', sku: 'EM-200' },
      });
    }

    before(async () => {
      // Monday 4 May 2026, 11:00 in Lisbon.
      s = await startScenario(kind, { start: '2026-05-04T10:00:00Z' });
      await s.publish(exampleJourney('product-how-to.yaml'));
      await ship('ana', ANA, 'Ana');
      await ship('rui', RUI, 'Rui');
    });
    after(async () => {
      await s?.close();
    });

    it('confirmed by text: the set-up video at once, tips at 10:00 once three days have passed', async () => {
      for (const phone of [ANA, RUI]) {
        const [ask] = s.textsTo(phone);
        assert.match(ask!.item.body, /^Your espresso machine is on its way, \w+! Text YES/);
        assert.equal(s.localTime(LISBON, ask!.at), '2026-05-04 11:00');
      }
      await s.pass('P1DT7H', { step: 'PT1H' }); // Tuesday 18:00
      await s.text(ANA, 'Yes! It arrived this afternoon');
      const video = s.textsTo(ANA)[1]!;
      assert.equal(s.localTime(LISBON, video.at), '2026-05-05 18:00');
      assert.equal(
        video.item.body,
        'Welcome home, Ana! Setting up your espresso machine in 2 minutes: https://shop.example/how-to/EM-200',
      );
      await s.pass('P4D', { step: 'PT1H' });
      const texts = s.textsTo(ANA);
      assert.equal(texts.length, 3);
      // Tuesday 18:00 + 3 days is Friday 18:00: the next 10:00 is Saturday's.
      assert.equal(s.localTime(LISBON, texts[2]!.at), '2026-05-09 10:00');
      assert.match(
        texts[2]!.item.body,
        /^3 tips for your espresso machine: https:\/\/shop\.example\/tips\/EM-200/,
      );
    });

    it('"not yet": no video until the customer says it has arrived', async () => {
      // Rui has not answered so far (Saturday 18:00): only the question.
      assert.equal(s.textsTo(RUI).length, 1);
      await s.text(RUI, 'not yet');
      assert.deepEqual(
        s
          .textsTo(RUI)
          .map((t) => t.item.body)
          .slice(1),
        ['No problem — just text YES when it is there.'],
      );
      await s.pass('P1D', { step: 'PT6H' });
      await s.text(RUI, 'sim, já chegou');
      const texts = s.textsTo(RUI);
      assert.equal(texts.length, 3);
      assert.match(texts[2]!.item.body, /^Welcome home, Rui! Setting up your espresso machine/);
    });
  });
}
