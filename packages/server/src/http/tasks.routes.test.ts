// Staff tasks over real HTTP, with a manager alert posted to a real local webhook receiver: the
// service-arrival scenario (alert + task), listing and overdue, a task with the customer's
// details, claim conflicts, completion moving the run down the right branch, and a second
// completion refused with nothing recorded twice. SQLite and, with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { listOutbox } from '../app/outbox.ts';
import type { getTask, listTasks } from '../app/tasks.ts';
import { derivedSigningSecret, verifyWebhookSignature } from '../channels/webhook/index.ts';
import { ManualClock } from '../clock.ts';
import { startRecordingPeer, type RecordingPeer } from '../testing/recording-peer.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

type Outbox = Awaited<ReturnType<typeof listOutbox>>;
type Tasks = { items: Awaited<ReturnType<typeof listTasks>> };
type TaskView = Awaited<ReturnType<typeof getTask>>;
type Task = TaskView['task'];

const HOUR = 3_600_000;
const START = Date.parse('2026-03-02T10:00:00.000Z');

const arrival = (receiver: string) => `
schemaVersion: 1
id: arrival
name: Service arrival
trigger: { type: event, event: delivery_problem }
start: alert
nodes:
  alert: { type: alert, channel: webhook, to: "${receiver}/alerts", template: manager, next: call }
  call: { type: task, team: service, title: Call the customer, due: 4h, next: wait }
  wait: { type: wait_for, task: { node: call }, timeout: 2d, onTimeout: done, next: route }
  route:
    type: branch
    cases:
      - when: { field: last.task.outcome, op: eq, value: resolved }
        next: thanks
    default: sorry
  thanks: { type: send, channel: email, template: thanks, next: done }
  sorry: { type: send, channel: email, template: sorry, next: done }
  done: { type: exit }
templates:
  manager:
    channel: webhook
    subject: Delivery problem
    body: "{{ profile.traits.name }} ({{ profile.traits.phone }}) says order {{ event.properties.order }} did not arrive"
  thanks: { channel: email, subject: Thanks, body: "Glad it is sorted, {{ profile.traits.name }}." }
  sorry: { channel: email, subject: Sorry, body: "We are sorry, {{ profile.traits.name }}." }
`;

