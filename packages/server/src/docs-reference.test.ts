// The generated references cannot drift: docs/reference/journey-schema.md (from the core schemas)
// and docs/reference/api.md (from the OpenAPI document) are generated again here and must equal
// the files; every link inside them must land on an anchor that exists.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  apiReference,
  journeySchemaReference,
  REFERENCE_FILES,
} from '../../../scripts/gen-reference.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function checkLinks(file: string, text: string): void {
  const anchors = new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
  const schemaAnchors = new Set(
    [...readFileSync(join(root, REFERENCE_FILES.schema), 'utf8').matchAll(/<a id="([^"]+)">/g)].map(
      (m) => m[1],
    ),
  );
  for (const [, target] of text.matchAll(/\]\(([^)]*)\)/g)) {
    if (target!.startsWith('#'))
      assert.ok(anchors.has(target!.slice(1)), `${file}: no anchor for ${target}`);
    else if (target!.startsWith('journey-schema.md#'))
      assert.ok(schemaAnchors.has(target!.split('#')[1]), `${file}: no anchor for ${target}`);
  }
}

for (const [name, generate, file] of [
  ['journey schema', journeySchemaReference, REFERENCE_FILES.schema],
  ['HTTP API', apiReference, REFERENCE_FILES.api],
] as const) {
  describe(`${name} reference (${file})`, () => {
    it('is up to date with the code (run `npm run docs:reference` after changing it)', () => {
      const fresh = generate();
      const stored = readFileSync(join(root, file), 'utf8');
      if (stored !== fresh) {
        const a = stored.split('\n');
        const b = fresh.split('\n');
        const line = a.findIndex((l, i) => l !== b[i]);
        assert.fail(
          `${file} is out of date: run npm run docs:reference\n` +
            `  line ${line + 1} is:        ${a[line] ?? '(end of file)'}\n` +
            `  and should be:  ${b[line] ?? '(end of file)'}`,
        );
      }
      checkLinks(file, fresh);
    });
  });
}

describe('the references are complete', () => {
  it('the schema reference has a section for every trigger and node type', async () => {
    const { Trigger, JourneyNode } = await import('@waymark/core');
    const text = journeySchemaReference();
    const types = (u: unknown) =>
      (u as { options: Array<{ shape: { type: { value: string } } }> }).options.map(
        (o) => o.shape.type.value,
      );
    for (const t of types(Trigger)) assert.match(text, new RegExp(`### \`${t}\` trigger`));
    for (const n of types(JourneyNode)) assert.match(text, new RegExp(`### \`${n}\`\n`));
  });

  it('the API reference has a section for every route', async () => {
    const { routeTable } = await import('./http/server.ts');
    const text = apiReference();
    for (const r of routeTable())
      assert.ok(
        text.includes(`### \`${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}\``),
        `${r.method} ${r.url}`,
      );
  });
});
