// Journey drafts over real HTTP, as the editor uses them: a new journey starts as a draft, saves
// go revision by revision, a second tab saving on an old revision is answered 409 naming who
// saved, an invalid draft cannot be published, a valid one becomes a live version, and a viewer
// may read but not save. SQLite and, with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browser, firstAdmin, member, type Browser } from './access.fixtures.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

/** Scenario 7's journey as the canvas saves it (before and after its SMS is filled in). */
const basket = (sms: Record<string, unknown>) => ({
  schemaVersion: 1,
  id: 'basket',
  name: 'Basket retargeting',
  trigger: { type: 'event', event: 'cart_abandoned' },
  start: 'email',
  nodes: {
    email: { type: 'send', channel: 'email', template: 'basket_email', next: 'wait' },
    wait: {
      type: 'wait_for',
      outcome: { node: 'email', is: ['opened'] },
      timeout: 'PT12H',
      next: 'done',
      onTimeout: 'sms',
    },
    sms: { type: 'send', channel: 'sms', next: 'done', ...sms },
    done: { type: 'exit' },
  },
  policies: { sendWindows: { sms: { start: '09:00', end: '21:00' } } },
  templates: {
    basket_email: { channel: 'email', subject: 'Your basket', html: '<p>Still yours</p>' },
    basket_sms: { channel: 'sms', body: 'Your basket is waiting' },
  },
});

type Draft = { document: Record<string, unknown>; revision: number; updatedBy: unknown };

