// One linter for the whole repository. Import boundaries are enforced here, not by a README:
// core imports nothing of ours; http and cli reach storage only through app.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
