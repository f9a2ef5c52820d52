// Operator users from the command line, as an operator runs it: the first start prints a
// one-time setup link that the API honours, and `waymark users create` prints a password link
// for the new user (a wrong role is refused with a readable error).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bin, root, startWaymark } from './testing.ts';

function waymark(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tokenIn = (out: string) => /\/setup\/([\w-]+)/.exec(out)?.[1];

describe('waymark users', () => {
  it('prints a first-admin setup link at the first start', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'waymark-users-'));
    const server = startWaymark({ WAYMARK_DATA_DIR: dataDir, PORT: '0' });
    try {
      const api = await server.address;
      assert.match(server.output(), /No users yet: open this one-time link within 24 h/);
      const token = tokenIn(server.output());
      assert.ok(token, server.output());
      const res = await fetch(`${api}/api/setup/${token}`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { kind: string }).kind, 'first_admin');
    } finally {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
  });

  it('creates a user and prints their one-time password link', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'waymark-users-'));
    const env = { WAYMARK_DATA_DIR: dataDir };
    const bad = waymark(['users', 'create', '--email', 'ana@example.com', '--role', 'boss'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--role must be admin, editor, viewer, agent/);
    const r = waymark(
      ['users', 'create', '--email', 'Ana@Example.com', '--role', 'editor', '--name', 'Ana'],
      env,
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /user ana@example\.com \(editor\); one-time password link, valid 24 h/);
    assert.ok(tokenIn(r.out), r.out);
    const missing = waymark(
      ['users', 'create', '--email', 'bo@example.com', '--role', 'viewer', '--workspace', 'nope'],
      env,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.err, /workspace nope not found/);
  });
});
