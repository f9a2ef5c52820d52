// The security log through a real Fastify server and pino writing to a real stream: one `warn`
// line per refused request with the source IP, route and reason (never the secret); at most
// `perSource` lines a window per source, the rest told in one `… more suppressed` line when the
// window ends, at the next event, or when the server closes. Then the whole HTTP edge
// (`buildHttp`) at its default level: a wrong write key and a missing admin token, one line each.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { ManualClock } from '../clock.ts';
import type { LogLevel } from '../config.ts';
import { OTHER_SOURCES, registerSecurityLog, securityEvent } from './security-log.ts';
import type { SecurityLogOptions } from './security-log.ts';
import { buildHttp } from './server.ts';
import { basicAuth, startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

/** A parsed pino line. */
interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const WARN = 40;

/** A stream pino writes to; its lines, parsed. */
function logSink(): { stream: Writable; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { stream, lines, text: () => text };
}

/** A Fastify server whose one route refuses every request as a bad write key. */
async function refusingServer(o: { level?: LogLevel; options?: SecurityLogOptions } = {}) {
  const sink = logSink();
  const app = Fastify({ logger: { level: o.level ?? 'warn', stream: sink.stream } });
  registerSecurityLog(app, o.options);
  app.post('/v1/track', async (request, reply) => {
    securityEvent(request, { kind: 'key_refused', key: 'write', reason: 'unknown write key' });
    return reply.code(401).send({ error: 'unauthorized' });
  });
  await app.ready();
  return {
    app,
    ...sink,
    refuse: async (ip: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/track?utm=1',
        remoteAddress: ip,
        headers: { authorization: basicAuth('wk_wrong_secret') },
      });
      assert.equal(res.statusCode, 401);
    },
  };
}

const refusals = (lines: LogLine[], ip?: string) =>
  lines.filter((l) => l.msg === 'write key refused' && (ip === undefined || l.ip === ip));
const summaries = (lines: LogLine[]) =>
  lines.filter((l) => l.event === 'security_events_suppressed');

describe('security log', () => {
  it('logs a refused request once at warn: source IP, route without query, reason', async () => {
    const s = await refusingServer();
    await s.refuse('203.0.113.7');
    assert.equal(s.lines.length, 1);
    const [line] = s.lines;
    assert.equal(line!.level, WARN);
    assert.equal(line!.msg, 'write key refused');
    assert.equal(line!.event, 'write_key_refused');
    assert.equal(line!.ip, '203.0.113.7');
    assert.equal(line!.route, 'POST /v1/track');
    assert.equal(line!.reason, 'unknown write key');
    assert.doesNotMatch(s.text(), /wk_wrong_secret|authorization/i);
    await s.app.close();
    assert.equal(s.lines.length, 1, 'nothing suppressed: no summary at close');
  });

  it('is silent below its level (WAYMARK_LOG_LEVEL=error)', async () => {
    const s = await refusingServer({ level: 'error' });
    for (let i = 0; i < 20; i += 1) await s.refuse('203.0.113.7');
    await s.app.close();
    assert.deepEqual(s.lines, []);
  });

  it('holds a flood from one source to N lines a window, then tells how many it held back', async () => {
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));
    const s = await refusingServer({ options: { perSource: 5, windowMs: 60_000, clock } });
    for (let i = 0; i < 100; i += 1) {
      await s.refuse('198.51.100.1');
      clock.advance(100); // 100 requests in 10 s: one window
    }
    // Another source in the same minute has lines of its own.
    await s.refuse('198.51.100.2');
    assert.equal(refusals(s.lines, '198.51.100.1').length, 5);
    assert.equal(refusals(s.lines, '198.51.100.2').length, 1);
    assert.equal(summaries(s.lines).length, 0, 'the window is still open');

    // The minute is over: the next event first tells what the window held back.
    clock.advance(60_000);
    await s.refuse('198.51.100.1');
    const summary = summaries(s.lines);
    assert.equal(summary.length, 1);
    assert.equal(summary[0]!.level, WARN);
    assert.equal(summary[0]!.ip, '198.51.100.1');
    assert.equal(summary[0]!.suppressed, 95);
    assert.equal(summary[0]!.msg, '95 more security events from 198.51.100.1 suppressed');
    assert.equal(s.lines.at(-1)!.msg, 'write key refused', 'then the new window logs again');
    assert.equal(refusals(s.lines, '198.51.100.1').length, 6);
    await s.app.close();
    assert.equal(summaries(s.lines).length, 1, 'the new window held nothing back');
  });

  it('tells what an open window held back when the server closes', async () => {
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));
    const s = await refusingServer({ options: { perSource: 3, clock } });
    for (let i = 0; i < 10; i += 1) await s.refuse('198.51.100.9');
    assert.equal(s.lines.length, 3);
    await s.app.close();
    assert.equal(s.lines.length, 4);
    assert.equal(s.lines[3]!.msg, '7 more security events from 198.51.100.9 suppressed');
  });

  it('keeps memory bounded: sources beyond maxSources share one bucket', async () => {
    const clock = new ManualClock(Date.parse('2026-05-05T10:00:00Z'));
    const s = await refusingServer({ options: { perSource: 2, maxSources: 3, clock } });
    for (let i = 1; i <= 20; i += 1) await s.refuse(`192.0.2.${i}`);
    // Three sources tracked (one line each), the 17 others share two lines.
    assert.equal(refusals(s.lines).length, 3 + 2);
    await s.app.close();
    assert.deepEqual(
      summaries(s.lines).map((l) => [l.ip, l.suppressed]),
      [[OTHER_SOURCES, 15]],
    );
  });
});

describe('security log of the HTTP edge (default level)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(testDatabaseUrls()[0]!);
  });
  after(() => server?.close());

  it('logs a wrong write key and a missing admin token, one line each, nothing else', async () => {
    const sink = logSink();
    const app = buildHttp(server.waymark, { logStream: sink.stream });
    const track = await app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: { authorization: basicAuth('wk_not_our_key'), 'content-type': 'application/json' },
      payload: { userId: 'u1', event: 'Viewed' },
    });
    assert.equal(track.statusCode, 401);
    const journeys = await app.inject({ method: 'GET', url: '/api/journeys' });
    assert.equal(journeys.statusCode, 401);
    const fine = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(fine.statusCode, 200);
    await app.close();

    assert.deepEqual(
      sink.lines.map((l) => [l.level, l.msg, l.route, l.reason]),
      [
        [WARN, 'write key refused', 'POST /v1/track', 'unknown write key'],
        [
          WARN,
          'admin token refused',
          'GET /api/journeys',
          'missing admin token (Authorization: Bearer)',
        ],
      ],
    );
    assert.doesNotMatch(sink.text(), /wk_not_our_key/);
  });
});
