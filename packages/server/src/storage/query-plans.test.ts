// The queries the worker runs all the time (claims, next wake-ups, pending events, lookups by
// key) must be index lookups: none may scan a whole table. Checked on SQLite, whose plans are
// fixed by the statistics the first migration seeds; PostgreSQL's are listed in the report.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { openStore, type QueryLog } from './open.ts';
import type { Store, Tx } from './store.ts';

const NOW = Date.UTC(2026, 4, 4);

/** Every hot call of the repos, in one transaction. */
async function hotCalls(tx: Tx): Promise<void> {
  await tx.runs.claimDue(NOW, 500);
  await tx.runs.nextWake();
  await tx.runs.lock('w', ['r1', 'r2']);
  await tx.runs.get('w', 'r1');
  await tx.runs.activeForProfiles('w', ['p1', 'p2']);
  await tx.runs.entryHistory('w', 'j1', 'p1');
  await tx.runs.trace('w', 'r1');
  await tx.runs.listForProfile('w', 'p1');
  await tx.messages.claim(NOW, 100, 30_000);
  await tx.messages.nextAvailable();
  await tx.messages.get('w', 'm1');
  await tx.messages.getByKey('w', 'k1');
  await tx.messages.list('w', { limit: 50 });
  await tx.events.pending([0, 1, 2], 100);
  await tx.events.markProcessed('w', [1, 2, 3], NOW);
  await tx.events.listForProfile('w', 'p1', { limit: 50 });
  await tx.triggerTimers.claimDue(NOW, 100);
  await tx.triggerTimers.nextWake();
  await tx.profiles.resolve('w', [{ kind: 'userId', value: 'u1' }]);
  await tx.profiles.getMany('w', ['p1']);
  await tx.lists.membership('w', ['p1']);
  await tx.tasks.list('w', { team: 'sales', status: 'open', limit: 20 });
  await tx.workspaces.findByKey('write', 'hash');
}

describe('query plans (sqlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-plans-'));
  const path = join(dir, 'plans.db');
  const queries: QueryLog[] = [];
  let store: Store;
  before(async () => {
    store = await openStore({ url: `sqlite:${path}`, onQuery: (q) => queries.push(q) });
    await store.migrate();
    queries.length = 0;
    await store.transaction(hotCalls);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads no table, nor a workspace, in full', () => {
    const db = new SqliteDatabase(path, { readonly: true });
    try {
      const tables = new Set(
        db
          .prepare<[], { name: string }>(`select name from sqlite_schema where type = 'table'`)
          .all()
          .map((t) => t.name),
      );
      const read = queries.filter((q) => /^\s*(select|update|delete|with)\b/i.test(q.sql));
      assert.ok(read.length >= 20, `expected the hot queries, saw ${read.length}`);
      for (const q of read) {
        const plan = db
          .prepare<unknown[], { detail: string }>(`explain query plan ${q.sql}`)
          .all([...q.parameters])
          .map((r) => r.detail);
        // A whole table, or a whole workspace (one workspace is the whole table when embedded)
        // unless a LIMIT stops an ordered read early.
        const scans = plan.filter(
          (line) =>
            tables.has(line.replace(/^SCAN /, '')) ||
            (/\(workspace_id=\?\)$/.test(line) && !/\blimit\b/i.test(q.sql)),
        );
        assert.deepEqual(scans, [], `${q.sql}\n${plan.join('\n')}`);
      }
    } finally {
      db.close();
    }
  });
});
