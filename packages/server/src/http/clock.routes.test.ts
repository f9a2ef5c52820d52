// The server's clock over HTTP: reading it, moving a manual clock (WAYMARK_CLOCK=manual) so a
// waiting run comes due at once, and the errors when the clock cannot or may not move.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClockView } from '../app/clock.ts';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

const START = Date.parse('2026-05-01T09:00:00Z');
const [sqlite] = testDatabaseUrls();

describe('WAYMARK_CLOCK', () => {
  it('reads system, manual, and manual at a given time; anything else names the variable', () => {
    assert.deepEqual(configFromEnv({}).clock, { kind: 'system' });
    assert.equal(configFromEnv({ WAYMARK_CLOCK: 'manual' }).clock.kind, 'manual');
    assert.deepEqual(configFromEnv({ WAYMARK_CLOCK: 'manual:2026-05-01T09:00:00Z' }).clock, {
      kind: 'manual',
      start: START,
    });
    assert.throws(() => configFromEnv({ WAYMARK_CLOCK: 'manual:someday' }), /WAYMARK_CLOCK/);
    assert.throws(() => configFromEnv({ WAYMARK_CLOCK: 'fast' }), /WAYMARK_CLOCK/);
  });
});

describe('/api/clock on a manual clock', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(sqlite!, { clock: new ManualClock(START) });
    server.waymark.worker.start();
  });
  after(async () => {
    await server.close();
  });

  it('moves the clock and what came due runs at once', async () => {
    const journey = {
      schemaVersion: 1,
      id: 'nap',
      name: 'Nap',
      trigger: { type: 'event', event: 'nap' },
      start: 'sleep',
      nodes: {
        sleep: { type: 'wait', duration: 'P1D', next: 'wake' },
        wake: { type: 'update_profile', set: { awake: true }, next: 'done' },
        done: { type: 'exit' },
      },
    };
    assert.equal((await server.admin('PUT', '/api/journeys/nap', journey)).status, 200);
    assert.equal((await server.track('/v1/track', { userId: 'ana', event: 'nap' })).status, 200);
    const traits = async (): Promise<Record<string, unknown>> =>
      (
        await server.admin<{ profile: { traits: Record<string, unknown> } }>(
          'GET',
          '/api/profiles/userId:ana',
        )
      ).body.profile.traits;

    const read = await server.admin<ClockView>('GET', '/api/clock');
    assert.deepEqual(read.body, {
      now: '2026-05-01T09:00:00.000Z',
      epochMs: START,
      kind: 'manual',
    });
    // Twelve hours: still asleep.
    const half = await server.admin<ClockView>('POST', '/api/clock', { advance: 'PT12H' });
    assert.equal(half.body.now, '2026-05-01T21:00:00.000Z');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await traits()).awake, undefined);
    // To the next morning: the wait is over.
    const moved = await server.admin<ClockView>('POST', '/api/clock', {
      to: '2026-05-02T09:00:00Z',
    });
    assert.equal(moved.body.epochMs, START + 86_400_000);
    const deadline = Date.now() + 5_000;
    while ((await traits()).awake !== true) {
      assert.ok(Date.now() < deadline, 'the run woke after the clock moved');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('refuses to go back, bad durations and ambiguous bodies, naming the field', async () => {
    const back = await server.admin<{ error: { code: string; details: Array<{ path: string }> } }>(
      'POST',
      '/api/clock',
      { to: '2020-01-01T00:00:00Z' },
    );
    assert.equal(back.status, 400);
    assert.equal(back.body.error.details[0]?.path, 'body.to');
    const bad = await server.admin<{ error: { details: Array<{ path: string }> } }>(
      'POST',
      '/api/clock',
      { advance: 'soon' },
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0]?.path, 'body.advance');
    const both = await server.admin('POST', '/api/clock', { advance: 'P1D', to: '2030-01-01' });
    assert.equal(both.status, 400);
  });
});

describe('/api/clock on the system clock', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(sqlite!);
  });
  after(async () => {
    await server.close();
  });

  it('reads it and refuses to move it (409, saying how to get a manual clock)', async () => {
    const read = await server.admin<ClockView>('GET', '/api/clock');
    assert.equal(read.body.kind, 'system');
    assert.ok(Math.abs(read.body.epochMs - Date.now()) < 5_000);
    const move = await server.admin<{ error: { details: Array<{ message: string }> } }>(
      'POST',
      '/api/clock',
      { advance: 'P1D' },
    );
    assert.equal(move.status, 409);
    assert.match(move.body.error.details[0]!.message, /WAYMARK_CLOCK=manual/);
  });
});

describe('/api/settle and { settle: true } with the worker loop running', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(sqlite!, { clock: new ManualClock(START), role: 'all' });
  });
  after(async () => {
    await server.close();
  });

  it('answers once what came due has run: events, then timers after the clock moved', async () => {
    const journey = {
      schemaVersion: 1,
      id: 'chain',
      name: 'Chain',
      trigger: { type: 'event', event: 'start' },
      start: 'first',
      nodes: {
        first: { type: 'update_profile', set: { step: 1 }, next: 'sleep' },
        sleep: { type: 'wait', duration: 'PT2H', next: 'second' },
        second: { type: 'update_profile', set: { step: 2 }, next: 'done' },
        done: { type: 'exit' },
      },
    };
    assert.equal((await server.admin('PUT', '/api/journeys/chain', journey)).status, 200);
    const step = async (user: string): Promise<unknown> =>
      (
        await server.admin<{ profile: { traits: Record<string, unknown> } }>(
          'GET',
          `/api/profiles/userId:${user}`,
        )
      ).body.profile.traits.step;
    // Many profiles at once, so the loop needs several rounds: no polling, settle waits for all.
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    for (const userId of users)
      assert.equal((await server.track('/v1/track', { userId, event: 'start' })).status, 200);
    const settled = await server.admin<ClockView>('POST', '/api/settle');
    assert.equal(settled.status, 200);
    for (const u of users) assert.equal(await step(u), 1);

    const early = await server.admin<ClockView>('POST', '/api/clock', {
      advance: 'PT1H59M',
      settle: true,
    });
    assert.equal(early.body.now, '2026-05-01T10:59:00.000Z');
    assert.equal(await step('u0'), 1);
    await server.admin<ClockView>('POST', '/api/clock', { advance: 'PT1M', settle: true });
    for (const u of users) assert.equal(await step(u), 2);
  });
});

describe('/api/settle without a worker in the process', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(sqlite!);
  });
  after(async () => {
    await server.close();
  });

  it('is a 409 naming the role', async () => {
    const res = await server.admin<{ error: { details: Array<{ path: string }> } }>(
      'POST',
      '/api/settle',
    );
    assert.equal(res.status, 409);
    assert.equal(res.body.error.details[0]?.path, 'role');
  });
});
