// The CLI as a user runs it: a real `waymark` process, its output and exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(root, 'packages/server/bin/waymark.js');

function waymark(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('waymark CLI', () => {
  it('validates a good journey and exits 0', () => {
    const r = waymark(['journeys', 'validate', 'examples/journeys/basket-retargeting.yaml']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /valid \(journey basket-retargeting, 4 nodes\)/);
  });

  it('names the node and field of a broken journey and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-cli-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      `schemaVersion: 1
id: broken
name: Broken
trigger: { type: event, event: x }
start: a
nodes:
  a: { type: send, channel: email, template: missing, next: nowhere }
`,
    );
    const r = waymark(['journeys', 'validate', file]);
    assert.equal(r.code, 1);
    assert.match(r.out, /nodes\.a\.next/);
    assert.match(r.out, /nodes\.a\.template/);
  });

  it('exits non-zero when start cannot start', () => {
    const r = waymark(['start', '--role', 'bogus']);
    assert.equal(r.code, 1);
    assert.match(r.err, /--role must be api, worker or all/);
  });

  it('reports an unreadable file clearly', () => {
    const r = waymark(['journeys', 'validate', 'no/such/file.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot read journey no\/such\/file\.yaml: ENOENT/);
  });

  it('simulates a journey on a virtual clock: the SMS waits for 09:00 local time', () => {
    const r = waymark([
      'simulate',
      'examples/journeys/basket-retargeting.yaml',
      '--events',
      'examples/simulations/basket-retargeting.yaml',
    ]);
    assert.equal(r.code, 0, r.err);
    const [ana, rui] = r.out.split('\n\n');
    assert.match(ana!, /userId:ana/);
    assert.doesNotMatch(ana!, / sms to /, 'Ana opened the email: no SMS');
    assert.match(rui!, /2026-05-06 09:00 {2}sms to \+351913333333 \[sent\] Hello Rui\./);
  });

  it('migrates an empty embedded store and then finds it up to date', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-cli-'));
    const env = { WAYMARK_DATA_DIR: dir, DATABASE_URL: '' };
    const first = waymark(['migrate'], env);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /applied: /);
    assert.match(waymark(['migrate'], env).out, /up to date/);
  });
});
