// The storage contract of journey report counts and aggregates, run against every backend
// (storage/testing.ts): SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh,
// migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RunVisitRow } from '../store.ts';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0 } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: reports (${backend.name})`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    const arrival = (
      nodeId: string,
      fromNodeId: string | null,
      over: Partial<RunVisitRow> = {},
    ): RunVisitRow => ({
      workspaceId: WS,
      journeyId: 'j1',
      version: 1,
      nodeId,
      fromNodeId,
      variant: null,
      ...over,
    });
    const query = (version?: number) => ({
      workspaceId: WS,
      journeyId: 'j1',
      version,
      from: T0,
      to: T0 + 86_400_000,
      bucketMs: 86_400_000,
      bucketOffsetMs: 0,
    });
    const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

    it('counts arrivals per node and variant, and per node and the node come from', async () => {
      await store.transaction((tx) =>
        tx.reports.recordVisits([
          arrival('split', null),
          arrival('split', null),
          arrival('a', 'split', { variant: 'a' }),
          arrival('wait', 'a', { variant: 'a' }),
          arrival('b', 'split', { variant: 'b' }),
          arrival('wait', 'b', { variant: 'b' }),
        ]),
      );
      // A later batch adds to the same counts: a loop back to the wait, a version 2 run, another
      // journey and another workspace.
      await store.transaction((tx) =>
        tx.reports.recordVisits([
          arrival('wait', 'check', { variant: 'a' }),
          arrival('check', 'wait', { variant: 'a' }),
          arrival('check', 'wait', { variant: 'a' }),
          arrival('split', null, { version: 2 }),
          arrival('split', null, { journeyId: 'j2' }),
          arrival('split', null, { workspaceId: OTHER }),
        ]),
      );
      const all = await store.reports.aggregate(query());
      assert.deepEqual(
        sorted(all.visits),
        sorted([
          { version: 1, nodeId: 'split', variant: null, runs: 2 },
          { version: 1, nodeId: 'a', variant: 'a', runs: 1 },
          { version: 1, nodeId: 'b', variant: 'b', runs: 1 },
          { version: 1, nodeId: 'wait', variant: 'a', runs: 2 },
          { version: 1, nodeId: 'wait', variant: 'b', runs: 1 },
          { version: 1, nodeId: 'check', variant: 'a', runs: 2 },
          { version: 2, nodeId: 'split', variant: null, runs: 1 },
        ]),
      );
      assert.deepEqual(
        sorted(all.edges),
        sorted([
          { version: 1, fromNodeId: null, nodeId: 'split', runs: 2 },
          { version: 1, fromNodeId: 'split', nodeId: 'a', runs: 1 },
          { version: 1, fromNodeId: 'split', nodeId: 'b', runs: 1 },
          { version: 1, fromNodeId: 'a', nodeId: 'wait', runs: 1 },
          { version: 1, fromNodeId: 'b', nodeId: 'wait', runs: 1 },
          { version: 1, fromNodeId: 'check', nodeId: 'wait', runs: 1 },
          { version: 1, fromNodeId: 'wait', nodeId: 'check', runs: 2 },
          { version: 2, fromNodeId: null, nodeId: 'split', runs: 1 },
        ]),
      );
      const v2 = await store.reports.aggregate(query(2));
      assert.deepEqual(v2.edges, [{ version: 2, fromNodeId: null, nodeId: 'split', runs: 1 }]);
      assert.deepEqual(v2.visits, [{ version: 2, nodeId: 'split', variant: null, runs: 1 }]);
    });
  });
}
