// A broadcast to a real SMTP server, its sending worker killed with SIGKILL at random moments
// while a CPU hog loads the machine, restarted each time until every message is settled. Counted
// at the SMTP server: with the default (at most once) no recipient gets two emails, every one
// gets exactly one or is listed `unknown` in the outbox, and each kill leaves at most the
// channel's concurrency ambiguous. With SMTP_AFTER_CRASH=resend (at least once) nobody is left
// out, and a repeat is only ever a message the dead sender had in flight, with the same
// Message-ID. SQLite and, with DATABASE_URL, PostgreSQL; the worker is a real child process.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { ingest } from '../app/ingest.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import { journeyReport } from '../app/reports.ts';
import { parseCall } from '../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import {
  DEFAULT_SMTP_CONNECTIONS,
  SMTP_IN_FLIGHT_PER_CONNECTION,
} from '../channels/email/index.ts';
import { configFromEnv } from '../config.ts';
import type { MessageRow } from '../storage/store.ts';
import { testDatabases } from '../storage/testing.ts';
import { cpuHog, startWorker, until } from '../testing/processes.ts';
import { createWaymark, type Waymark } from '../waymark.ts';

const RECIPIENTS = 1_200;
const KILLS = 3;

const journey = `
schemaVersion: 1
id: voucher
name: Voucher
trigger: { type: broadcast, audience: { field: profile.traits.newsletter, op: eq, value: true } }
start: email
nodes:
  email: { type: send, channel: email, template: voucher, next: done }
  done: { type: exit }
templates:
  voucher: { subject: "Your voucher, {{ profile.traits.name }}", body: "Code for {{ profile.traits.name }}" }
`;

/** An SMTP server that counts, per recipient, the Message-IDs it accepted. */
async function startRelay() {
  const got = new Map<string, string[]>();
  let total = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        const head = Buffer.concat(parts).toString('latin1').split('\r\n\r\n', 1)[0] ?? '';
        const id = /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '?';
        for (const r of session.envelope.rcptTo) {
          got.set(r.address, [...(got.get(r.address) ?? []), id]);
          total += 1;
        }
        cb();
      });
    },
  });
  // A killed sender resets its connections: the server sees that as an error, and goes on.
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    got,
    total: () => total,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function emails(wm: Waymark): Promise<MessageRow[]> {
  const out: MessageRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await wm.store.messages.list(WS, { limit: 1000, cursor, channel: 'email' });
    out.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor);
  return out;
}

for (const db of testDatabases()) {
  for (const afterCrash of ['hold', 'resend'] as const) {
    describe(`a broadcast over SMTP, its sender killed ${KILLS} times under load (${db.name}, ${afterCrash})`, () => {
      it(
        afterCrash === 'hold'
          ? 'nobody gets two emails; everyone gets one or is listed unknown, at most the concurrency per kill'
          : 'everyone gets the email; a repeat is only a message in flight at a kill, with the same Message-ID',
        { timeout: 300_000 },
        async () => {
          const database = await db.create();
          const relay = await startRelay();
          const hog = cpuHog();
          const wm = await createWaymark(
            configFromEnv({}, { databaseUrl: database.url, role: 'api' }),
          );
          const env = {
            SMTP_URL: relay.url,
            EMAIL_FROM: 'Shop <shop@example.com>',
            ...(afterCrash === 'resend' ? { SMTP_AFTER_CRASH: 'resend' } : {}),
          };
          let worker: ChildProcess | null = null;
          try {
            const calls = [];
            for (let i = 0; i < RECIPIENTS; i += 1)
              calls.push(
                parseCall(
                  'identify',
                  {
                    userId: `u${i}`,
                    traits: { name: `User ${i}`, email: `u${i}@example.com`, newsletter: true },
                  },
                  '',
                ),
              );
            for (let i = 0; i < calls.length; i += 500)
              await ingest(wm.deps, WS, calls.slice(i, i + 500));
            // The profiles' traits are applied before the broadcast picks its audience (no
            // email channel in this process: nothing is sent from here).
            await wm.worker.drain();
            await applyJourney(wm.deps, WS, checkJourney(journey));

            const ambiguousPerKill: number[] = [];
            const ambiguousIds = new Set<string>();
            for (let k = 0; k < KILLS; k += 1) {
              worker = startWorker(database.url, { env, leaseMs: 2_000 });
              // A random moment while emails flow: after 1 to 25 % of the audience more.
              const more = 1 + Math.floor(Math.random() * RECIPIENTS * 0.25);
              const target = Math.min(relay.total() + more, RECIPIENTS - 50);
              await until('emails to flow', async () => relay.total() >= target, 120_000);
              worker.kill('SIGKILL');
              await once(worker, 'exit');
              worker = null;
              // What the store does not know the fate of: handed to the server, not recorded
              // (less what an earlier kill left that no worker has claimed again yet).
              const inFlight = (await emails(wm)).filter(
                (m) => m.status === 'sending' && m.attemptAt && !ambiguousIds.has(m.id),
              );
              for (const m of inFlight) ambiguousIds.add(m.id);
              ambiguousPerKill.push(inFlight.length);
              assert.ok(
                inFlight.length <= DEFAULT_SMTP_CONNECTIONS * SMTP_IN_FLIGHT_PER_CONNECTION,
                `kill ${k + 1}: ${inFlight.length} messages ambiguous, more than the concurrency`,
              );
            }
            worker = startWorker(database.url, { env, leaseMs: 2_000 });
            await until(
              'every email to be settled',
              async () => {
                const rows = await emails(wm);
                return (
                  rows.length === RECIPIENTS &&
                  rows.every((m) => m.status === 'sent' || m.status === 'unknown')
                );
              },
              180_000,
            );
            worker.kill('SIGTERM');
            await once(worker, 'exit');
            worker = null;

            const rows = await emails(wm);
            const unknown = new Set(
              rows.filter((m) => m.status === 'unknown').map((m) => m.recipient),
            );
            let duplicated = 0;
            let lost = 0;
            for (const m of rows) {
              const ids = relay.got.get(m.recipient!) ?? [];
              if (ids.length > 1) {
                duplicated += 1;
                assert.equal(new Set(ids).size, 1, `${m.recipient}: a repeat keeps its Message-ID`);
              }
              if (ids.length === 0 && !unknown.has(m.recipient)) lost += 1;
            }
            const ambiguous = ambiguousIds.size;
            console.log(
              `# ${db.name}, ${afterCrash}: ${KILLS} kills, ambiguous ${ambiguousPerKill.join('/')}, ` +
                `unknown ${unknown.size}, duplicated ${duplicated}, lost ${lost}`,
            );
            assert.equal(lost, 0, 'nobody left out unless listed unknown');
            if (afterCrash === 'hold') {
              assert.equal(duplicated, 0, 'nobody got two emails');
              assert.equal(unknown.size, ambiguous, 'exactly the ambiguous ones are unknown');
              const report = await journeyReport(wm.deps, WS, { journeyId: 'voucher' });
              const node = report.messages.find((m) => m.nodeId === 'email');
              assert.equal(node?.unknown, unknown.size, 'the report counts them');
              assert.equal(node?.sent, RECIPIENTS - unknown.size);
            } else {
              assert.equal(unknown.size, 0, 'nothing held');
              assert.ok(duplicated <= ambiguous, `${duplicated} repeats, ${ambiguous} in flight`);
            }
          } finally {
            worker?.kill('SIGKILL');
            hog.kill('SIGKILL');
            await wm.close();
            await relay.close();
            await database.drop();
          }
        },
      );
    });
  }
}
