// Kills a sending worker with SIGKILL after the provider received a message but before the result
// was committed, restarts it, and shows what the guarantee is. By default (at most once) that
// message is held as `unknown`, never sent again, and written on the run's history; with
// SMS_GATEWAY_AFTER_CRASH=resend (at least once) it goes out exactly once more, with the SAME
// idempotency key (a provider that honours the key sends it once). Every other message goes out
// exactly once; nothing is lost. The provider is a real local HTTP SMS gateway; the worker is a
// real child process. SQLite and, with DATABASE_URL, PostgreSQL.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { ingest } from '../app/ingest.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import { parseCall } from '../app/segment.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import { configFromEnv } from '../config.ts';
import type { MessageRow } from '../storage/store.ts';
import { testDatabases } from '../storage/testing.ts';
import { startWorker, until } from '../testing/processes.ts';
import { startRecordingPeer, type RecordedRequest } from '../testing/recording-peer.ts';
import { createWaymark, type Waymark } from '../waymark.ts';

const PROFILES = 40;
/** The recipient whose first request the gateway holds until the worker is killed. */
const VICTIM = 7;

const journey = `
schemaVersion: 1
id: notice
name: Notice
trigger: { type: event, event: notice }
start: sms
nodes:
  sms: { type: send, channel: sms, template: note, next: done }
  done: { type: exit }
templates:
  note: { channel: sms, body: "Your parcel is on its way" }
`;

const phone = (i: number): string => `+3519200${String(i).padStart(5, '0')}`;

/** The recipient of a request to the gateway. */
const toOf = (req: RecordedRequest): string => (req.json as { to: string }).to;
/** The idempotency key of a request to the gateway. */
const keyOf = (req: RecordedRequest): string => String(req.headers['idempotency-key']);
/** A gateway that holds the victim's first request and tells the test it arrived. */
async function startGateway() {
  let arrived!: () => void;
  const victimArrived = new Promise<void>((r) => (arrived = r));
  let held = false;
  let n = 0;
  const peer = await startRecordingPeer({
    routes: {
      '*': (req) => {
        // The provider has the message: a real one would send it now.
        if (toOf(req) === phone(VICTIM) && !held) {
          held = true;
          arrived();
          return new Promise<never>(() => undefined); // never answered
        }
        n += 1;
        return { body: { id: `gw-${n}` } };
      },
    },
  });
  return { url: `${peer.url}/sms`, requests: peer.requests, victimArrived, close: peer.close };
}

function worker(db: string, gateway: string, afterCrash?: string): ChildProcess {
  const env = {
    SMS_GATEWAY_URL: gateway,
    ...(afterCrash ? { SMS_GATEWAY_AFTER_CRASH: afterCrash } : {}),
  };
  return startWorker(db, { env, leaseMs: 2_000 });
}

async function sms(wm: Waymark): Promise<MessageRow[]> {
  return (await wm.store.messages.list(WS, { limit: 1000, channel: 'sms' })).items;
}

for (const db of testDatabases()) {
  describe(`sender killed with SIGKILL between the provider call and the commit (${db.name})`, () => {
    for (const afterCrash of ['hold', 'resend'] as const)
      it(
        afterCrash === 'hold'
          ? 'by default holds that message as unknown and never sends it again; every other one exactly once'
          : 'with afterCrash resend, sends that message once more with the same key; every other one exactly once',
        { timeout: 120_000 },
        async () => {
          const database = await db.create();
          const gateway = await startGateway();
          const wm = await createWaymark(
            configFromEnv({}, { databaseUrl: database.url, role: 'api' }),
          );
          try {
            await applyJourney(wm.deps, WS, checkJourney(journey));
            const calls = [];
            for (let i = 0; i < PROFILES; i += 1) {
              calls.push(
                parseCall('identify', { userId: `u${i}`, traits: { phone: phone(i) } }, ''),
              );
              calls.push(parseCall('track', { userId: `u${i}`, event: 'notice' }, ''));
            }
            await ingest(wm.deps, WS, calls);

            const mode = afterCrash === 'resend' ? 'resend' : undefined;
            const first = worker(database.url, gateway.url, mode);
            await gateway.victimArrived;
            // Every other message's result is committed; the victim's call is in flight.
            await until(
              'the other messages to be recorded',
              async () =>
                (await sms(wm)).filter((m) => m.status === 'sent').length === PROFILES - 1,
              30_000,
            );
            first.kill('SIGKILL');
            await once(first, 'exit');
            const victimRow = (await sms(wm)).find((m) => m.recipient === phone(VICTIM))!;
            assert.equal(
              victimRow.status,
              'sending',
              'the provider has it; our store does not know',
            );
            assert.equal(victimRow.attempts, 0);
            assert.ok(victimRow.attemptAt, 'the attempt was recorded before the call');

            const second = worker(database.url, gateway.url, mode);
            try {
              await until(
                'every message to be sent or held',
                async () =>
                  (await sms(wm)).every(
                    (m) => m.status === 'sent' || (afterCrash === 'hold' && m.status === 'unknown'),
                  ),
                60_000,
              );
            } finally {
              second.kill('SIGTERM');
              await once(second, 'exit');
            }

            const rows = await sms(wm);
            assert.equal(rows.length, PROFILES, 'one outbox row per send');
            if (afterCrash === 'hold') {
              const unknown = rows.filter((m) => m.status === 'unknown');
              assert.deepEqual(
                unknown.map((m) => m.recipient),
                [phone(VICTIM)],
                'only the message in flight is ambiguous',
              );
              assert.match(unknown[0]!.error ?? '', /may or may not have gone out/);
              const trace = await wm.store.runs.trace(WS, unknown[0]!.runId!);
              assert.ok(
                trace.some((t) => t.what === 'unknown' && t.node === 'sms'),
                'the run history says so',
              );
              assert.equal(gateway.requests.length, PROFILES, 'nothing twice, nothing lost');
              const keys = new Set(gateway.requests.map(keyOf));
              assert.equal(keys.size, PROFILES, 'each key requested once');
              return;
            }
            assert.ok(
              rows.every((m) => m.attempts === 1),
              'each row recorded once',
            );
            const perKey = new Map<string, number>();
            for (const r of gateway.requests) perKey.set(keyOf(r), (perKey.get(keyOf(r)) ?? 0) + 1);
            for (const row of rows) {
              const expected = row.recipient === phone(VICTIM) ? 2 : 1;
              assert.equal(perKey.get(row.idempotencyKey), expected, `${row.recipient} requests`);
            }
            const victimCalls = gateway.requests.filter((r) => toOf(r) === phone(VICTIM));
            assert.equal(victimCalls.length, 2, 'the victim once more, no more');
            assert.equal(
              keyOf(victimCalls[0]!),
              keyOf(victimCalls[1]!),
              'with the same idempotency key',
            );
            assert.equal(gateway.requests.length, PROFILES + 1, 'nothing else twice, nothing lost');
          } finally {
            await wm.close();
            await gateway.close();
            await database.drop();
          }
        },
      );
  });
}
