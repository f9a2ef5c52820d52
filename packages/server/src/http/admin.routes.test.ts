// The admin API over real HTTP: validation errors naming node and field, a journey applied and
// triggered by a tracked event, the run visible on the profile and the message in the outbox,
// versions, enrolment, lists and tasks. Runs on SQLite and, when DATABASE_URL is set, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { getJourney, listJourneys } from '../app/journeys.ts';
import type { listOutbox } from '../app/outbox.ts';
import type { listTasks } from '../app/tasks.ts';
import type { getProfile, runHistory, RunView } from '../app/profiles.ts';
import { ManualClock } from '../clock.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

type Profile = Awaited<ReturnType<typeof getProfile>>;
type Outbox = Awaited<ReturnType<typeof listOutbox>>;
type Journey = Awaited<ReturnType<typeof listJourneys>>[number];
type JourneyView = Awaited<ReturnType<typeof getJourney>>;
type Tasks = { items: Awaited<ReturnType<typeof listTasks>> };
type Task = Tasks['items'][number];

const HOUR = 3_600_000;
// A Monday, 10:00 UTC.
const START = Date.parse('2026-03-02T10:00:00.000Z');

const cart = (subject: string) => `
schemaVersion: 1
id: cart
name: Cart recovery
trigger: { type: event, event: cart_abandoned }
start: email
nodes:
  email: { type: send, channel: email, template: cart-email, next: wait-open }
  wait-open:
    type: wait_for
    outcome: { node: email, is: [opened] }
    timeout: 12h
    next: thanks
    onTimeout: sms
  thanks: { type: exit, reason: opened }
  sms: { type: send, channel: sms, template: cart-sms, next: done }
  done: { type: exit }
templates:
  cart-email:
    channel: email
    subject: "{{ profile.traits.first_name }}, ${subject}"
    body: "You left {{ trigger.properties.items }} items in your basket."
  cart-sms: { channel: sms, body: "Hello [[[first_name]]], your basket is waiting." }
`;

const collection = {
  schemaVersion: 1,
  id: 'collect',
  name: 'Collection call',
  trigger: { type: 'manual' },
  start: 'call',
  nodes: {
    call: {
      type: 'task',
      team: 'collection',
      title: 'Call about the invoice',
      due: '1d',
      next: 'wait-call',
    },
    'wait-call': {
      type: 'wait_for',
      task: { node: 'call' },
      timeout: '2d',
      next: 'done',
      onTimeout: 'done',
    },
    done: { type: 'exit' },
  },
};

