// The queries the worker runs all the time (claims, next wake-ups, pending events, lookups by
// key) must be index lookups: none may scan a whole table. Checked on SQLite, whose plans are
// fixed by the statistics the migrations seed; PostgreSQL's are listed in the report. The hot
// queries of channels and consent (overdue tasks, provider-id lookups, cap counts, subscriptions,
// suppressions) are also checked on both backends to read the very index made for them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { openStore, parseStoreUrl, type QueryLog } from './open.ts';
import type { Store, Tx } from './store.ts';
import { backends, type TestStore } from './testing.ts';

const NOW = Date.UTC(2026, 4, 4);

/** Every hot call of the repos, in one transaction. */
async function hotCalls(tx: Tx): Promise<void> {
  // Every operator request: its session or personal token, its user, their memberships.
  await tx.sessions.get('h1');
  await tx.users.findToken('h2');
  await tx.users.get('u1');
  await tx.users.memberships('u1');
  await tx.users.membership('w', 'u1');
  await tx.sessions.signInFailures('email:ana@example.com', NOW);
  await tx.audit.list('w', { limit: 50 });
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
  await tx.events.markProcessed(
    'w',
    [1, 2, 3].map((seq) => ({ seq, partition: seq % 4 })),
    NOW,
  );
  await tx.events.listForProfile('w', 'p1', { limit: 50 });
  await tx.triggerTimers.claimDue(NOW, 100);
  await tx.triggerTimers.nextWake();
  await tx.profiles.resolve('w', [{ kind: 'userId', value: 'u1' }]);
  await tx.profiles.getMany('w', ['p1']);
  await tx.profiles.personalization('w', { kind: 'anonymousId', value: 'a1' });
  await tx.lists.membership('w', ['p1']);
  await tx.tasks.list('w', { team: 'sales', status: 'open', limit: 20 });
  await tx.workspaces.findByKey('write', 'hash');
  for (const { call } of INDEXED) await call(tx);
  await tx.channelConfigs.get('w', 'email');
  await tx.suppressions.list('w', { limit: 50, channel: 'email' });
  await tx.subscriptions.reassign('w', 'p1', 'p2');
  await tx.formSubmissions.get('w', 'p1', 'feedback', 'm:m1');
}

/** A hot query of channels and consent, and the index it must read on each backend. */
interface IndexedCall {
  name: string;
  call: (tx: Tx) => Promise<unknown>;
  index: { sqlite: string; postgres: string };
}

const INDEXED: IndexedCall[] = [
  {
    name: 'tasks.overdue',
    call: (tx) => tx.tasks.overdue(NOW, 100),
    index: { sqlite: 'tasks_overdue', postgres: 'tasks_overdue' },
  },
  {
    name: 'tasks.nextOverdue',
    call: (tx) => tx.tasks.nextOverdue(),
    index: { sqlite: 'tasks_overdue', postgres: 'tasks_overdue' },
  },
  {
    name: 'messages.getByProviderId',
    call: (tx) => tx.messages.getByProviderId('w', 'SM123'),
    index: { sqlite: 'messages_provider', postgres: 'messages_provider' },
  },
  {
    name: 'messages.countSent',
    call: (tx) =>
      tx.messages.countSent({ workspaceId: 'w', profileId: 'p1', channel: 'sms', since: NOW }),
    index: { sqlite: 'messages_sent', postgres: 'messages_sent' },
  },
  {
    name: 'messages.countSent of a journey',
    call: (tx) =>
      tx.messages.countSent({
        workspaceId: 'w',
        profileId: 'p1',
        channel: 'sms',
        since: NOW,
        journeyId: 'j1',
      }),
    index: { sqlite: 'messages_sent', postgres: 'messages_sent' },
  },
  {
    name: 'conversions.openWindowsFor',
    call: (tx) =>
      tx.conversions.openWindowsFor({
        workspaceId: 'w',
        profileIds: ['p1', 'p2'],
        eventNames: ['payment_received'],
        at: NOW,
      }),
    index: {
      sqlite: 'sqlite_autoindex_conversion_windows_1',
      postgres: 'conversion_windows_pk',
    },
  },
  {
    name: 'conversions.list',
    call: (tx) => tx.conversions.list('w', 'j1', { limit: 50 }),
    index: { sqlite: 'conversions_journey', postgres: 'conversions_journey' },
  },
  {
    name: 'conversions.pruneWindows',
    call: (tx) => tx.conversions.pruneWindows(NOW, 500),
    index: { sqlite: 'conversion_windows_until', postgres: 'conversion_windows_until' },
  },
  {
    name: 'subscriptions.forProfile',
    call: (tx) => tx.subscriptions.forProfile('w', 'p1'),
    index: { sqlite: 'sqlite_autoindex_subscriptions_1', postgres: 'subscriptions_pk' },
  },
  {
    name: 'suppressions.get',
    call: (tx) => tx.suppressions.get('w', 'email', 'ada@example.com'),
    index: { sqlite: 'sqlite_autoindex_suppressions_1', postgres: 'suppressions_pk' },
  },
  {
    name: 'forms.get',
    call: (tx) => tx.forms.get('w', 'feedback'),
    index: { sqlite: 'sqlite_autoindex_forms_1', postgres: 'forms_pk' },
  },
  {
    name: 'formSubmissions.list',
    call: (tx) => tx.formSubmissions.list('w', 'feedback', { limit: 50 }),
    index: { sqlite: 'form_submissions_form', postgres: 'form_submissions_form' },
  },
];

