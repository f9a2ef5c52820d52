// The log of `waymark start` as a user runs it (a child process on a free port, WAYMARK_LOG_LEVEL
// unset): a forged Twilio webhook and a wrong write key give exactly one line each, a flood of 100
// wrong keys from one source a bounded number plus one `… more suppressed` line, and no line per
// request. WAYMARK_LOG_LEVEL=info adds the request lines; a wrong level stops the start with an
// error naming the variable and the accepted values.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bin, poll, root, startWaymark } from './testing.ts';

const WRITE_KEY = 'wk_test_start_log';
const WRONG_KEY = 'wk_wrong_key_never_logged';
const AUTH_TOKEN = 'twilio_auth_token_never_logged';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** The JSON lines of the process's output. */
function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

function start(env: Record<string, string>) {
  return startWaymark({
    WAYMARK_DATA_DIR: mkdtempSync(join(tmpdir(), 'waymark-log-')),
    PORT: '0',
    WAYMARK_WRITE_KEY: WRITE_KEY,
    WAYMARK_LOG_LEVEL: '',
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: '+15017122661',
    ...env,
  });
}

async function track(api: string, key: string): Promise<number> {
  const res = await fetch(`${api}/v1/track`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ userId: 'u1', event: 'Viewed' }),
  });
  await res.body?.cancel();
  return res.status;
}

describe('waymark start: the log at its default level', () => {
  it(
    'logs each refused request once, holds a flood back, and no line per request',
    { timeout: 60_000 },
    async () => {
      const server = start({});
      const api = await server.address;
      try {
        const forged = await fetch(`${api}/hooks/twilio/default/sms/status/msg_forged?key=k1`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl',
          },
          body: 'MessageSid=SM1&MessageStatus=delivered',
        });
        assert.equal(forged.status, 403);
        assert.equal(await track(api, WRONG_KEY), 401);
        assert.equal(await track(api, WRITE_KEY), 200);

        const first = await poll('both security lines', async () => {
          const lines = logLines(server.output());
          const hook = lines.filter((l) => l.msg === 'twilio webhook rejected');
          const key = lines.filter((l) => l.msg === 'write key refused');
          return hook.length && key.length ? { hook, key } : undefined;
        });
        assert.equal(first.hook.length, 1);
        assert.equal(first.key.length, 1);
        assert.equal(first.hook[0]!.level, 40);
        assert.equal(first.hook[0]!.ip, '127.0.0.1');
        assert.equal(first.hook[0]!.route, 'POST /hooks/twilio/default/sms/status/msg_forged');
        assert.equal(first.hook[0]!.status, 403);
        assert.equal(
          first.hook[0]!.reason,
          'X-Twilio-Signature does not match the URL and parameters',
        );
        assert.equal(first.key[0]!.ip, '127.0.0.1');
        assert.equal(first.key[0]!.route, 'POST /v1/track');
        assert.equal(first.key[0]!.reason, 'unknown write key');

        // A flood from the same source, in the same minute: 10 lines a minute per source.
        for (let i = 0; i < 100; i += 1) assert.equal(await track(api, WRONG_KEY), 401);
      } finally {
        server.child.kill('SIGTERM');
      }
      const [code] = (await once(server.child, 'exit')) as [number];
      assert.equal(code, 0, server.output());

      const lines = logLines(server.output());
      const refused = lines.filter((l) => /refused|rejected/.test(l.msg));
      assert.equal(refused.length, 10, 'the first 10 events of the minute');
      assert.equal(lines.filter((l) => l.msg === 'twilio webhook rejected').length, 1);
      const summaries = lines.filter((l) => l.event === 'security_events_suppressed');
      assert.equal(summaries.length, 1, server.output());
      assert.equal(summaries[0]!.msg, '92 more security events from 127.0.0.1 suppressed');
      assert.equal(summaries[0]!.suppressed, 92);
      assert.deepEqual(
        lines.filter((l) => l.level < 40),
        [],
        'no line per request at the default level',
      );
      assert.doesNotMatch(server.output(), new RegExp(`${WRONG_KEY}|${AUTH_TOKEN}|bm90IGEg`));
    },
  );

  it('adds a line per request with WAYMARK_LOG_LEVEL=info', { timeout: 60_000 }, async () => {
    const server = start({ WAYMARK_LOG_LEVEL: 'info' });
    const api = await server.address;
    try {
      assert.equal(await track(api, WRITE_KEY), 200);
      await poll('a request line', async () =>
        logLines(server.output()).find((l) => l.msg === 'request completed' && l.level === 30),
      );
    } finally {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
  });

  it('refuses a wrong WAYMARK_LOG_LEVEL, naming it and the accepted values', () => {
    const run = spawnSync(process.execPath, [bin, 'start'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: '',
        WAYMARK_DATA_DIR: mkdtempSync(join(tmpdir(), 'waymark-log-')),
        WAYMARK_LOG_LEVEL: 'loud',
      },
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /^error: WAYMARK_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent \(got "loud"\)$/m,
    );
  });
});
