/**
 * The checks of the report reconciliation tests: every number of a journey report recounted from
 * the raw rows and the log of what the customers did (see reports-stage.ts), and the funnel (each
 * node's arrivals, each edge's) recounted from the runs' paths.
 */
import assert from 'node:assert/strict';
import type { JourneyReport } from '../app/reports.ts';
import {
  does,
  USERS,
  ZONE,
  SPRING_EDGES,
  type Arrival,
  type EmailLog,
  type ReportsStage,
} from './reports-stage.ts';

/**
 * Checks the funnel (each node's arrivals, each edge's) against the runs' paths: the edges
 * are the graph's (`edges`, each pair of nodes once) and each counts the runs that went along
 * it — the arrivals at its target from its source, not those from the target's other ways in.
 */
export function checkFunnel(r: JourneyReport, paths: Arrival[][], edges: string[]): void {
  const arrivals = paths.flat();
  const reached = (node: string) => arrivals.filter((a) => a.node === node).length;
  const went = (from: string, to: string) =>
    arrivals.filter((a) => a.from === from && a.node === to).length;
  for (const n of r.nodes) assert.equal(n.reached, reached(n.nodeId), `reached ${n.nodeId}`);
  assert.deepEqual(r.dropOff.map((e) => `${e.from}→${e.to}`).sort(), [...edges].sort());
  for (const e of r.dropOff) {
    const name = `${e.from}→${e.to}`;
    assert.equal(e.reachedFrom, reached(e.from), `${name} reachedFrom`);
    assert.equal(e.reachedTo, went(e.from, e.to), `${name} reachedTo`);
    assert.equal(e.dropOff, e.reachedFrom - e.reachedTo, `${name} dropOff`);
    assert.ok(e.dropOff >= 0, `${name} dropOff ≥ 0`);
    assert.equal(e.rate, e.reachedFrom ? e.reachedTo / e.reachedFrom : null, `${name} rate`);
    assert.equal(e.unattributed, 0, `${name}: every arrival was counted with its edge`);
  }
  // Every arrival but the entries went along an edge of the report.
  assert.equal(
    sum(r.dropOff.map((e) => e.reachedTo)),
    arrivals.filter((a) => a.from !== null).length,
  );
}

