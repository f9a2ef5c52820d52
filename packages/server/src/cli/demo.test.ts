// `waymark start --demo` as a user runs it, on each backend: every example journey is published in
// the demo workspace (seen through the admin API with the printed token), the printed curl lines
// work as printed (the event starts a journey, the outbox shows the message), the default
// workspace sees none of it, and a second start loads nothing twice.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadJourney } from '@waymark/core';
import { testDatabases } from '../storage/testing.ts';
import { poll, root, startWaymark, type Started } from './testing.ts';

const DEFAULT_ADMIN = 'wa_test_demo_default';
const examplesDir = join(root, 'examples/journeys');

/** Every example journey, validated: its file and id. */
function examples(): Array<{ file: string; id: string }> {
  return readdirSync(examplesDir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((file) => {
      const result = loadJourney(readFileSync(join(examplesDir, file), 'utf8'), {
        format: file.endsWith('.json') ? 'json' : 'yaml',
      });
      assert.ok(result.ok, `${file}: ${JSON.stringify(!result.ok && result.issues, null, 2)}`);
      return { file, id: result.definition.id };
    });
}

describe('examples/journeys', () => {
  it('every file validates', () => {
    const all = examples();
    assert.ok(all.length >= 5, `only ${all.length} examples`);
    assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'journey ids are unique');
  });
});

/** The example forms' files. */
function forms(): string[] {
  return readdirSync(join(root, 'examples/forms')).filter((f) => /\.(ya?ml|json)$/.test(f));
}

interface JourneyRow {
  id: string;
  status: string;
  publishedVersion: number | null;
  latestVersion: number;
}

async function api<T>(base: string, token: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as T;
}

/** Starts with --demo and waits for the whole guide. */
async function startDemo(env: Record<string, string>): Promise<Started & { base: string }> {
  const server = startWaymark(env, ['--demo']);
  const base = await server.address;
  await poll('the demo guide', async () =>
    /\/api\/journeys\n/.test(server.output()) ? true : undefined,
  );
  return { ...server, base };
}

async function stop(server: Started): Promise<void> {
  server.child.kill('SIGTERM');
  const [code] = (await once(server.child, 'exit')) as [number];
  assert.equal(code, 0, server.output());
}

function keysOf(output: string): { writeKey: string; adminToken: string } {
  const writeKey = /write key:\s+(wk_demo_\S+)/.exec(output)?.[1];
  const adminToken = /admin token:\s+(wa_demo_\S+)/.exec(output)?.[1];
  assert.ok(writeKey && adminToken, output);
  return { writeKey, adminToken };
}

for (const kind of testDatabases()) {
  describe(`waymark start --demo (${kind.name})`, () => {
    it(
      'publishes every example, prints commands that work, and loads nothing twice',
      { timeout: 90_000 },
      async () => {
        const db = await kind.create();
        const env = {
          DATABASE_URL: db.url,
          WAYMARK_DATA_DIR: mkdtempSync(join(tmpdir(), 'waymark-demo-')),
          WAYMARK_ADMIN_TOKEN: DEFAULT_ADMIN,
          PORT: '0',
        };
        const expected = examples();
        try {
          const first = await startDemo(env);
          const out = first.output();
          const keys = keysOf(out);
          for (const file of forms())
            assert.match(out, new RegExp(`form +\\S+ +saved +\\[examples/forms/${file}\\]`));
          for (const e of expected) {
            assert.match(
              out,
              new RegExp(
                `journey +${e.id} +published \\(version 1\\).*\\[examples/journeys/${e.file}\\]`,
              ),
            );
          }
          const { items } = await api<{ items: JourneyRow[] }>(
            first.base,
            keys.adminToken,
            '/api/journeys',
          );
          assert.deepEqual(
            items.map((j) => [j.id, j.status, j.publishedVersion]).sort(),
            expected.map((e) => [e.id, 'live', 1]).sort(),
          );
          // The default workspace is untouched.
          const mine = await api<{ items: JourneyRow[] }>(
            first.base,
            DEFAULT_ADMIN,
            '/api/journeys',
          );
          assert.deepEqual(mine.items, []);

          // The printed commands, run by a shell as printed.
          const commands = out.split('\n').filter((l) => l.startsWith('  curl '));
          assert.equal(commands.length, 4, out);
          const [track, outbox, profile] = commands as [string, string, string];
          assert.match(track, /\/v1\/batch/);
          assert.equal(execFileSync('sh', ['-c', track], { encoding: 'utf8' }), '{"success":true}');
          const message = await poll('the message in the demo outbox', async () => {
            const page = JSON.parse(execFileSync('sh', ['-c', outbox], { encoding: 'utf8' })) as {
              items: Array<{
                journeyId: string;
                channel: string;
                recipient: string;
                status: string;
                providerMessageId: string;
              }>;
            };
            return page.items.find((m) => m.status === 'sent');
          });
          assert.equal(message.journeyId, 'basket-retargeting');
          assert.equal(message.channel, 'email');
          assert.equal(message.recipient, 'ana@example.com');
          assert.match(
            message.providerMessageId,
            /^dev:/,
            'the demo workspace sends to its outbox only',
          );
          const view = JSON.parse(execFileSync('sh', ['-c', profile], { encoding: 'utf8' })) as {
            runs: Array<{ journeyId: string; where: string }>;
          };
          assert.match(view.runs[0]?.where ?? '', /waiting for \w+ opened \(node email\)/);
          await stop(first);

          const second = await startDemo(env);
          assert.deepEqual(keysOf(second.output()), keys, 'the demo keys are the same');
          for (const e of expected)
            assert.match(
              second.output(),
              new RegExp(`journey +${e.id} +unchanged \\(version 1\\)`),
            );
          const again = await api<{ items: JourneyRow[] }>(
            second.base,
            keys.adminToken,
            '/api/journeys',
          );
          assert.deepEqual(
            again.items.map((j) => [j.id, j.latestVersion]).sort(),
            expected.map((e) => [e.id, 1]).sort(),
          );
          await stop(second);
        } finally {
          await db.drop();
        }
      },
    );
  });
}
