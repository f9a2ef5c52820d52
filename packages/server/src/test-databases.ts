/**
 * Databases for tests that need a URL (child processes, whole servers): a fresh SQLite file, and
 * a fresh PostgreSQL database on the server of DATABASE_URL when it is set. Each is removed after.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A test database. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A kind of test database. */
export interface TestDatabaseKind {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

function adminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

/** SQLite always; PostgreSQL when DATABASE_URL is set. */
export function testDatabases(): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = [
    {
      name: 'sqlite',
      async create() {
        const dir = mkdtempSync(join(tmpdir(), 'waymark-test-'));
        return {
          url: `sqlite:${join(dir, 'waymark.db')}`,
          drop: async () => rmSync(dir, { recursive: true, force: true }),
        };
      },
    },
  ];
  const base = process.env.DATABASE_URL;
  if (base) {
    kinds.push({
      name: 'postgres',
      async create() {
        const name = `${new URL(base).pathname.slice(1) || 'waymark'}_t_${randomBytes(6).toString('hex')}`;
        execFileSync('psql', [adminUrl(base), '-qtAc', `CREATE DATABASE ${name}`]);
        const u = new URL(base);
        u.pathname = `/${name}`;
        return {
          url: u.toString(),
          drop: async () => {
            execFileSync('psql', [
              adminUrl(base),
              '-qtAc',
              `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`,
            ]);
          },
        };
      },
    });
  }
  return kinds;
}