/** The statements that read (the ones a plan matters for). */
const reads = (queries: readonly QueryLog[]): QueryLog[] =>
  queries.filter((q) => /^\s*(select|update|delete|with)\b/i.test(q.sql));

/** SQLite: the indexes a statement's plan reads. */
function sqliteIndexes(path: string, q: QueryLog): { indexes: string[]; plan: string } {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    const plan = db
      .prepare<unknown[], { detail: string }>(`explain query plan ${q.sql}`)
      .all([...q.parameters])
      .map((r) => r.detail);
    const indexes = plan.flatMap((line) => {
      const m = /USING (?:COVERING )?INDEX (\w+)/.exec(line);
      return m?.[1] ? [m[1]] : [];
    });
    return { indexes, plan: plan.join('\n') };
  } finally {
    db.close();
  }
}

/** A node of PostgreSQL's `explain (format json)` plan. */
interface PgPlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PgPlanNode[];
}

/**
 * PostgreSQL: the indexes a statement's plan reads, planned with sequential scans disabled (the
 * test tables are empty, where a scan is always cheapest): what is asserted is that the index can
 * serve the statement at all, e.g. that its partial-index predicate is implied by the query.
 */
async function postgresIndexes(
  url: string,
  q: QueryLog,
): Promise<{ indexes: string[]; plan: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('set local enable_seqscan = off');
    const res = await client.query<{ 'QUERY PLAN': Array<{ Plan: PgPlanNode }> }>(
      `explain (format json) ${q.sql}`,
      [...q.parameters],
    );
    await client.query('rollback');
    const root = res.rows[0]?.['QUERY PLAN'][0]?.Plan;
    assert.ok(root, `no plan for ${q.sql}`);
    const indexes: string[] = [];
    const nodes: string[] = [];
    const walk = (n: PgPlanNode): void => {
      nodes.push(n['Node Type'] + (n['Index Name'] ? ` on ${n['Index Name']}` : ''));
      if (n['Index Name']) indexes.push(n['Index Name']);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(root);
    return { indexes, plan: nodes.join('\n') };
  } finally {
    await client.end();
  }
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
      const read = reads(queries);
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

for (const backend of backends()) {
  describe(`query plans of channels and consent (${backend.name})`, () => {
    const queries: QueryLog[] = [];
    let store: TestStore;
    before(async () => {
      store = await backend.open({ onQuery: (q) => queries.push(q) });
    });
    after(async () => {
      await store.close();
    });

    for (const { name, call, index } of INDEXED) {
      it(`${name} reads ${index[backend.name]}`, async () => {
        queries.length = 0;
        await store.transaction(call);
        const [q, ...more] = reads(queries);
        assert.ok(q, `${name} ran no read`);
        assert.deepEqual(more, [], `${name} ran one read`);
        const target = parseStoreUrl(store.url);
        const { indexes, plan } =
          target.kind === 'sqlite'
            ? sqliteIndexes(target.path, q)
            : await postgresIndexes(store.url, q);
        assert.ok(indexes.includes(index[backend.name]), `${q.sql}\n${plan}`);
        assert.doesNotMatch(plan, /Seq Scan/, `${q.sql}\n${plan}`);
      });
    }
  });
}
