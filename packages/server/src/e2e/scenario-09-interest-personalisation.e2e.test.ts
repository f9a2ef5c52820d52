// Scenario 9 end to end — interest personalisation, as shipped in
// examples/journeys/interest-personalisation.yaml, interest-cart-adds.yaml and
// low-score-live-chat.yaml, through HTTP only on both backends: a visitor's category views and
// cart adds (Segment page / track calls, as waymark.js or any Segment client sends them) become an
// interest profile; the third view of a category within 7 days puts the visitor on the category's
// list and sets its banner flag; the website asks GET /v1/personalize (with the write key, as the
// page does) and gets what to show; the anonymous history follows the visitor when they sign in;
// views older than 7 days stop counting; a low CX score makes the answer offer live chat.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth } from '../http/testing.ts';
import { testDatabases } from '../storage/testing.ts';
import { exampleJourney, startScenario, WRITE_KEY, type Scenario } from './harness.ts';

interface Personalisation {
  profile: { known: boolean };
  interests: Array<{ name: string; score: number }>;
  lists: string[];
  flags: Record<string, unknown>;
}

for (const kind of testDatabases()) {
  describe(`scenario 9: interest personalisation (${kind.name})`, () => {
    let s: Scenario;

    /** What the website learns about a visitor (`anonymousId=…` or `userId=…`). */
    async function personalize(query: string): Promise<Personalisation> {
      const res = await fetch(`${s.url}/v1/personalize?${query}`, {
        headers: { authorization: basicAuth(WRITE_KEY) },
      });
      assert.equal(res.status, 200);
      return (await res.json()) as Personalisation;
    }

    async function view(anonymousId: string, category: string): Promise<void> {
      await s.segment('page', {
        anonymousId,
        name: `${category} category`,
        category,
        properties: { url: `https://shop.example.com/c/${category}` },
      });
    }

    before(async () => {
      s = await startScenario(kind, { start: '2026-05-04T09:00:00Z' });
      for (const file of [
        'interest-personalisation.yaml',
        'interest-cart-adds.yaml',
        'low-score-live-chat.yaml',
      ])
        await s.publish(exampleJourney(file));
    });
    after(async () => {
      await s?.close();
    });

    it('a stranger gets nothing special', async () => {
      assert.deepEqual(await personalize('anonymousId=nobody'), {
        profile: { known: false },
        interests: [],
        lists: [],
        flags: {},
      });
    });

    it('the third view of a category in 7 days: the list and the banner', async () => {
      await view('visitor-1', 'Shoes');
      await s.pass('PT1H');
      await view('visitor-1', 'Shoes');
      await view('visitor-1', 'Bags');
      const two = await personalize('anonymousId=visitor-1');
      assert.deepEqual(two.interests, [
        { name: 'shoes', score: 2 },
        { name: 'bags', score: 1 },
      ]);
      assert.deepEqual([two.lists, two.flags], [[], {}], 'not yet');
      await s.pass('P2D');
      await view('visitor-1', 'Shoes');
      const three = await personalize('anonymousId=visitor-1');
      assert.equal(three.profile.known, true);
      assert.deepEqual(three.interests[0], { name: 'shoes', score: 3 });
      assert.deepEqual(three.lists, ['interest-shoes']);
      assert.deepEqual(three.flags, { show_shoes_banner: true });
    });

    it('a cart add weighs two views', async () => {
      // One more view of bags and a bag put in the cart: 1 + 1 + 2.
      await view('visitor-1', 'Bags');
      await s.segment('track', {
        anonymousId: 'visitor-1',
        event: 'Product Added',
        properties: { category: 'Bags', sku: 'B-77', price: 89 },
      });
      const p = await personalize('anonymousId=visitor-1');
      assert.deepEqual(p.interests, [
        { name: 'bags', score: 4 },
        { name: 'shoes', score: 3 },
      ]);
      assert.deepEqual([...p.lists].sort(), ['interest-bags', 'interest-shoes']);
      assert.deepEqual(p.flags, { show_shoes_banner: true, show_bags_banner: true });
    });

    it('signing in keeps the anonymous history', async () => {
      await s.segment('identify', {
        anonymousId: 'visitor-1',
        userId: 'ana',
        traits: { email: 'ana@example.com', first_name: 'Ana' },
      });
      const byUser = await personalize('userId=ana');
      assert.deepEqual(byUser, await personalize('anonymousId=visitor-1'));
      assert.deepEqual(byUser.flags, { show_shoes_banner: true, show_bags_banner: true });
    });

    it('views older than 7 days stop counting; the banner stays until a journey lifts it', async () => {
      // Shoes views on 4 May (two) and 6 May; bags on 4 and 6 May. On 12 May only the 6 May
      // views are in the window.
      await s.pass('P6D');
      const p = await personalize('userId=ana');
      assert.deepEqual(p.interests, [
        { name: 'bags', score: 3 },
        { name: 'shoes', score: 1 },
      ]);
      assert.deepEqual(p.flags, { show_shoes_banner: true, show_bags_banner: true });
    });

    it('a low CX score: the site offers live chat; a good one does not', async () => {
      await s.segment('track', {
        userId: 'ana',
        event: 'survey_answered',
        properties: { survey: 'nps', score: 2 },
      });
      const unhappy = await personalize('userId=ana');
      assert.equal(unhappy.flags.offer_live_chat, true);
      assert.ok(unhappy.lists.includes('high-touch'));

      await s.segment('identify', { userId: 'rui', traits: { email: 'rui@example.com' } });
      await s.segment('track', {
        userId: 'rui',
        event: 'survey_answered',
        properties: { survey: 'nps', score: 5 },
      });
      const happy = await personalize('userId=rui');
      assert.deepEqual([happy.lists, happy.flags], [[], {}]);
    });
  });
}
