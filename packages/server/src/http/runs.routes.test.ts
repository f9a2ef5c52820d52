// Taking a profile off a journey over real HTTP: the waiting run ends as cancelled with who and
// why in its history and the audit log, its wait never fires (the SMS of scenario 7 is never
// sent), an ended run answers 409, and a viewer may not. SQLite and, with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../clock.ts';
import { firstAdmin, member, type Browser } from './access.fixtures.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';
import { basketRetargeting } from '../testing/journeys.ts';

const basket = basketRetargeting();

type RunBody = {
  run: { id: string; status: string; where: string };
  trace: Array<{ detail: string }>;
};

for (const backend of testDatabaseUrls()) {
  describe(`cancelling a run (${backend.name})`, () => {
    let server: TestServer;
    let clock: ManualClock;
    let editor: Browser;
    let viewer: Browser;

    before(async () => {
      clock = new ManualClock(Date.parse('2026-05-04T10:00:00Z'));
      server = await startTestServer(backend, { clock });
      const admin = await firstAdmin(server);
      editor = await member(server, admin, 'editor');
      viewer = await member(server, admin, 'viewer');
    });
    after(async () => {
      await server?.close();
    });

    it('ends the waiting run now: its wait never fires, and the history says who', async () => {
      assert.equal((await server.admin('PUT', '/api/journeys/basket', basket)).status, 200);
      await server.track('/v1/identify', {
        userId: 'ana',
        traits: { email: 'ana@example.com', phone: '+351912345678' },
      });
      await server.track('/v1/identify', {
        userId: 'bo',
        traits: { email: 'bo@example.com', phone: '+351912345679' },
      });
      await server.track('/v1/track', { userId: 'ana', event: 'cart_abandoned' });
      await server.track('/v1/track', { userId: 'bo', event: 'cart_abandoned' });
      await server.waymark.worker.drain();
      const profile = await server.admin<{ runs: Array<{ id: string; status: string }> }>(
        'GET',
        '/api/profiles/ana',
      );
      const [run] = profile.body.runs;
      assert.equal(run?.status, 'waiting');

      assert.equal((await viewer.call('POST', `/api/runs/${run!.id}/cancel`)).status, 403);
      const cancelled = await editor.call<RunBody>('POST', `/api/runs/${run!.id}/cancel`, {
        reason: 'asked us to stop',
      });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal(cancelled.body.run.status, 'exited');
      assert.match(
        cancelled.body.trace.at(-1)!.detail,
        /cancelled: asked us to stop \(by editor@example\.com\)/,
      );

      clock.advance(13 * 3_600_000);
      await server.waymark.worker.drain();
      const sms = await server.admin<{ items: Array<{ recipient: string }> }>(
        'GET',
        '/api/outbox?channel=sms',
      );
      assert.deepEqual(
        sms.body.items.map((m) => m.recipient),
        ['+351912345679'],
        "Bo's wait timed out into the SMS; Ana's never fired",
      );

      const again = await editor.call<{ error: { code: string } }>(
        'POST',
        `/api/runs/${run!.id}/cancel`,
      );
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'conflict');
      assert.equal((await editor.call('POST', '/api/runs/nope/cancel')).status, 404);
    });

    it('finds a profile by userId, email in any case, or phone as written', async () => {
      const search = async (q: string) =>
        (
          await viewer.call<{ items: Array<{ traits: { email: string } }> }>(
            'GET',
            `/api/profiles?q=${encodeURIComponent(q)}`,
          )
        ).body.items.map((p) => p.traits.email);
      assert.deepEqual(await search('ana'), ['ana@example.com']);
      assert.deepEqual(await search('BO@example.com'), ['bo@example.com']);
      assert.deepEqual(await search('+351912345679'), ['bo@example.com']);
      assert.deepEqual(await search('nobody@example.com'), []);
    });
  });
}
