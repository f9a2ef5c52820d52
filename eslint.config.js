// One linter for the whole repository. Import boundaries are enforced here, not by a README:
// core imports nothing of ours; http and cli reach storage only through app; app and runtime
// only through its contracts; a channel vendor only through the channel SDK, and only the
// provider catalogue names a vendor; links/ is a leaf; a node or trigger kind never reaches into
// another kind's folder. lint-rules.test.ts proves each rule still fails on a file that breaks it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

const root = import.meta.dirname;
const server = 'packages/server/src';
/** The sub-folders of a source folder (probe folders of lint-rules.test.ts are dot-named). */
const foldersOf = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name);
/** The plain files of a source folder: what every kind folder beside them may share. */
const filesOf = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `./${e.name}`);

/** The vendor folders of channels/ (every sub-folder but the SDK). */
const vendors = foldersOf(`${server}/channels`).filter((vendor) => vendor !== 'sdk');

/** One zone per vendor folder: it may import the SDK and itself, nothing else of the server. */
const vendorZones = vendors.map((vendor) => ({
  target: `${server}/channels/${vendor}`,
  from: server,
  except: ['./channels/sdk', `./channels/${vendor}`],
  message: 'a channel vendor imports only channels/sdk, @waymark/core and its own files.',
}));

/**
 * No layer outside channels/ names a vendor: the catalogue (channels/providers.ts) lists them, and
 * what a provider declares (adapters, webhook routes, listeners) reaches the server through it.
 */
const vendorByName = {
  target: [
    ...['app', 'runtime', 'http', 'cli', 'storage', 'links', 'triggers'].map(
      (layer) => `${server}/${layer}`,
    ),
    `${server}/waymark.ts`,
  ],
  from: vendors.map((vendor) => `${server}/channels/${vendor}`),
  message:
    'only channels/providers.ts names a vendor: reach it through the catalogue and the channel SDK.',
};

/** One zone per kind folder: it may import the shared files of its parent, not another kind. */
const kindZones = (dir) =>
  foldersOf(dir).map((kind) => ({
    target: `${dir}/${kind}`,
    from: dir,
    except: [`./${kind}`, ...filesOf(dir)],
    message: 'a kind folder never imports another kind: share through the parent folder.',
  }));

export default tseslint.config(
  { ignores: ['node_modules/**', '**/dist/**', '.waymark/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // No import cycles anywhere: a cycle means two modules are one module, or a layer is upside
    // down. Type-only imports count too: they couple the files just the same.
    files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: false }] },
  },
  {
    // Every switch over a union handles every member (or says `default:` on purpose), so a new
    // node kind, trigger or channel cannot be silently ignored. This rule needs types.
    files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx'],
    ignores: ['**/*.test.ts'],
    languageOptions: {
      parserOptions: {
        // The probes of lint-rules.test.ts live in dot-folders that tsconfig.json leaves out.
        projectService: {
          allowDefaultProject: [
            'packages/*/src/.lint-probe-*/*.ts',
            'packages/*/src/*/.lint-probe-*/*.ts',
            'packages/*/src/*/*/.lint-probe-*/*.ts',
          ],
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 32,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    files: ['packages/core/**/*.ts'],
    ignores: ['packages/core/**/*.test.ts'],
    rules: restrict([
      { group: ['@waymark/*'], message: 'core is pure: it imports nothing of ours.' },
      {
        group: ['node:*', 'fs', 'path', 'http', 'net', 'child_process'],
        message: 'core does no I/O.',
      },
    ]),
  },
  {
    files: ['packages/core/**/*.test.ts'],
    rules: restrict([
      { group: ['@waymark/*'], message: 'core is pure: it imports nothing of ours.' },
    ]),
  },
  {
    // The build configuration runs in Node (Vite); what it builds does not.
    files: ['packages/web/**/*.ts', 'packages/web/**/*.tsx'],
    ignores: ['packages/web/**/*.test.ts', 'packages/web/vite.config.ts'],
    rules: restrict([
      {
        group: ['@waymark/server', '@waymark/server/*'],
        message: 'web renders; the server serves it.',
      },
      {
        group: ['node:*', 'fs', 'path', 'http', 'net', 'child_process'],
        message: 'web pages are pure rendering: no I/O.',
      },
    ]),
  },
  {
    files: ['packages/server/src/http/**/*.ts', 'packages/server/src/cli/**/*.ts'],
    // Tests and their kit may open a test database (storage/testing.ts); the code they test may not.
    ignores: ['**/*.test.ts', '**/testing.ts'],
    rules: restrict([
      {
        group: ['**/storage/*', '**/storage/**', 'kysely', 'pg', 'better-sqlite3'],
        message: 'http and cli go through app; they never touch storage directly.',
      },
      { group: ['@waymark/core/src/*'], message: 'import @waymark/core, not its files.' },
    ]),
  },
  {
    files: ['packages/server/src/app/**/*.ts', 'packages/server/src/runtime/**/*.ts'],
    rules: restrict([
      {
        group: ['kysely', 'pg', 'better-sqlite3'],
        message: 'app and runtime see storage only through its contracts (storage/store.ts).',
      },
      { group: ['**/http/*', '**/cli/*'], message: 'app and runtime do not know their callers.' },
    ]),
  },
  {
    // Paths, not import strings: these zones are checked on the resolved file, so no spelling of
    // a path gets around them. Tests (and the test kits) may reach further than the code they test.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing.ts', '**/testing/**'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            ...vendorZones,
            vendorByName,
            {
              target: [`${server}/app`, `${server}/runtime`],
              from: `${server}/storage`,
              except: ['./store.ts', './contracts'],
              message:
                'app and runtime reach storage only through storage/store.ts and its contracts.',
            },
            {
              target: `${server}/links`,
              from: ['app', 'runtime', 'storage', 'http', 'cli', 'channels', 'triggers'].map(
                (layer) => `${server}/${layer}`,
              ),
              message: 'links/ is a leaf: core, secrets and node only.',
            },
            ...kindZones('packages/core/src/nodes'),
            ...kindZones('packages/core/src/triggers'),
          ],
        },
      ],
    },
  },
  {
    // A file over 500 lines is two modules. Generated files say so in their name.
    files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx', 'packages/*/src/**/*.mjs'],
    ignores: ['**/*.generated.ts'],
    rules: { 'max-lines': ['error', { max: 500 }] },
  },
);
