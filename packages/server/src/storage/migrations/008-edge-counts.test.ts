// 008-edge-counts upgrading a 007 store with arrivals counted, on every backend, and the report's
// funnel after it: arrivals counted before the upgrade have no edge. A node's only way in is
// credited them; on the ways into a node with several they are `unattributed`; runs since count
// along their edges exactly. No drop-off is negative and no rate above 1, even where the old
// counts disagree.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { ingest } from '../../app/ingest.ts';
import { applyJourney, checkJourney } from '../../app/journeys.ts';
import { journeyReport, type DropOff, type JourneyReport } from '../../app/reports.ts';
import { parseCall } from '../../app/segment.ts';
import { DEFAULT_WORKSPACE } from '../../app/workspaces.ts';
import { ManualClock } from '../../clock.ts';
import { configFromEnv } from '../../config.ts';
import { createWaymark, type Waymark } from '../../waymark.ts';
import { rawHandle, testDatabases, type TestDatabase } from '../testing.ts';
import { migrationProvider } from './index.ts';

const WS = DEFAULT_WORKSPACE;

/** The acceptance run's voucher journey: opened → done; timeout → a reminder → done. */
const VOUCHER = `
schemaVersion: 1
id: voucher
name: Voucher
trigger: { type: event, event: voucher_sent }
start: wait-open
nodes:
  wait-open:
    { type: wait_for, event: voucher_opened, timeout: P1D, next: done, onTimeout: remind }
  remind: { type: update_profile, set: { reminded: true }, next: done }
  done: { type: exit }
`;

/** A loop through a wait: `pause` is reached from the entry and from `check`. */
const LOOP = `
schemaVersion: 1
id: loop
name: Loop
trigger: { type: event, event: never_sent }
start: pause
nodes:
  pause: { type: wait, duration: PT1H, next: check }
  check:
    type: branch
    cases: [{ when: { field: profile.traits.again, op: eq, value: true }, next: pause }]
    default: done
  done: { type: exit }
`;

/** Arrivals counted by 005's engine, per journey and node (version 1, no variant). */
const BEFORE: Record<string, Record<string, number>> = {
  // 10,000 vouchers: 3,200 opened, 6,770 reminded, 30 still waiting.
  voucher: { 'wait-open': 10_000, remind: 6_770, done: 9_970 },
  // Counted before a loop back to the node a run woke at counted again: fewer at `pause` than
  // went on from it.
  loop: { pause: 100, check: 250, done: 90 },
};

/** The edge `from`→`to` of a report. */
function edge(r: JourneyReport, from: string, to: string): Omit<DropOff, 'from' | 'to'> {
  const e = r.dropOff.find((x) => x.from === from && x.to === to);
  assert.ok(e, `an edge ${from}→${to}`);
  const { from: _from, to: _to, ...counts } = e;
  return counts;
}

for (const kind of testDatabases()) {
  describe(`the funnel of a store upgraded to edge counts (${kind.name})`, () => {
    let db: TestDatabase;
    let wm: Waymark;
    const clock = new ManualClock(Date.parse('2026-05-04T09:00:00Z'));

    before(async () => {
      db = await kind.create();
      const raw = rawHandle(db.url);
      try {
        const migrator = new Migrator({
          db: raw,
          provider: migrationProvider(kind.name),
          migrationTableName: 'migrations',
          migrationLockTableName: 'migrations_lock',
        });
        assert.equal((await migrator.migrateTo('007-lean-messages')).error, undefined);
        for (const [journey, nodes] of Object.entries(BEFORE))
          for (const [node, runs] of Object.entries(nodes))
            await sql`insert into run_visit_counts
                (workspace_id, journey_id, version, node_id, variant, runs)
              values (${WS}, ${journey}, 1, ${node}, '', ${runs})`.execute(raw);
      } finally {
        await raw.destroy();
      }
      // Upgrades (008 and on), then runs six vouchers: two opened, four reminded.
      wm = await createWaymark(configFromEnv({}, { databaseUrl: db.url, role: 'worker' }), {
        clock,
      });
      await applyJourney(wm.deps, WS, checkJourney(VOUCHER));
      await applyJourney(wm.deps, WS, checkJourney(LOOP));
      const track = (i: number, event: string) =>
        parseCall('track', { userId: `u${i}`, event }, '');
      await ingest(
        wm.deps,
        WS,
        [...Array(6).keys()].map((i) => track(i, 'voucher_sent')),
      );
      await wm.worker.drain();
      await ingest(wm.deps, WS, [track(0, 'voucher_opened'), track(1, 'voucher_opened')]);
      await wm.worker.drain();
      clock.advance(25 * 3_600_000);
      await wm.worker.drain();
    });
    after(async () => {
      await wm?.close();
      await db?.drop();
    });

    it('credits old arrivals to a node’s only way in, and names the rest unattributed', async () => {
      const r = await journeyReport(wm.deps, WS, { journeyId: 'voucher' });
      assert.deepEqual(
        r.nodes.map((n) => [n.nodeId, n.reached]),
        [
          ['wait-open', 10_006],
          ['remind', 6_774],
          ['done', 9_976],
        ],
      );
      // `remind` has one way in: its old arrivals came from wait-open's timeout.
      assert.deepEqual(edge(r, 'wait-open', 'remind'), {
        reachedFrom: 10_006,
        reachedTo: 6_774,
        dropOff: 3_232,
        rate: 6_774 / 10_006,
        unattributed: 0,
      });
      // `done` has two: the old 9,970 went one way or the other; the new runs are exact.
      assert.deepEqual(edge(r, 'wait-open', 'done'), {
        reachedFrom: 10_006,
        reachedTo: 2,
        dropOff: 10_004,
        rate: 2 / 10_006,
        unattributed: 9_970,
      });
      assert.deepEqual(edge(r, 'remind', 'done'), {
        reachedFrom: 6_774,
        reachedTo: 4,
        dropOff: 6_770,
        rate: 4 / 6_774,
        unattributed: 6_770,
      });
    });

    it('never reports a negative drop-off or a rate above 1 from old counts', async () => {
      const r = await journeyReport(wm.deps, WS, { journeyId: 'loop' });
      assert.deepEqual(edge(r, 'pause', 'check'), {
        reachedFrom: 100,
        reachedTo: 100,
        dropOff: 0,
        rate: 1,
        unattributed: 0,
      });
      assert.deepEqual(edge(r, 'check', 'pause'), {
        reachedFrom: 250,
        reachedTo: 0,
        dropOff: 250,
        rate: 0,
        unattributed: 100,
      });
      assert.deepEqual(edge(r, 'check', 'done'), {
        reachedFrom: 250,
        reachedTo: 90,
        dropOff: 160,
        rate: 90 / 250,
        unattributed: 0,
      });
    });
  });
}