/** Counts items by key (null keys are not counted). */
export const tally = <T>(items: T[], key: (t: T) => string | null) => {
  const out: Record<string, number> = {};
  for (const t of items) {
    const k = key(t);
    if (k !== null) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};
/** The sum of numbers. */
export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Checks every number of the report against the raw rows and this test's log. */
/** `to`: the series' last day (New York moves its clocks forward on 8 March). */
export async function reconcile(
  st: ReportsStage,
  v: number | undefined,
  to: string,
): Promise<void> {
  const r = await st.report(to, v === undefined ? '' : `&version=${v}`);
  const { runs, messages, conversions, paths } = await st.raw(v);
  assert.equal(r.version, v ?? null);

  // Runs.
  assert.equal(r.runs.entered, runs.length);
  assert.equal(
    r.runs.active,
    runs.filter((x) => x.status === 'active' || x.status === 'waiting').length,
  );
  assert.equal(r.runs.completed, runs.filter((x) => x.status === 'completed').length);
  const exited = runs.filter((x) => x.status === 'exited');
  assert.deepEqual(
    r.runs.exitedByGoal,
    tally(exited, (x) => (x.exit?.kind === 'goal' ? x.exit.goal : null)),
  );
  assert.deepEqual(
    r.runs.exitedOther,
    tally(exited, (x) => (x.exit?.kind === 'goal' ? null : (x.exit?.kind ?? 'unknown'))),
  );
  if (v === undefined) {
    assert.ok(Object.keys(r.runs.exitedByGoal).length > 0, 'some runs exited by the goal');
    assert.ok((r.runs.exitedOther.holdout ?? 0) > 0, 'some runs were held out');
  }
  assert.deepEqual(
    r.byVersion.map((b) => [b.version, b.entered]),
    Object.entries(tally(runs, (x) => String(x.version))).map(([k, n]) => [Number(k), n]),
  );

  // Nodes: reached and drop-off along each edge (from the runs' paths), there now.
  checkFunnel(r, [...paths.values()], SPRING_EDGES);
  const reached = (node: string) =>
    [...paths.values()].flat().filter((a) => a.node === node).length;
  for (const n of r.nodes) {
    assert.equal(
      n.atNow,
      runs.filter((x) => (x.status === 'active' || x.status === 'waiting') && x.node === n.nodeId)
        .length,
      `at ${n.nodeId} now`,
    );
  }
  assert.deepEqual(
    r.nodes.map((n) => n.nodeId),
    ['pick', 'email-a', 'email-b', 'pause', 'text', 'listen', 'done'],
  );
  const edge = (from: string, to: string) => {
    const e = r.dropOff.find((x) => x.from === from && x.to === to);
    assert.ok(e, `an edge ${from}→${to}`);
    return e;
  };
  assert.equal(edge('pause', 'text').dropOff, reached('pause') - reached('text'));
  if (v === undefined)
    assert.ok(edge('pause', 'text').dropOff > 0, 'buyers left between the wait and the text');
  // Reached from the split: each arm's runs. Two ways into `pause`: each email's runs.
  for (const arm of ['a', 'b']) {
    const armRuns = runs.filter((x) => x.state.variant === arm);
    assert.equal(edge('pick', `email-${arm}`).reachedTo, armRuns.length, `pick→email-${arm}`);
    // The email goes out and the run goes on to the wait in the same step.
    assert.equal(edge(`email-${arm}`, 'pause').reachedTo, armRuns.length, `email-${arm}→pause`);
  }
  if (v === undefined)
    for (const arm of ['a', 'b'])
      assert.ok(
        edge(`email-${arm}`, 'pause').reachedTo < reached('pause'),
        `email-${arm}→pause is credited its own runs only`,
      );

  // Messages per node: statuses from the outbox rows.
  for (const node of ['email-a', 'email-b', 'text']) {
    const rows = messages.filter((m) => m.nodeId === node);
    const m = r.messages.find((x) => x.nodeId === node);
    assert.ok(m || rows.length === 0, `a row for ${node}`);
    if (!m) continue;
    const status = (st: string) => rows.filter((x) => x.status === st).length;
    assert.equal(m.messages, rows.length, `${node} messages`);
    assert.equal(m.sent, rows.filter((x) => x.sentAt !== null).length, `${node} sent`);
    assert.equal(m.delivered, status('delivered'), `${node} delivered`);
    assert.equal(m.failed, status('failed'), `${node} failed`);
    assert.equal(m.dead, status('dead'), `${node} dead`);
    assert.equal(m.skipped, status('skipped'), `${node} skipped`);
    assert.equal(m.pending, status('pending') + status('sending'), `${node} pending`);
  }

  // Outcomes of the emails, from what this test did: a click implies an open; a machine's
  // counts only where no person's did (opened.machine: messages only machines opened).
  for (const node of ['email-a', 'email-b']) {
    const ids = new Set(messages.filter((m) => m.nodeId === node).map((m) => m.id));
    const logs = [...st.emails.values()].filter((l) => ids.has(l.messageId));
    const m = r.messages.find((x) => x.nodeId === node)!;
    const human = (l: EmailLog, kinds: string[]) =>
      l.hits.some((h) => !h.machine && kinds.includes(h.kind));
    const machine = (l: EmailLog, kinds: string[]) =>
      l.hits.some((h) => h.machine && kinds.includes(h.kind));
    const opens = ['open', 'click'];
    assert.equal(m.opened.human, logs.filter((l) => human(l, opens)).length, `${node} opens`);
    assert.equal(
      m.opened.machine,
      logs.filter((l) => machine(l, opens) && !human(l, opens)).length,
      `${node} machine opens`,
    );
    assert.equal(m.clicked.human, logs.filter((l) => human(l, ['click'])).length);
    assert.equal(
      m.clicked.machine,
      logs.filter((l) => machine(l, ['click']) && !human(l, ['click'])).length,
    );
    assert.equal(m.unsubscribed, logs.filter((l) => l.unsubscribed).length);
    assert.equal(m.replied, 0);
  }

  // The texts: failures, replies, skips by reason.
  const texts = messages.filter((m) => m.nodeId === 'text');
  const t = r.messages.find((x) => x.nodeId === 'text')!;
  assert.equal(t.failed, texts.filter((m) => st.undelivered.has(m.id)).length);
  assert.equal(t.replied, texts.filter((m) => st.replied.has(m.id)).length);
  const textRuns = new Set(texts.map((m) => m.runId));
  const users = [...Array(USERS).keys()];
  const withText = [];
  for (const i of users) if (textRuns.has((await st.runOf(i)).id)) withText.push(i);
  const skippedBy: Record<string, number> = {};
  const noAddress = withText.filter((i) => does(i).noPhone).length;
  const unsubscribed = withText.filter((i) => st.stopped.has(i)).length;
  if (noAddress) skippedBy.no_address = noAddress;
  if (unsubscribed) skippedBy.unsubscribed = unsubscribed;
  assert.deepEqual(t.skippedBy, skippedBy);
  if (v === undefined) {
    assert.ok(t.failed > 0 && t.replied > 0 && noAddress > 0 && unsubscribed > 0);
    const all = r.messages.filter((x) => x.nodeId?.startsWith('email-'));
    assert.ok(sum(all.map((x) => x.opened.machine)) > 0, 'machine-only opens happened');
    assert.ok(sum(all.map((x) => x.clicked.machine)) > 0, 'scanner-only clicks happened');
  }

  // Templates: the same messages summed per template.
  const tpl = r.templates.find((x) => x.template === 'promo-sms');
  assert.equal(tpl?.messages, texts.length);

  // Conversions, from the conversion rows.
  assert.equal(r.conversions.total.conversions, conversions.length);
  assert.equal(r.conversions.total.revenue, sum(conversions.map((c) => c.value ?? 0)));
  assert.equal(r.conversions.total.convertedRuns, new Set(conversions.map((c) => c.runId)).size);
  const byChannel = tally(conversions, (c) => String(c.channel));
  assert.deepEqual(
    Object.fromEntries(r.conversions.byChannel.map((c) => [String(c.channel), c.conversions])),
    byChannel,
  );
  for (const n of r.conversions.byNode) {
    const rows = conversions.filter((c) => c.nodeId === n.nodeId && c.channel === n.channel);
    assert.equal(n.conversions, rows.length);
    assert.equal(n.revenue, sum(rows.map((c) => c.value ?? 0)));
  }
  assert.equal(sum(r.conversions.byNode.map((n) => n.conversions)), conversions.length);

  // The split: arms from the runs' variants, conversions from the conversion rows.
  const [x] = r.experiments;
  assert.ok(x);
  assert.equal(x.splitNode, 'pick');
  assert.equal(x.control, 'holdout');
  const control = x.arms.find((a) => a.name === 'holdout')!;
  for (const arm of x.arms) {
    const armRuns = runs.filter((run) => run.state.variant === arm.name);
    const converted = new Set(conversions.filter((c) => c.variant === arm.name).map((c) => c.runId))
      .size;
    assert.equal(arm.entered, armRuns.length, `arm ${arm.name} entered`);
    assert.equal(arm.converted, converted, `arm ${arm.name} converted`);
    if (arm.name === 'holdout' || armRuns.length === 0 || control.entered === 0) continue;
    assert.ok(arm.lift);
    assert.ok(Math.abs(arm.lift.difference - (converted / armRuns.length - control.rate!)) < 1e-12);
    assert.ok(arm.lift.interval.low <= arm.lift.difference);
    assert.ok(arm.lift.interval.high >= arm.lift.difference);
  }
  assert.equal(sum(x.arms.map((a) => a.entered)), runs.length);

  // The daily series, in New York days.
  assert.equal(r.timezone, ZONE);
  assert.deepEqual(
    r.daily.days.map((d) => d.date),
    Array.from(
      { length: Number(to.slice(8)) },
      (_, k) => `2026-03-${String(k + 1).padStart(2, '0')}`,
    ),
  );
  for (const d of r.daily.days) {
    const on = (at: number | null) => at !== null && st.local(at) === d.date;
    assert.equal(d.entered, runs.filter((x) => on(x.enteredAt)).length, `${d.date} entered`);
    assert.deepEqual(
      d.sent,
      tally(
        messages.filter((m) => on(m.sentAt)),
        (m) => m.channel,
      ),
      `${d.date} sent`,
    );
    const logs = [...st.emails.values()].filter((l) => messages.some((m) => m.id === l.messageId));
    // A person's first open (or click) of a message on that day; machines' only for
    // messages no person opened (clicked).
    const first = (l: EmailLog, kinds: string[], machine: boolean) =>
      l.hits.find((h) => h.machine === machine && kinds.includes(h.kind))?.at ?? null;
    const count = (kinds: string[], machine: boolean) =>
      logs.filter((l) =>
        machine
          ? first(l, kinds, false) === null && on(first(l, kinds, true))
          : on(first(l, kinds, false)),
      ).length;
    assert.equal(d.opens, count(['open', 'click'], false), `${d.date} opens`);
    assert.equal(d.machineOpens, count(['open', 'click'], true), `${d.date} machine opens`);
    assert.equal(d.clicks, count(['click'], false), `${d.date} clicks`);
    assert.equal(d.machineClicks, count(['click'], true), `${d.date} machine clicks`);
    const conv = conversions.filter((c) => on(c.at));
    assert.equal(d.conversions, conv.length, `${d.date} conversions`);
    assert.equal(d.revenue, sum(conv.map((c) => c.value ?? 0)), `${d.date} revenue`);
  }
  assert.equal(sum(r.daily.days.map((d) => d.entered)), runs.length);
}
