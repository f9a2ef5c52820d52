// Loading the demo workspace from an examples folder, on each backend: forms and journeys in file
// order, a broken file reported without stopping the others, keys that authenticate to the demo
// workspace only, and a second load that changes nothing — not even a journey paused since —
// while an edited file publishes a new version.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { configFromEnv } from '../config.ts';
import { testDatabases } from '../storage/testing.ts';
import { createWaymark } from '../waymark.ts';
import { DEMO_WORKSPACE, demoGuide, loadDemo } from './demo.ts';
import { getJourney, setJourneyStatus } from './journeys.ts';
import { authenticate, DEFAULT_WORKSPACE } from './workspaces.ts';

const FORM = `
id: rate-us
title: Rate us
questions:
  - { id: score, type: rating, label: How did we do?, required: true }
`;

const journey = (id: string, subject: string) => `
schemaVersion: 1
id: ${id}
name: ${id}
trigger: { type: event, event: ${id}_happened }
start: mail
nodes:
  mail: { type: send, channel: email, template: mail, next: done }
  done: { type: exit }
templates:
  mail: { channel: email, subject: "${subject}", body: "{{ 'rate-us' | form_url }}" }
`;

function examples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-examples-'));
  mkdirSync(join(dir, 'forms'));
  mkdirSync(join(dir, 'journeys'));
  writeFileSync(join(dir, 'forms', 'rate-us.yaml'), FORM);
  writeFileSync(join(dir, 'journeys', 'b-welcome.yaml'), journey('welcome', 'Hello'));
  writeFileSync(join(dir, 'journeys', 'a-thanks.yaml'), journey('thanks', 'Thanks'));
  writeFileSync(
    join(dir, 'journeys', 'c-broken.yaml'),
    journey('broken', 'x').replace('next: done }', 'next: nowhere }'),
  );
  writeFileSync(join(dir, 'journeys', 'notes.txt'), 'not a journey');
  return dir;
}

for (const kind of testDatabases()) {
  describe(`the demo workspace (${kind.name})`, () => {
    it('loads forms and journeys, reports broken files, and loads nothing twice', async () => {
      const db = await kind.create();
      const dataDir = mkdtempSync(join(tmpdir(), 'waymark-demo-data-'));
      const wm = await createWaymark(
        configFromEnv({ DATABASE_URL: db.url, WAYMARK_DATA_DIR: dataDir }, { role: 'api' }),
      );
      try {
        const dir = examples();
        const first = await loadDemo(wm.deps, { examplesDir: dir });
        const folder = basename(dir);
        assert.deepEqual(
          first.items.map((i) => [i.kind, i.id, i.file, i.result, i.version]),
          [
            ['form', 'rate-us', `${folder}/forms/rate-us.yaml`, 'saved', undefined],
            ['journey', 'thanks', `${folder}/journeys/a-thanks.yaml`, 'published', 1],
            ['journey', 'welcome', `${folder}/journeys/b-welcome.yaml`, 'published', 1],
            ['journey', '?', `${folder}/journeys/c-broken.yaml`, 'invalid', undefined],
          ],
        );
        assert.match(first.items[3]?.error ?? '', /nodes\.mail\.next: .*nowhere/);
        assert.deepEqual(first.tryEvent, {
          journey: 'thanks',
          event: 'thanks_happened',
          properties: {},
        });
        const guide = demoGuide(first, 'http://127.0.0.1:3000');
        assert.match(guide, /SKIPPED, invalid: .*nodes\.mail\.next: .*nowhere/);
        assert.match(guide, /"event":"thanks_happened"/);

        // The keys open the demo workspace, and only it.
        assert.equal(await authenticate(wm.deps, 'write', first.writeKey), DEMO_WORKSPACE);
        assert.equal(await authenticate(wm.deps, 'admin', first.adminToken), DEMO_WORKSPACE);
        assert.deepEqual(await wm.deps.store.journeys.list(DEFAULT_WORKSPACE), []);

        // Paused since: a second load leaves it paused, on its version, and adds nothing.
        await setJourneyStatus(wm.deps, DEMO_WORKSPACE, 'welcome', 'paused');
        const formBefore = await wm.deps.store.forms.get(DEMO_WORKSPACE, 'rate-us');
        const second = await loadDemo(wm.deps, { examplesDir: dir });
        assert.deepEqual(
          second.items.map((i) => [i.id, i.result, i.version]),
          [
            ['rate-us', 'unchanged', undefined],
            ['thanks', 'unchanged', 1],
            ['welcome', 'unchanged', 1],
            ['?', 'invalid', undefined],
          ],
        );
        assert.deepEqual([second.writeKey, second.adminToken], [first.writeKey, first.adminToken]);
        const welcome = await getJourney(wm.deps, DEMO_WORKSPACE, 'welcome');
        assert.equal(welcome.journey.status, 'paused');
        assert.equal(welcome.versions.length, 1);
        assert.deepEqual(await wm.deps.store.forms.get(DEMO_WORKSPACE, 'rate-us'), formBefore);

        // An edited example is published as the next version.
        writeFileSync(join(dir, 'journeys', 'a-thanks.yaml'), journey('thanks', 'Thank you'));
        const third = await loadDemo(wm.deps, { examplesDir: dir });
        assert.deepEqual(
          third.items.find((i) => i.id === 'thanks'),
          {
            kind: 'journey',
            id: 'thanks',
            file: `${folder}/journeys/a-thanks.yaml`,
            result: 'published',
            version: 2,
            trigger: 'event thanks_happened',
          },
        );
      } finally {
        await wm.close();
        await db.drop();
      }
    });
  });
}