for (const backend of testDatabaseUrls()) {
  describe(`admin API (${backend.name})`, () => {
    const clock = new ManualClock(START);
    let server: TestServer;
    before(async () => {
      server = await startTestServer(backend, { clock });
    });
    after(() => server.close());

    const identify = (userId: string, traits: Record<string, unknown>) =>
      server.track('/v1/identify', { userId, traits });

    it('answers 401 without the admin token, or with another key', async () => {
      const none = await fetch(`${server.address}/api/journeys`);
      assert.equal(none.status, 401);
      assert.match(
        ((await none.json()) as { error: { message: string } }).error.message,
        /admin token/,
      );
      const writeKey = await fetch(`${server.address}/api/journeys`, {
        headers: { authorization: 'Bearer wk_test_write_key' },
      });
      assert.equal(writeKey.status, 401);
    });

    it('rejects a broken journey with 422 naming each node and field', async () => {
      const broken = `
schemaVersion: 1
id: broken
name: Broken
trigger: { type: event, event: signed_up }
start: welcome
nodes:
  welcome: { type: send, channel: email, template: nope, next: nowhere }
`;
      const res = await server.admin('POST', '/api/journeys/validate', broken);
      assert.equal(res.status, 422);
      assert.equal(res.body.error?.code, 'invalid_journey');
      const byPath = new Map(res.body.error?.details.map((d) => [d.path, d]));
      assert.match(byPath.get('nodes.welcome.next')?.message ?? '', /"nowhere"/);
      assert.match(byPath.get('nodes.welcome.template')?.message ?? '', /"nope"/);
      assert.match(res.body.error?.message ?? '', /nodes\.welcome\.next: /);

      const notADocument = await server.admin('POST', '/api/journeys/validate', 42);
      assert.equal(notADocument.status, 400);
      assert.equal(notADocument.body.error?.details[0]?.path, 'body');
    });

    it('validates a good journey from YAML or JSON without saving it', async () => {
      const res = await server.admin<{ ok: true; definition: { id: string }; warnings: unknown[] }>(
        'POST',
        '/api/journeys/validate',
        cart('your basket is waiting'),
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.ok, true);
      assert.equal(res.body.definition.id, 'cart');
      assert.ok(Array.isArray(res.body.warnings));
      const json = await server.admin('POST', '/api/journeys/validate', collection);
      assert.equal(json.status, 200);
      assert.equal((await server.admin('GET', '/api/journeys/cart')).status, 404);
    });

    it('saves drafts, applies with id checks, pauses, resumes and archives', async () => {
      const draft = await server.admin<{ journey: Journey; version: number }>(
        'POST',
        '/api/journeys',
        collection,
      );
      assert.equal(draft.status, 201);
      assert.equal(draft.body.version, 1);
      assert.equal(draft.body.journey.status, 'draft');

      const mismatch = await server.admin('PUT', '/api/journeys/other-id', collection);
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.error?.details[0]?.path, 'body.id');

      const published = await server.admin<{ journey: Journey }>(
        'POST',
        '/api/journeys/collect/publish',
        {},
      );
      assert.equal(published.status, 200);
      assert.equal(published.body.journey.status, 'live');
      assert.equal(published.body.journey.publishedVersion, 1);

      const paused = await server.admin<{ journey: Journey }>(
        'POST',
        '/api/journeys/collect/pause',
      );
      assert.equal(paused.body.journey.status, 'paused');
      const resumed = await server.admin<{ journey: Journey }>(
        'POST',
        '/api/journeys/collect/resume',
      );
      assert.equal(resumed.body.journey.status, 'live');
      const archived = await server.admin<{ journey: Journey }>(
        'POST',
        '/api/journeys/collect/archive',
      );
      assert.equal(archived.body.journey.status, 'archived');
      const back = await server.admin<{ journey: Journey }>('POST', '/api/journeys/collect/resume');
      assert.equal(back.body.journey.status, 'live', 'resuming an archived journey makes it live');

      const missing = await server.admin('POST', '/api/journeys/nope/publish');
      assert.equal(missing.status, 404);
      const badVersion = await server.admin('POST', '/api/journeys/collect/publish', {
        version: 'two',
      });
      assert.equal(badVersion.status, 400);
      assert.equal(badVersion.body.error?.details[0]?.path, 'body.version');
    });

    it('keeps an unchanged document on its version when applied again', async () => {
      const again = await server.admin<{ changed: boolean; version: number }>(
        'PUT',
        '/api/journeys/collect',
        collection,
      );
      assert.deepEqual([again.status, again.body.changed, again.body.version], [200, false, 1]);
    });

    it('runs a journey from a tracked event to a rendered message; new versions leave runs alone', async () => {
      const applied = await server.admin<{ journey: Journey; version: number; changed: boolean }>(
        'PUT',
        '/api/journeys/cart',
        cart('your basket is waiting'),
      );
      assert.equal(applied.status, 200);
      assert.deepEqual(
        [applied.body.version, applied.body.changed, applied.body.journey.status],
        [1, true, 'live'],
      );

      await identify('ana', {
        email: 'ana@example.com',
        first_name: 'Ana',
        timezone: 'Europe/Lisbon',
      });
      const tracked = await server.track('/v1/track', {
        userId: 'ana',
        event: 'cart_abandoned',
        properties: { items: 3 },
      });
      assert.equal(tracked.status, 200);
      await server.waymark.worker.drain();

      const profile = await server.admin<Profile>('GET', '/api/profiles/ana');
      const [run] = profile.body.runs;
      assert.ok(run, 'the event started a run');
      assert.equal(run.journeyId, 'cart');
      assert.equal(run.version, 1);
      assert.equal(run.status, 'waiting');
      assert.match(run.where, /opened/);
      assert.match(run.where, /Europe\/Lisbon/);

      const outbox = await server.admin<Outbox>('GET', '/api/outbox?profile=ana&channel=email');
      assert.equal(outbox.status, 200);
      const [message] = outbox.body.items;
      assert.ok(message, 'the email is in the outbox');
      assert.equal(message.recipient, 'ana@example.com');
      assert.equal(message.content.subject, 'Ana, your basket is waiting');
      assert.equal(message.content.body, 'You left 3 items in your basket.');
      assert.deepEqual([message.runId, message.nodeId, message.status], [run.id, 'email', 'sent']);
      const byRun = await server.admin<Outbox>('GET', `/api/outbox?run=${run.id}`);
      assert.deepEqual(
        byRun.body.items.map((m) => m.id),
        [message.id],
      );

      const history = await server.admin<Awaited<ReturnType<typeof runHistory>>>(
        'GET',
        `/api/runs/${run.id}`,
      );
      assert.equal(history.status, 200);
      assert.ok(history.body.trace.some((t) => t.node === 'email'));

      // Version 2: new entrants follow it; Ana's run stays on version 1.
      const v2 = await server.admin<{ version: number }>(
        'PUT',
        '/api/journeys/cart',
        cart('still waiting (v2)'),
      );
      assert.equal(v2.body.version, 2);
      await identify('bob', {
        email: 'bob@example.com',
        phone: '+351910000000',
        first_name: 'Bob',
      });
      await server.track('/v1/track', {
        userId: 'bob',
        event: 'cart_abandoned',
        properties: { items: 1 },
      });
      await server.waymark.worker.drain();

      const bob = await server.admin<Profile>('GET', '/api/profiles/bob');
      assert.equal(bob.body.runs[0]?.version, 2);
      const bobMail = await server.admin<Outbox>(
        'GET',
        '/api/outbox?profile=email:bob@example.com',
      );
      assert.equal(bobMail.body.items[0]?.content.subject, 'Bob, still waiting (v2)');

      const journey = await server.admin<JourneyView>('GET', '/api/journeys/cart');
      assert.deepEqual(
        journey.body.versions.map((v) => v.version),
        [1, 2],
      );
      assert.equal(journey.body.journey.publishedVersion, 2);

      // Ana opens the email: her run goes on along version 1 and exits at `thanks`.
      const opened = await server.admin('POST', `/api/messages/${message.id}/outcomes`, {
        type: 'opened',
      });
      assert.equal(opened.status, 200);
      const after = await server.admin<{ run: RunView }>('GET', `/api/runs/${run.id}`);
      assert.equal(after.body.run.version, 1);
      assert.equal(after.body.run.status, 'exited');
      assert.match(after.body.run.where, /thanks/);

      // Bob does not open his: after 12 h the SMS goes out.
      clock.advance(13 * HOUR);
      await server.waymark.worker.drain();
      const sms = await server.admin<Outbox>('GET', '/api/outbox?profile=bob&channel=sms');
      assert.equal(sms.body.items[0]?.recipient, '+351910000000');
      assert.equal(sms.body.items[0]?.content.body, 'Hello Bob, your basket is waiting.');

      const list = await server.admin<{ items: Journey[] }>('GET', '/api/journeys');
      assert.ok(list.body.items.some((j) => j.id === 'cart' && j.publishedVersion === 2));
    });

    it('takes an inbound SMS and starts the keyword journey for its sender', async () => {
      const slides = {
        schemaVersion: 1,
        id: 'slides',
        name: 'Slides',
        trigger: { type: 'inbound', channel: 'sms', to: '+351300000001', keyword: 'SLIDES' },
        start: 'reply',
        nodes: {
          reply: {
            type: 'send',
            channel: 'sms',
            template: 't',
            to: 'trigger.properties.from',
            next: 'done',
          },
          done: { type: 'exit' },
        },
        templates: { t: { body: 'Slides: https://example.com/s' } },
      };
      assert.equal((await server.admin('PUT', '/api/journeys/slides', slides)).status, 200);
      const inbound = {
        from: '+351 966 000 111',
        to: '+351300000001',
        body: 'slides pls',
        messageId: 'SMx',
      };
      const first = await server.admin<{ profileId: string; duplicate: boolean }>(
        'POST',
        '/api/inbound',
        inbound,
      );
      assert.equal(first.status, 200);
      assert.equal(first.body.duplicate, false);
      const again = await server.admin<{ duplicate: boolean }>('POST', '/api/inbound', inbound);
      assert.equal(again.body.duplicate, true, 'a retried webhook is stored once');
      await server.waymark.worker.drain();
      const sent = await server.admin<Outbox>('GET', '/api/outbox?profile=phone:%2B351966000111');
      assert.deepEqual(
        sent.body.items.map((m) => [m.recipient, m.content.body]),
        [['+351966000111', 'Slides: https://example.com/s']],
      );
      const bad = await server.admin<{ error: { details: Array<{ path: string }> } }>(
        'POST',
        '/api/inbound',
        { to: 'x', body: '' },
      );
      assert.equal(bad.status, 400);
      assert.ok(bad.body.error.details.some((d) => d.path === 'body.from'));
    });

    it('enrols by hand, and completing the task moves the run on', async () => {
      await server.admin('PUT', '/api/journeys/collect', collection);
      await identify('carla', { email: 'carla@example.com' });
      const noProfile = await server.admin('POST', '/api/journeys/collect/enrol', {});
      assert.equal(noProfile.status, 400);
      assert.equal(noProfile.body.error?.details[0]?.path, 'body.profile');

      const enrolled = await server.admin<{ run: RunView }>('POST', '/api/journeys/collect/enrol', {
        profile: 'email:carla@example.com',
        data: { invoice: 'INV-7' },
      });
      assert.equal(enrolled.status, 201);
      assert.equal(enrolled.body.run.journeyId, 'collect');
      assert.equal(typeof enrolled.body.run.where, 'string');
      await server.waymark.worker.drain();

      const tasks = await server.admin<Tasks>('GET', '/api/tasks?team=collection&status=open');
      const task = tasks.body.items.find((t) => t.runId === enrolled.body.run.id);
      assert.ok(task, 'the task is open for the collection team');
      assert.equal(task.title, 'Call about the invoice');

      const done = await server.admin<{ task: Task }>('POST', `/api/tasks/${task.id}/complete`, {
        outcome: 'paid',
        by: 'maria',
      });
      assert.equal(done.status, 200);
      assert.deepEqual(
        [done.body.task.status, done.body.task.outcome, done.body.task.assignee],
        ['done', 'paid', 'maria'],
      );
      const twice = await server.admin('POST', `/api/tasks/${task.id}/complete`, {
        outcome: 'paid',
      });
      assert.equal(twice.status, 409);
      await server.waymark.worker.drain();
      const run = await server.admin<{ run: RunView }>('GET', `/api/runs/${enrolled.body.run.id}`);
      assert.equal(run.body.run.status, 'exited');

      const badStatus = await server.admin('GET', '/api/tasks?status=bogus');
      assert.equal(badStatus.status, 400);
      assert.equal(badStatus.body.error?.details[0]?.path, 'query.status');
    });

    it('adds to and removes from lists', async () => {
      await identify('dan', { email: 'dan@example.com' });
      const added = await server.admin('POST', '/api/lists/vip/members', { profile: 'dan' });
      assert.deepEqual([added.status, added.body], [200, { ok: true }]);
      assert.deepEqual((await server.admin<Profile>('GET', '/api/profiles/dan')).body.lists, [
        'vip',
      ]);
      const removed = await server.admin('DELETE', '/api/lists/vip/members/email:dan@example.com');
      assert.equal(removed.status, 200);
      assert.deepEqual((await server.admin<Profile>('GET', '/api/profiles/dan')).body.lists, []);
      const nobody = await server.admin('POST', '/api/lists/vip/members', { profile: 'nobody' });
      assert.equal(nobody.status, 404);
    });

    it('pages profiles and events, and names bad query fields', async () => {
      type Page = { items: Array<{ id: string }>; next: string | null };
      const first = await server.admin<Page>('GET', '/api/profiles?limit=2');
      assert.equal(first.body.items.length, 2);
      assert.ok(first.body.next);
      const second = await server.admin<Page>(
        'GET',
        `/api/profiles?limit=2&cursor=${encodeURIComponent(first.body.next)}`,
      );
      assert.equal(second.status, 200);
      assert.ok(second.body.items.every((p) => !first.body.items.some((q) => q.id === p.id)));

      for (let i = 0; i < 3; i += 1)
        await server.track('/v1/track', { userId: 'eve', event: `Step ${i}` });
      type Events = { items: Array<{ name: string }>; next: number | null };
      const newest = await server.admin<Events>('GET', '/api/profiles/eve/events?limit=2');
      assert.deepEqual(
        newest.body.items.map((e) => e.name),
        ['Step 2', 'Step 1'],
      );
      const older = await server.admin<Events>(
        'GET',
        `/api/profiles/eve/events?limit=2&before=${newest.body.next}`,
      );
      assert.deepEqual(
        older.body.items.map((e) => e.name),
        ['Step 0'],
      );
      assert.equal(older.body.next, null);

      const bad = await server.admin('GET', '/api/profiles?limit=abc');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error?.details[0]?.path, 'query.limit');
      assert.equal((await server.admin('GET', '/api/profiles/nobody')).status, 404);
      assert.equal((await server.admin('GET', '/api/runs/nope')).status, 404);
      const unknownOutcome = await server.admin('POST', '/api/messages/nope/outcomes', {
        type: 'liked',
      });
      assert.equal(unknownOutcome.body.error?.details[0]?.path, 'body.type');
    });
  });
}
