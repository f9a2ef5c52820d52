// docs/contributing.md says that a node kind, a trigger and a channel vendor are each a folder
// plus a registry line, and names the files. This test holds the page and the tree to that: every
// path it names exists, and every kind or vendor folder is in its registry (a folder added
// without its line fails here, by name).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NODE_KINDS, TRIGGER_KINDS } from '@waymark/core';
import { providerFactories } from './channels/providers.ts';
import { SERVER_TRIGGERS } from './triggers/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const page = readFileSync(join(root, 'docs/contributing.md'), 'utf8');

/** The sub-folders of a folder of the repository. */
const folders = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();

/** A folder's name as the type it holds (`site-flag` → `site_flag`). */
const typeOf = (folder: string): string => folder.replaceAll('-', '_');

describe('docs/contributing.md', () => {
  it('names only paths that exist', () => {
    const named = [...page.matchAll(/`((?:packages|docs)\/[^`<>\s]+)`/g)].map((m) => m[1]!);
    assert.ok(named.length >= 20, `expected the page to name its files, found ${named.length}`);
    const missing = named.filter((path) => !existsSync(join(root, path)));
    assert.deepEqual(missing, [], 'paths named by docs/contributing.md that do not exist');
  });

  it('every node kind folder is in NODE_KINDS, and every kind has its folder', () => {
    assert.deepEqual(
      folders('packages/core/src/nodes').map(typeOf),
      Object.keys(NODE_KINDS).sort(),
    );
  });

  it('every trigger folder is in TRIGGER_KINDS, with its server module in SERVER_TRIGGERS', () => {
    const kinds = folders('packages/core/src/triggers').map(typeOf);
    assert.deepEqual(kinds, Object.keys(TRIGGER_KINDS).sort());
    assert.deepEqual(Object.keys(SERVER_TRIGGERS).sort(), kinds);
    for (const kind of kinds)
      assert.ok(existsSync(join(root, `packages/server/src/triggers/${kind}.ts`)), kind);
  });

  it('every vendor folder gives the catalogue a provider', async () => {
    const vendors = folders('packages/server/src/channels').filter((v) => v !== 'sdk');
    assert.ok(vendors.length >= 4, vendors.join());
    for (const vendor of vendors) {
      const exported = Object.values(
        (await import(`./channels/${vendor}/index.ts`)) as Record<string, unknown>,
      );
      assert.ok(
        providerFactories.some((f) => exported.includes(f)),
        `channels/${vendor}/ exports no provider of channels/providers.ts`,
      );
    }
  });
});