for (const backend of testDatabaseUrls()) {
  describe(`tasks API (${backend.name})`, () => {
    const clock = new ManualClock(START);
    let receiver: RecordingPeer;
    let server: TestServer;

    before(async () => {
      receiver = await startRecordingPeer({ routes: { '*': { status: 204 } } });
      server = await startTestServer(backend, { clock });
      const applied = await server.admin('PUT', '/api/journeys/arrival', arrival(receiver.url));
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
    });
    after(async () => {
      await server.close();
      await receiver.close();
    });

    async function problem(userId: string, name: string): Promise<Task> {
      await server.track('/v1/identify', {
        userId,
        traits: { name, phone: '+351912000222', email: `${userId}@example.com` },
      });
      await server.track('/v1/track', {
        userId,
        event: 'delivery_problem',
        properties: { order: `B-${userId}` },
      });
      await server.waymark.worker.drain();
      const list = await server.admin<Tasks>('GET', '/api/tasks?team=service&status=open');
      const task = list.body.items.find((t) => t.title === 'Call the customer' && !seen.has(t.id));
      assert.ok(task, `a task for ${userId}`);
      seen.add(task.id);
      return task;
    }
    const seen = new Set<string>();

    async function emails(userId: string): Promise<string[]> {
      const page = await server.admin<Outbox>('GET', `/api/outbox?profile=userId:${userId}`);
      return page.body.items.filter((m) => m.channel === 'email').map((m) => m.template ?? '');
    }

    it("alerts the manager by signed webhook with the customer's details", async () => {
      await problem('ana', 'Ana');
      const alert = receiver.requests.find((h) => h.path === '/alerts');
      assert.ok(alert, 'the manager alert arrived');
      const secret = derivedSigningSecret(server.waymark.deps.secrets);
      assert.equal(
        verifyWebhookSignature(secret, alert.headers, alert.raw, 300, clock.now()),
        true,
      );
      const payload = JSON.parse(alert.raw.toString('utf8')) as Record<string, unknown>;
      assert.equal(payload.type, 'alert');
      assert.equal(payload.subject, 'Delivery problem');
      assert.equal(payload.text, 'Ana (+351912000222) says order B-ana did not arrive');
    });

    it("opens a task with the customer's details", async () => {
      const [task] = (await server.admin<Tasks>('GET', '/api/tasks?team=service')).body.items;
      assert.ok(task);
      const view = await server.admin<TaskView>('GET', `/api/tasks/${task.id}`);
      assert.equal(view.status, 200);
      assert.equal(view.body.task.id, task.id);
      assert.equal(view.body.task.escalatedAt, null);
      const customer = view.body.customer;
      assert.ok(customer);
      assert.deepEqual(
        [customer.traits.name, customer.traits.phone, customer.traits.email],
        ['Ana', '+351912000222', 'ana@example.com'],
      );
      assert.ok(customer.identities.some((i) => i.kind === 'userId' && i.value === 'ana'));
      const missing = await server.admin('GET', '/api/tasks/nope');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error?.details[0]?.path, 'id');
    });

    it('claims: one assignee at a time, with the field named on bad input', async () => {
      const [task] = (await server.admin<Tasks>('GET', '/api/tasks?team=service')).body.items;
      assert.ok(task);
      const claim = (assignee: unknown) =>
        server.admin<{ task: Task }>('POST', `/api/tasks/${task.id}/claim`, { assignee });
      const maria = await claim('maria');
      assert.equal(maria.status, 200);
      assert.deepEqual([maria.body.task.status, maria.body.task.assignee], ['claimed', 'maria']);
      assert.equal((await claim('maria')).status, 200, "claiming one's own task again is fine");
      const joao = await claim('joao');
      assert.equal(joao.status, 409);
      assert.match(joao.body.error?.message ?? '', /claimed by maria/);
      const bad = await claim('');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error?.details[0]?.path, 'body.assignee');
      const claimed = await server.admin<Tasks>('GET', '/api/tasks?status=claimed');
      assert.deepEqual(
        claimed.body.items.map((t) => t.id),
        [task.id],
      );
    });

    it('completing moves the run down the right branch; twice is a conflict, recorded once', async () => {
      const [task] = (await server.admin<Tasks>('GET', '/api/tasks?status=claimed')).body.items;
      assert.ok(task);
      const complete = (body: Record<string, unknown>) =>
        server.admin<{ task: Task }>('POST', `/api/tasks/${task.id}/complete`, body);
      const other = await complete({ outcome: 'resolved', by: 'joao' });
      assert.equal(other.status, 409, 'claimed by maria, not joao');
      const done = await complete({ outcome: 'resolved', note: 'courier found it', by: 'maria' });
      assert.equal(done.status, 200);
      assert.deepEqual(
        [done.body.task.status, done.body.task.outcome, done.body.task.note],
        ['done', 'resolved', 'courier found it'],
      );
      await server.waymark.worker.drain();
      assert.deepEqual(await emails('ana'), ['thanks']);

      const twice = await complete({ outcome: 'no_answer', by: 'maria' });
      assert.equal(twice.status, 409);
      await server.waymark.worker.drain();
      assert.deepEqual(await emails('ana'), ['thanks'], 'nothing sent twice');
      const view = await server.admin<TaskView>('GET', `/api/tasks/${task.id}`);
      assert.deepEqual(
        [view.body.task.outcome, view.body.task.note],
        ['resolved', 'courier found it'],
      );
      const reclaim = await server.admin('POST', `/api/tasks/${task.id}/claim`, { assignee: 'x' });
      assert.equal(reclaim.status, 409);
    });

    it('another outcome takes the default branch', async () => {
      const task = await problem('ben', 'Ben');
      const done = await server.admin('POST', `/api/tasks/${task.id}/complete`, {
        outcome: 'no_answer',
      });
      assert.equal(done.status, 200);
      await server.waymark.worker.drain();
      assert.deepEqual(await emails('ben'), ['sorry']);
    });

    it('lists overdue tasks (not done, past due)', async () => {
      const task = await problem('cleo', 'Cleo');
      const none = await server.admin<Tasks>('GET', '/api/tasks?overdue=true');
      assert.deepEqual(none.body.items, []);
      clock.advance(4 * HOUR + 1);
      const overdue = await server.admin<Tasks>('GET', '/api/tasks?overdue=true&team=service');
      assert.deepEqual(
        overdue.body.items.map((t) => t.id),
        [task.id],
      );
      const doneOnly = await server.admin<Tasks>('GET', '/api/tasks?overdue=true&status=done');
      assert.deepEqual(doneOnly.body.items, []);
      const bad = await server.admin('GET', '/api/tasks?overdue=soon');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error?.details[0]?.path, 'query.overdue');
    });
  });
}
