// Journey reports reconcile: a journey with an A/B split and a holdout, email then SMS, runs on
// the scenario stage over three days (two versions), customers open (by hand and through privacy
// proxies), click (by hand and through link scanners), unsubscribe, text STOP, reply, fail, have
// no phone, and buy in and after their runs. Every number of `GET /api/journeys/:id/report` (all
// versions, and each version) must equal the count made here independently: from what this test
// did, and from the raw rows read through the store (runs, their traces, the outbox, conversions).
// The stage is in reports-stage.ts, the recounting in reports-checks.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JourneyReport } from '../app/reports.ts';
import type { RunRow } from '../storage/store.ts';
import { testDatabases } from '../storage/testing.ts';
import { checkFunnel, reconcile, sum } from './reports-checks.ts';
import {
  BROWSERS,
  browses,
  NUDGE_EDGES,
  startReportsStage,
  WS,
  type ReportsStage,
} from './reports-stage.ts';

for (const kind of testDatabases()) {
  describe(`journey reports reconcile with the raw rows (${kind.name})`, () => {
    let st: ReportsStage;
    before(async () => {
      st = await startReportsStage(kind);
    });
    after(async () => {
      await st?.close();
    });

    it('every number of the report of all versions', async () => {
      await reconcile(st, undefined, '2026-03-07');
    });

    it('every number of the report of version 1, and of version 2', async () => {
      await reconcile(st, 1, '2026-03-07');
      await reconcile(st, 2, '2026-03-07');
    });

    it('the series across a change of UTC offset (counted in hours, not days)', async () => {
      await reconcile(st, undefined, '2026-03-10');
    });

    it('each edge counts the runs that went along it: from a split, two ways in, a loop', async () => {
      const r = await st.report('2026-03-10');
      const r2 = await st.s.admin<JourneyReport>('GET', '/api/journeys/browse-nudge/report');
      assert.equal(r2.status, 200, JSON.stringify(r2.body));
      const nudge = r2.body as unknown as JourneyReport;
      const runs: RunRow[] = [];
      for (let i = 0; i < BROWSERS; i += 1) {
        const ids = await st.s.waymark.store.profiles.resolve(WS, [
          { kind: 'userId', value: `w${i}` },
        ]);
        const id = ids.get(`userId:w${i}`);
        assert.ok(id, `profile w${i}`);
        const mine = (await st.s.waymark.store.runs.listForProfile(WS, id)).filter(
          (x) => x.journeyId === 'browse-nudge',
        );
        assert.equal(mine.length, 1, `one run of w${i}`);
        runs.push(mine[0]!);
      }
      const paths = await Promise.all(runs.map((x) => st.pathOf(x.id, NUDGE_EDGES)));
      checkFunnel(nudge, paths, NUDGE_EDGES);

      // The same counts from what the browsers did.
      const all = [...Array(BROWSERS).keys()].map(browses);
      const views = sum(all.map((b) => b.views));
      const buyers = all.filter((b) => b.buys).length;
      const went = (from: string, to: string) =>
        nudge.dropOff.find((e) => e.from === from && e.to === to)?.reachedTo;
      const reached = (node: string) => nudge.nodes.find((n) => n.nodeId === node)?.reached;
      for (const arm of ['a', 'b']) {
        const armRuns = runs.filter((x) => x.state.variant === arm).length;
        assert.equal(went('arm', `tag-${arm}`), armRuns, `arm→tag-${arm}`);
        assert.equal(went(`tag-${arm}`, 'listen'), armRuns, `tag-${arm}→listen`);
        assert.ok(armRuns > 0 && armRuns < BROWSERS, `the split sent runs to ${arm}`);
      }
      assert.ok(views > 0 && buyers > 0 && buyers < BROWSERS);
      assert.equal(reached('listen'), BROWSERS + views, 'a view brings the run back to listen');
      assert.equal(went('listen', 'check'), views + buyers);
      assert.equal(went('check', 'listen'), views);
      assert.equal(went('check', 'done'), buyers);
      assert.equal(went('listen', 'nudge'), BROWSERS - buyers);
      assert.equal(went('nudge', 'done'), BROWSERS - buyers);
      assert.equal(reached('done'), BROWSERS);
      assert.equal(nudge.runs.exitedOther.exit_node, BROWSERS);

      // Versions: each version's edges count its own runs (spring-promo has two).
      const [v1, v2] = [
        await st.report('2026-03-10', '&version=1'),
        await st.report('2026-03-10', '&version=2'),
      ];
      for (const e of r.dropOff) {
        const part = (x: JourneyReport) =>
          x.dropOff.find((y) => y.from === e.from && y.to === e.to)?.reachedTo ?? 0;
        assert.equal(part(v1) + part(v2), e.reachedTo, `${e.from}→${e.to} over the versions`);
      }
    });

    it('names the field of bad input', async () => {
      const bad = await st.s.admin('GET', '/api/journeys/spring-promo/report?from=March');
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /from/);
      const version = await st.s.admin('GET', '/api/journeys/spring-promo/report?version=9');
      assert.equal(version.status, 404);
      assert.match(JSON.stringify(version.body), /version/);
      const missing = await st.s.admin('GET', '/api/journeys/nope/report');
      assert.equal(missing.status, 404);
    });
  });
}
