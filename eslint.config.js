// One linter for the whole repository. Import boundaries are enforced here, not by a README:
// core imports nothing of ours; http and cli reach storage only through app.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

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
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    languageOptions: {
      parserOptions: {
        // The probes of lint-rules.test.ts live in dot-folders that tsconfig.json leaves out.
        projectService: { allowDefaultProject: ['packages/*/src/.lint-probe-*/*.ts'] },
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
    files: ['packages/web/**/*.ts'],
    ignores: ['packages/web/**/*.test.ts'],
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
        group: ['**/storage/sqlite*', '**/storage/postgres*', 'kysely', 'pg', 'better-sqlite3'],
        message: 'app and runtime see storage only through its interfaces (storage/store.ts).',
      },
      { group: ['**/http/*', '**/cli/*'], message: 'app and runtime do not know their callers.' },
    ]),
  },
);
