// Opening stores from URLs: the forms accepted, the data folder created, WAL on SQLite.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { AppError } from '../errors.ts';
import { openStore, parseStoreUrl } from './open.ts';

describe('openStore', () => {
  it('accepts PostgreSQL and SQLite URLs', () => {
    assert.deepEqual(parseStoreUrl('postgres://u@h:5432/db'), {
      kind: 'postgres',
      url: 'postgres://u@h:5432/db',
    });
    assert.equal(parseStoreUrl('postgresql://h/db').kind, 'postgres');
    assert.deepEqual(parseStoreUrl('sqlite:./data/w.db'), { kind: 'sqlite', path: './data/w.db' });
    assert.deepEqual(parseStoreUrl('sqlite:///var/w.db'), { kind: 'sqlite', path: '/var/w.db' });
    assert.deepEqual(parseStoreUrl('file:w.db'), { kind: 'sqlite', path: 'w.db' });
    assert.deepEqual(parseStoreUrl(':memory:'), { kind: 'sqlite', path: ':memory:' });
    assert.deepEqual(parseStoreUrl('sqlite::memory:'), { kind: 'sqlite', path: ':memory:' });
  });

  it('rejects other URLs, naming DATABASE_URL and hiding the password', () => {
    assert.throws(
      () => parseStoreUrl('mysql://root:secret@h/db'),
      (e: unknown) =>
        e instanceof AppError &&
        e.code === 'invalid_input' &&
        e.details[0]?.path === 'DATABASE_URL' &&
        !e.message.includes('secret'),
    );
  });

  it('creates the data folder and opens SQLite in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-open-'));
    try {
      const path = join(dir, 'nested', 'data', 'waymark.db');
      const store = await openStore({ url: `sqlite:${path}` });
      // Every migration, in order (later ones, 003 onwards, follow these).
      assert.deepEqual((await store.migrate()).applied.slice(0, 3), [
        '001-initial',
        '002-channels',
        '003-forms',
      ]);
      await store.close();
      assert.ok(existsSync(path));
      const raw = new SqliteDatabase(path, { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works in memory', async () => {
    const store = await openStore({ url: ':memory:' });
    await store.migrate();
    await store.workspaces.create({ id: 'w', name: 'W', timezone: 'UTC', createdAt: 1 });
    assert.equal((await store.workspaces.get('w'))?.name, 'W');
    await store.close();
  });
});
