// `waymark start` as a user runs it: a real process on a fresh embedded store, events in through
// the Segment API, a journey applied from another process, the message in the dev outbox, and a
// SIGTERM that drains and exits cleanly. Then the same with the API and the worker split.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bin, poll, root, startWaymark } from './testing.ts';

const WRITE_KEY = 'wk_test_start';
const ADMIN = 'wa_test_start';

function start(env: Record<string, string>, args: string[] = []) {
  return startWaymark({ WAYMARK_WRITE_KEY: WRITE_KEY, WAYMARK_ADMIN_TOKEN: ADMIN, ...env }, args);
}

async function scenario(api: string, dataDir: string, user: string): Promise<void> {
  const apply = spawnSync(
    process.execPath,
    [bin, 'journeys', 'apply', 'examples/journeys/basket-retargeting.yaml'],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', WAYMARK_DATA_DIR: dataDir },
      encoding: 'utf8',
    },
  );
  assert.equal(apply.status, 0, apply.stderr);
  const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  for (const body of [
    { type: 'identify', userId: user, traits: { email: `${user}@example.com`, first_name: 'Ana' } },
    { type: 'track', userId: user, event: 'cart_abandoned', properties: { items: 2 } },
  ]) {
    const res = await fetch(`${api}/v1/${body.type}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, await res.text());
    // The journey cache of a running process refreshes within a second.
    if (body.type === 'identify') await new Promise((r) => setTimeout(r, 1100));
  }
  const message = await poll('the email in the dev outbox', async () => {
    const res = await fetch(`${api}/api/outbox?profile=userId:${user}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const page = (await res.json()) as {
      items: Array<{
        channel: string;
        recipient: string;
        status: string;
        content: { subject?: string };
      }>;
    };
    return page.items.find((m) => m.status === 'sent');
  });
  assert.equal(message.channel, 'email');
  assert.equal(message.recipient, `${user}@example.com`);
  assert.equal(message.content.subject, 'Ana, your basket is waiting');
}

describe('waymark start', () => {
  it('serves, runs a journey, and drains on SIGTERM', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'waymark-start-'));
    const server = start({ WAYMARK_DATA_DIR: dataDir, PORT: '0' });
    const api = await server.address;
    const status = await fetch(`${api}/`);
    assert.equal(status.status, 200);
    await scenario(api, dataDir, 'ana');
    server.child.kill('SIGTERM');
    const [code] = (await once(server.child, 'exit')) as [number];
    assert.equal(code, 0, server.output());
    assert.match(server.output(), /SIGTERM: draining…\nstopped/);
  });

  it(
    'splits the API and the worker into two processes on one store',
    { timeout: 60_000 },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'waymark-split-'));
      const api = start({ WAYMARK_DATA_DIR: dataDir, PORT: '0' }, ['--role', 'api']);
      const address = await api.address;
      const worker = start({ WAYMARK_DATA_DIR: dataDir }, ['--role', 'worker']);
      await worker.address;
      try {
        await scenario(address, dataDir, 'bea');
      } finally {
        api.child.kill('SIGTERM');
        worker.child.kill('SIGTERM');
        await Promise.all([once(api.child, 'exit'), once(worker.child, 'exit')]);
      }
    },
  );
});
