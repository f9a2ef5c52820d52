// The official Segment client, @segment/analytics-node, pointed at Waymark: what it sends arrives
// as the profile's traits, identities and events. Runs on SQLite and, when DATABASE_URL is set,
// on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Analytics } from '@segment/analytics-node';
import type { getProfile, profileEvents } from '../app/profiles.ts';
import { startTestServer, testDatabaseUrls, TEST_WRITE_KEY, type TestServer } from './testing.ts';

type Profile = Awaited<ReturnType<typeof getProfile>>;
type Events = { items: Awaited<ReturnType<typeof profileEvents>> };

for (const backend of testDatabaseUrls()) {
  describe(`@segment/analytics-node client (${backend.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(backend);
    });
    after(() => server.close());

    it('delivers identify, track and page calls to the profile', async () => {
      const analytics = new Analytics({
        writeKey: TEST_WRITE_KEY,
        host: server.address,
        path: '/v1/batch',
        flushAt: 2,
        maxRetries: 0,
      });
      const statuses: number[] = [];
      const errors: unknown[] = [];
      analytics.on('http_response', (res) => statuses.push(res.status));
      analytics.on('error', (err) => errors.push(err));

      analytics.identify({
        userId: 'node-user',
        traits: { email: 'Ana@Example.com', first_name: 'Ana', plan: 'pro' },
      });
      analytics.track({
        userId: 'node-user',
        event: 'Order Completed',
        properties: { revenue: 42 },
      });
      analytics.page({ userId: 'node-user', name: 'Pricing', properties: { path: '/pricing' } });
      await analytics.closeAndFlush();

      assert.deepEqual(errors, []);
      assert.ok(statuses.length >= 1 && statuses.every((s) => s === 200), `${statuses}`);

      const profile = await server.admin<Profile>('GET', '/api/profiles/node-user');
      assert.equal(profile.status, 200);
      assert.equal(profile.body.profile.traits.first_name, 'Ana');
      assert.equal(profile.body.profile.traits.plan, 'pro');
      const byEmail = await server.admin<Profile>('GET', '/api/profiles/email:ana@example.com');
      assert.equal(byEmail.body.profile.id, profile.body.profile.id);

      const events = await server.admin<Events>('GET', '/api/profiles/node-user/events');
      const byName = new Map(events.body.items.map((e) => [e.name, e]));
      assert.deepEqual([...byName.keys()].sort(), ['Order Completed', 'identify', 'page']);
      assert.equal(byName.get('Order Completed')?.properties.revenue, 42);
      assert.equal(byName.get('page')?.properties.name, 'Pricing');
      // The client's library context is kept with each event.
      const library = byName.get('Order Completed')?.context.library as
        { name?: string } | undefined;
      assert.equal(library?.name, '@segment/analytics-node');
    });

    it('keeps concurrent first calls of a new user on one profile', async () => {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          server.track('/v1/track', { userId: 'racing-user', event: `Race ${i}` }),
        ),
      );
      const events = await server.admin<Events>('GET', '/api/profiles/racing-user/events');
      assert.equal(events.body.items.length, 8);
    });
  });
}