for (const backend of testDatabaseUrls()) {
  describe(`journey drafts (${backend.name})`, () => {
    let server: TestServer;
    let admin: Browser;
    let secondTab: Browser;
    let viewer: Browser;

    before(async () => {
      server = await startTestServer(backend);
      admin = await firstAdmin(server);
      secondTab = Object.assign(browser(server.address), {
        cookie: admin.cookie,
        csrf: admin.csrf,
      });
      viewer = await member(server, admin, 'viewer');
    });
    after(async () => {
      await server?.close();
    });

    it('a new journey is a draft: saved revision by revision, listed before it is published', async () => {
      assert.equal((await admin.call('GET', '/api/journeys/basket/draft')).status, 404);
      const first = await admin.call<{ revision: number }>('PUT', '/api/journeys/basket/draft', {
        document: basket({}),
        layout: { email: { x: 0, y: 120 } },
        baseRevision: 0,
      });
      assert.equal(first.status, 200);
      assert.equal(first.body.revision, 1);
      const read = await admin.call<Draft>('GET', '/api/journeys/basket/draft');
      assert.equal(read.body.revision, 1);
      assert.deepEqual(read.body.document, basket({}));
      assert.deepEqual(read.body.updatedBy, {
        id: (read.body.updatedBy as { id: string }).id,
        email: 'admin@example.com',
      });
      const list = await admin.call<{ items: Array<{ id: string; status: string }> }>(
        'GET',
        '/api/journeys',
      );
      assert.deepEqual(
        list.body.items.filter((j) => j.id === 'basket').map((j) => j.status),
        ['draft'],
      );
    });

    it('a save on an older revision (a second tab) is refused, naming who saved since', async () => {
      const mine = await admin.call('PUT', '/api/journeys/basket/draft', {
        document: basket({ template: 'basket_sms' }),
        baseRevision: 1,
      });
      assert.equal(mine.status, 200);
      const stale = await secondTab.call<{ error: { code: string; message: string } }>(
        'PUT',
        '/api/journeys/basket/draft',
        { document: basket({}), baseRevision: 1 },
      );
      assert.equal(stale.status, 409);
      assert.equal(stale.body.error.code, 'conflict');
      assert.match(stale.body.error.message, /changed elsewhere by admin@example\.com at /);
      const kept = await admin.call<Draft>('GET', '/api/journeys/basket/draft');
      assert.equal(kept.body.revision, 2);
      assert.deepEqual(kept.body.document, basket({ template: 'basket_sms' }));
    });

    it('an invalid draft is not published; a valid one becomes the live version', async () => {
      await admin.call('PUT', '/api/journeys/basket/draft', {
        document: basket({}),
        baseRevision: 2,
      });
      const refused = await admin.call<{
        error: { code: string; details: Array<{ path: string }> };
      }>('POST', '/api/journeys/basket/draft/publish', { revision: 3 });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.error.code, 'invalid_journey');
      assert.ok(refused.body.error.details.some((d) => d.path.startsWith('nodes.sms')));

      await admin.call('PUT', '/api/journeys/basket/draft', {
        document: basket({ template: 'basket_sms' }),
        baseRevision: 3,
      });
      const old = await admin.call('POST', '/api/journeys/basket/draft/publish', { revision: 3 });
      assert.equal(old.status, 409);
      const published = await admin.call<{ version: number; changed: boolean }>(
        'POST',
        '/api/journeys/basket/draft/publish',
        { revision: 4, note: 'first version' },
      );
      assert.equal(published.status, 200);
      assert.deepEqual(published.body, { version: 1, changed: true });
      const journey = await admin.call<{ journey: { status: string; publishedVersion: number } }>(
        'GET',
        '/api/journeys/basket',
      );
      assert.equal(journey.body.journey.status, 'live');
      assert.equal(journey.body.journey.publishedVersion, 1);
      const audit = await admin.call<{ items: Array<{ action: string; detail: unknown }> }>(
        'GET',
        '/api/audit',
      );
      const entry = audit.body.items.find((e) => e.action === 'journey.published');
      assert.deepEqual(entry?.detail, { version: 1, note: 'first version' });
    });

    it('a journey without a draft answers its latest version as revision 0', async () => {
      const put = await admin.call('PUT', '/api/journeys/welcome', {
        ...basket({ template: 'basket_sms' }),
        id: 'welcome',
        name: 'Welcome',
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const draft = await admin.call<Draft>('GET', '/api/journeys/welcome/draft');
      assert.equal(draft.body.revision, 0);
      assert.equal(draft.body.document.name, 'Welcome');
      assert.equal(draft.body.updatedBy, null);
    });

    it('shows what the draft changes against the published version, field by field', async () => {
      const draft = await admin.call<Draft>('GET', '/api/journeys/basket/draft');
      const document = basket({ template: 'basket_sms' }) as Record<string, unknown> & {
        nodes: Record<string, Record<string, unknown>>;
      };
      document.nodes.wait!.timeout = 'PT6H';
      delete document.nodes.sms;
      document.nodes.wait!.onTimeout = 'done';
      await admin.call('PUT', '/api/journeys/basket/draft', {
        document,
        baseRevision: draft.body.revision,
      });
      const diff = await admin.call<{
        nodes: { removed: string[]; changed: Array<{ id: string; fields: unknown[] }> };
        edges: { removed: unknown[] };
        same: boolean;
      }>('GET', '/api/journeys/basket/diff');
      assert.equal(diff.status, 200);
      assert.deepEqual(diff.body.nodes.removed, ['sms']);
      assert.deepEqual(diff.body.nodes.changed, [
        {
          id: 'wait',
          fields: [
            { path: 'onTimeout', before: 'sms', after: 'done' },
            { path: 'timeout', before: 'PT12H', after: 'PT6H' },
          ],
        },
      ]);
      assert.deepEqual(diff.body.edges.removed, [
        { from: 'sms', field: 'next', to: 'done' },
        { from: 'wait', field: 'onTimeout', to: 'sms' },
      ]);
      const none = await admin.call<{ same: boolean }>(
        'GET',
        '/api/journeys/basket/diff?from=1&to=1',
      );
      assert.equal(none.body.same, true);
      assert.equal((await admin.call('GET', '/api/journeys/basket/diff?from=9')).status, 404);
    });

    it('simulates a document on a virtual clock: the route and the messages, nothing sent', async () => {
      const sim = await viewer.call<{
        profiles: Array<{
          ref: string;
          route: Array<{ what: string }>;
          messages: Array<{ channel: string; local: string; to: string }>;
        }>;
      }>('POST', '/api/journeys/basket/simulate', {
        document: basket({ template: 'basket_sms' }),
        traits: { email: 'ana@example.com', phone: '+351912345678', timezone: 'UTC' },
        script: { start: '2026-05-04T08:00:00Z', steps: [{ track: 'cart_abandoned' }] },
      });
      assert.equal(sim.status, 200, JSON.stringify(sim.body));
      const [ana] = sim.body.profiles;
      assert.equal(ana?.ref, 'userId:simulated');
      assert.deepEqual(
        ana?.messages.map((m) => [m.channel, m.to, m.local]),
        [
          ['email', 'ana@example.com', '2026-05-04 08:00'],
          ['sms', '+351912345678', '2026-05-04 20:00'],
        ],
      );
      const outbox = await admin.call<{ items: unknown[] }>('GET', '/api/outbox');
      assert.equal(outbox.body.items.length, 0, 'a simulation sends nothing');
      const bad = await viewer.call<{ error: { details: Array<{ path: string }> } }>(
        'POST',
        '/api/journeys/basket/simulate',
        { script: { start: '2026-05-04T08:00:00Z', steps: [{}] } },
      );
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.details[0]!.path, /^script\.steps\.0/);
    });

    it('a viewer reads drafts but cannot save or publish them', async () => {
      assert.equal((await viewer.call('GET', '/api/journeys/basket/draft')).status, 200);
      const save = await viewer.call('PUT', '/api/journeys/basket/draft', {
        document: basket({}),
        baseRevision: 5,
      });
      assert.equal(save.status, 403);
      const publish = await viewer.call('POST', '/api/journeys/basket/draft/publish', {
        revision: 4,
      });
      assert.equal(publish.status, 403);
    });

    it('a draft belongs to its journey: another id in the document is refused', async () => {
      const wrong = await admin.call<{ error: { details: Array<{ path: string }> } }>(
        'PUT',
        '/api/journeys/basket/draft',
        { document: { ...basket({}), id: 'other' }, baseRevision: 5 },
      );
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error.details[0]?.path, 'body.document.id');
    });
  });
}
