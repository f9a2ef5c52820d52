// `waymark report` as a user runs it: a real `waymark` process on a store where a journey ran
// (customers entered, were split, got an email, some held out), its tables and its JSON.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ingest } from '../app/ingest.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import type { JourneyReport } from '../app/reports.ts';
import { parseCall } from '../app/segment.ts';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { testDatabases, type TestDatabase } from '../storage/testing.ts';
import { createWaymark } from '../waymark.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(root, 'packages/server/bin/waymark.js');

const JOURNEY = `
schemaVersion: 1
id: welcome
name: Welcome
trigger: { type: event, event: signed_up }
start: pick
nodes:
  pick:
    type: split
    holdout: 25
    variants: [{ name: a, weight: 1, next: hello }]
  hello: { type: send, channel: email, template: hello, next: pause }
  pause: { type: wait, duration: P1D, next: done }
  done: { type: exit }
templates:
  hello: { channel: email, subject: Welcome, html: '<p>Hello</p>' }
`;

const [sqlite] = testDatabases();

describe('waymark report', () => {
  let db: TestDatabase;
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, 'report', ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url, WAYMARK_CLOCK: '' },
      timeout: 60_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  before(async () => {
    db = await sqlite!.create();
    const clock = new ManualClock(Date.parse('2026-05-04T09:00:00Z'));
    const wm = await createWaymark(configFromEnv({}, { databaseUrl: db.url, role: 'worker' }), {
      clock,
    });
    try {
      await applyJourney(wm.deps, DEFAULT_WORKSPACE, checkJourney(JOURNEY));
      const calls = [];
      for (let i = 0; i < 12; i += 1) {
        calls.push(parseCall('identify', { userId: `u${i}`, traits: { email: `u${i}@x.io` } }, ''));
        calls.push(parseCall('track', { userId: `u${i}`, event: 'signed_up' }, ''));
      }
      await ingest(wm.deps, DEFAULT_WORKSPACE, calls);
      await wm.worker.drain();
    } finally {
      await wm.close();
    }
  });
  after(async () => {
    await db?.drop();
  });

  it('prints the JSON of the API with --json', () => {
    const r = run(['welcome', '--json', '--from', '2026-05-01', '--to', '2026-05-04']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as JourneyReport;
    assert.equal(report.runs.entered, 12);
    const split = report.experiments[0]!;
    assert.equal(split.control, 'holdout');
    assert.equal(
      split.arms.reduce((n, a) => n + a.entered, 0),
      12,
    );
    const hello = report.messages.find((m) => m.nodeId === 'hello')!;
    assert.equal(hello.messages, split.arms.find((a) => a.name === 'a')!.entered);
    assert.deepEqual(
      report.daily.days.map((d) => [d.date, d.entered]),
      [
        ['2026-05-01', 0],
        ['2026-05-02', 0],
        ['2026-05-03', 0],
        ['2026-05-04', 12],
      ],
    );
  });

  it('prints readable tables', () => {
    const r = run(['welcome', '--version', '1', '--from', '2026-05-04', '--to', '2026-05-04']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Welcome \(welcome\), version 1$/m);
    assert.match(r.out, /^ {2}all\s+12\s+\d+/m);
    assert.match(r.out, /^ {2}pick\s+split\s+12\s+0$/m);
    assert.match(r.out, /^Split pick \(control: holdout;/m);
    assert.match(r.out, /^ {2}2026-05-04\s+12\s/m);
  });

  it('names the bad option, and the missing journey', () => {
    const bad = run(['welcome', '--version', 'two']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--version must be a positive integer/);
    const date = run(['welcome', '--from', '4 May']);
    assert.equal(date.code, 1);
    assert.match(date.err, /from must be a date YYYY-MM-DD/);
    const missing = run(['nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /journey nope not found/);
  });
});
