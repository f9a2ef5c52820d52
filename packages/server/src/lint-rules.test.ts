// The layer rules of eslint.config.js are part of the design, so they are tested like code: each
// case writes a few files that break one rule into a throw-away folder inside the source tree
// (where the rules apply), runs the project's own `eslint` over them once and expects each to
// fail by its rule.
// A rule that silently stopped matching (a renamed folder, a resolver that no longer finds `.ts`
// imports) fails here instead of letting cycles and cross-layer imports back in.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = join(root, 'node_modules/.bin/eslint');

/**
 * The cases: each is a folder of files (name → text) under a package's `src`, and whether eslint
 * must refuse it and by which rule. Folders are dot-named so that TypeScript's and the test
 * runner's globs skip them.
 */
interface Case {
  name: string;
  under: string;
  files: Record<string, string>;
  /** The rule that must fail; absent: the files must pass. */
  rule?: string;
}

const CASES: Case[] = [
  {
    name: 'fails on an import cycle',
    under: 'packages/core/src',
    files: {
      'a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
      'b.ts': "import { a } from './a.ts';\nexport const b = (): number => a() - 1;\n",
    },
    rule: 'import-x/no-cycle',
  },
  {
    name: 'passes the same files without the cycle',
    under: 'packages/core/src',
    files: {
      'a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
      'b.ts': 'export const b = (): number => 1;\n',
    },
  },
  {
    name: 'fails on a switch over a union that forgets a member',
    under: 'packages/core/src',
    files: {
      'kinds.ts': [
        "export type Kind = 'send' | 'wait' | 'exit';",
        'export function label(kind: Kind): string {',
        '  switch (kind) {',
        "    case 'send':",
        "      return 'Send';",
        "    case 'wait':",
        "      return 'Wait';",
        '  }',
        "  return '';",
        '}',
        '',
      ].join('\n'),
    },
    rule: 'switch-exhaustiveness-check',
  },
  {
    name: 'fails when a channel vendor imports past the SDK',
    under: 'packages/server/src/channels/twilio',
    files: {
      'reach.ts': "import type { Waymark } from '../../../waymark.ts';\nexport type W = Waymark;\n",
    },
    rule: 'import-x/no-restricted-paths',
  },
  {
    name: 'passes a channel vendor that imports the SDK and core',
    under: 'packages/server/src/channels/twilio',
    files: {
      'sdk.ts': [
        "import type { SendResult } from '../../sdk/index.ts';",
        "import { CHANNELS } from '@waymark/core';",
        'export type R = SendResult;',
        'export const names = Object.keys(CHANNELS);',
        '',
      ].join('\n'),
    },
  },
  {
    name: 'fails when a layer outside channels/ imports a vendor by name',
    under: 'packages/server/src/app',
    files: {
      'vendor.ts':
        "import { smtpProvider } from '../../channels/email/index.ts';\nexport const p = smtpProvider;\n",
    },
    rule: 'import-x/no-restricted-paths',
  },
  {
    name: 'fails when the runtime reaches a storage repo past its contract',
    under: 'packages/server/src/runtime',
    files: {
      'repo.ts':
        "import { KyselyMessageRepo } from '../../storage/repos/messages.repo.ts';\nexport const R = KyselyMessageRepo;\n",
    },
    rule: 'import-x/no-restricted-paths',
  },
  {
    name: 'passes the runtime importing the storage contract',
    under: 'packages/server/src/runtime',
    files: {
      'store.ts': "import type { Store } from '../../storage/store.ts';\nexport type S = Store;\n",
    },
  },
  {
    name: 'fails when links/ imports a layer above it',
    under: 'packages/server/src/links',
    files: {
      'up.ts':
        "import type { Waymark } from '../../waymark.ts';\nimport type { Store } from '../../storage/store.ts';\nexport type W = [Waymark, Store];\n",
    },
    rule: 'import-x/no-restricted-paths',
  },
  {
    name: 'fails when a node kind imports another kind',
    under: 'packages/core/src/nodes/send',
    files: {
      'other.ts':
        "import { waitKind } from '../../wait/wait.kind.ts';\nexport const k = waitKind;\n",
    },
    rule: 'import-x/no-restricted-paths',
  },
  {
    name: 'fails on a file over 500 lines',
    under: 'packages/core/src',
    files: {
      'long.ts':
        Array.from({ length: 501 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n',
    },
    rule: 'max-lines',
  },
];

/** eslint's report, file by file (paths relative to the repository). */
const reports = new Map<string, string>();
const folders: string[] = [];

before(async () => {
  const paths: string[] = [];
  CASES.forEach((c, i) => {
    const dir = join(c.under, `.lint-probe-${process.pid}-${i}`);
    folders.push(join(root, dir));
    mkdirSync(join(root, dir), { recursive: true });
    for (const [name, text] of Object.entries(c.files)) {
      writeFileSync(join(root, dir, name), text);
      paths.push(join(dir, name));
    }
  });
  let stdout: string;
  try {
    ({ stdout } = await run(eslint, ['--format', 'json', '--no-warn-ignored', ...paths], {
      cwd: root,
      maxBuffer: 16 << 20,
    }));
  } catch (err) {
    stdout = (err as { stdout: string }).stdout;
  }
  for (const file of JSON.parse(stdout) as Array<{ filePath: string; messages: unknown[] }>) {
    reports.set(relative(root, file.filePath), JSON.stringify(file.messages));
  }
});

after(() => {
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

describe('lint rules', { timeout: 180_000 }, () => {
  CASES.forEach((c, i) => {
    it(c.name, () => {
      const dir = join(c.under, `.lint-probe-${process.pid}-${i}`);
      const found = Object.keys(c.files).map((name) => reports.get(join(dir, name)) ?? '');
      const all = found.join('\n');
      assert.doesNotMatch(all, /Parsing error/, all);
      if (c.rule)
        assert.ok(
          found.some((m) => m.includes(c.rule!)),
          `expected ${c.rule}: ${all}`,
        );
      else
        assert.ok(
          found.every((m) => m === '[]'),
          all,
        );
    });
  });
});
