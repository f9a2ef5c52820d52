import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { ingest } from '../app/ingest.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import { parseCall } from '../app/segment.ts';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import { configFromEnv } from '../config.ts';
import { testDatabases } from '../storage/testing.ts';
import { startWorker, until } from '../testing/processes.ts';
import { createWaymark, type Waymark } from '../waymark.ts';

const PROFILES = 1500;

const journey = `
schemaVersion: 1
id: welcome
name: Welcome
trigger: { type: event, event: signed_up }
start: hello
nodes:
  hello: { type: send, channel: email, template: hello, next: pause }
  pause: { type: wait, duration: 1s, next: again }
  again: { type: send, channel: email, template: again, next: done }
  done: { type: exit }
templates:
  hello: { subject: "Hi {{ profile.traits.name }}", body: "Welcome" }
  again: { subject: "Still there, {{ profile.traits.name }}?", body: "Tips" }
`;

async function counts(wm: Waymark): Promise<{ sent: number; attempts: number[]; rows: number }> {
  let cursor: string | undefined;
  let sent = 0;
  let rows = 0;
  const attempts: number[] = [];
  do {
    const page = await wm.store.messages.list(DEFAULT_WORKSPACE, { limit: 1000, cursor });
    for (const m of page.items) {
      rows += 1;
      if (m.status === 'sent') sent += 1;
      attempts.push(m.attempts);
    }
    cursor = page.next ?? undefined;
  } while (cursor);
  return { sent, attempts, rows };
}

for (const db of testDatabases()) {
  describe(`worker killed with SIGKILL mid-batch (${db.name})`, () => {
    it(
      'continues every run after restart and processes no outbox row twice',
      { timeout: 120_000 },
      async () => {
        const database = await db.create();
        const wm = await createWaymark(
          configFromEnv({}, { databaseUrl: database.url, role: 'api' }),
        );
        try {
          await applyJourney(wm.deps, DEFAULT_WORKSPACE, checkJourney(journey));
          const calls = [];
          for (let i = 0; i < PROFILES; i += 1) {
            calls.push(
              parseCall(
                'identify',
                { userId: `u${i}`, traits: { name: `User ${i}`, email: `u${i}@example.com` } },
                '',
              ),
            );
            calls.push(
              parseCall(
                'track',
                { userId: `u${i}`, event: 'signed_up', messageId: `signup-${i}` },
                '',
              ),
            );
          }
          for (let i = 0; i < calls.length; i += 500)
            await ingest(wm.deps, DEFAULT_WORKSPACE, calls.slice(i, i + 500));

          const first = startWorker(database.url, { small: true });
          await until('some messages', async () => (await counts(wm)).sent >= PROFILES / 3, 60_000);
          first.kill('SIGKILL');
          await once(first, 'exit');
          const atKill = await counts(wm);
          assert.ok(atKill.sent < PROFILES * 2, 'the kill must land before the work is done');

          const second = startWorker(database.url, { small: true });
          try {
            await until(
              'every run to finish',
              async () => (await counts(wm)).sent === PROFILES * 2,
              90_000,
            );
          } finally {
            second.kill('SIGTERM');
            await once(second, 'exit');
          }
          const after = await counts(wm);
          assert.equal(after.rows, PROFILES * 2, 'one outbox row per send, none duplicated');
          assert.ok(
            after.attempts.every((a) => a === 1),
            'every outbox row was processed exactly once',
          );
          for (let i = 0; i < PROFILES; i += 97) {
            const id = (
              await wm.store.profiles.resolve(DEFAULT_WORKSPACE, [
                { kind: 'userId', value: `u${i}` },
              ])
            ).get(`userId:u${i}`)!;
            const runs = await wm.store.runs.listForProfile(DEFAULT_WORKSPACE, id);
            assert.equal(runs.length, 1, `u${i} entered once`);
            assert.equal(runs[0]!.status, 'exited', `u${i} finished the journey`);
          }
        } finally {
          await wm.close();
          await database.drop();
        }
      },
    );
  });
}
