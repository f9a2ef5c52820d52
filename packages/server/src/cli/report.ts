/**
 * `waymark report <journey>`: a journey's report (app/reports.ts) as readable tables, or as the
 * API's JSON with `--json`. Reads the store of DATABASE_URL (the embedded store by default).
 */
import type { Command } from 'commander';
import { journeyReport, type JourneyReport, type MessageCounts } from '../app/reports.ts';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import { configFromEnv } from '../config.ts';
import { AppError } from '../errors.ts';
import { createWaymark } from '../waymark.ts';

/** Columns padded to their widest cell; numbers right-aligned. */
function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const numeric = head.map(
    (_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number'),
  );
  const line = (r: string[]) =>
    r
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)]
    .map((l) => `  ${l}\n`)
    .join('');
}

const pct = (rate: number | null): string => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);
const money = (v: number): string => v.toFixed(2);
const pairs = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '–';

function messageRow(label: string, m: MessageCounts): Array<string | number> {
  return [
    label,
    m.channel,
    m.sent,
    m.delivered,
    m.opened.human,
    m.opened.machine,
    m.clicked.human,
    m.clicked.machine,
    m.replied,
    m.failed + m.dead,
    m.skipped,
    m.unsubscribed,
  ];
}

const MESSAGE_HEAD = [
  'channel',
  'sent',
  'delivered',
  'opened',
  'machine',
  'clicked',
  'machine',
  'replied',
  'failed',
  'skipped',
  'unsub',
];

/** The report as text tables. */
export function formatReport(r: JourneyReport): string {
  let out = `${r.name} (${r.journeyId}), ${r.version === null ? 'all versions' : `version ${r.version}`}\n\n`;
  out += 'Runs\n';
  out += table(
    ['version', 'entered', 'active', 'completed', 'by goal', 'exited otherwise'],
    [
      ...r.byVersion.map((v) => [
        String(v.version),
        v.entered,
        v.active,
        v.completed,
        pairs(v.exitedByGoal),
        pairs(v.exitedOther),
      ]),
      [
        'all',
        r.runs.entered,
        r.runs.active,
        r.runs.completed,
        pairs(r.runs.exitedByGoal),
        pairs(r.runs.exitedOther),
      ],
    ],
  );
  out += '\nNodes\n';
  out += table(
    ['node', 'type', 'reached', 'now'],
    r.nodes.map((n) => [n.nodeId, n.type, n.reached, n.atNow]),
  );
  out += '\nDrop-off\n';
  out += table(
    ['from', 'to', 'reached', 'went on', 'dropped', 'went on %'],
    r.dropOff.map((d) => [d.from, d.to, d.reachedFrom, d.reachedTo, d.dropOff, pct(d.rate)]),
  );
  out += '\nMessages by node\n';
  out += table(
    ['node', ...MESSAGE_HEAD],
    r.messages.map((m) => messageRow(m.nodeId ?? '–', m)),
  );
  const skips = r.messages.filter((m) => m.skipped > 0);
  for (const m of skips) out += `  skipped at ${m.nodeId ?? '–'}: ${pairs(m.skippedBy)}\n`;
  out += '\nMessages by template\n';
  out += table(
    ['template', ...MESSAGE_HEAD],
    r.templates.map((m) => messageRow(m.template ?? '–', m)),
  );
  const c = r.conversions;
  out += `\nConversions: ${c.total.conversions} by ${c.total.convertedRuns} runs, revenue ${money(c.total.revenue)}\n`;
  out += table(
    ['node', 'channel', 'conversions', 'runs', 'revenue'],
    c.byNode.map((n) => [
      n.nodeId ?? '(none)',
      n.channel ?? '–',
      n.conversions,
      n.convertedRuns,
      money(n.revenue),
    ]),
  );
  for (const x of r.experiments) {
    out += `\nSplit ${x.splitNode} (control: ${x.control}; lift with its 95% Newcombe interval)\n`;
    out += table(
      ['arm', 'entered', 'converted', 'rate', 'lift', '95% interval'],
      x.arms.map((a) => [
        a.name,
        a.entered,
        a.converted,
        pct(a.rate),
        a.lift ? `${(a.lift.difference * 100).toFixed(1)} pts` : '–',
        a.lift
          ? `${(a.lift.interval.low * 100).toFixed(1)} to ${(a.lift.interval.high * 100).toFixed(1)} pts${a.lift.significant ? ' *' : ''}`
          : '–',
      ]),
    );
  }
  const channels = [...new Set(r.daily.days.flatMap((d) => Object.keys(d.sent)))].sort();
  out += `\nDaily (${r.timezone}, ${r.daily.from} to ${r.daily.to})\n`;
  out += table(
    [
      'date',
      'entered',
      ...channels.map((ch) => `${ch} sent`),
      'opens',
      'machine',
      'clicks',
      'machine',
      'conv',
      'revenue',
    ],
    r.daily.days.map((d) => [
      d.date,
      d.entered,
      ...channels.map((ch) => d.sent[ch] ?? 0),
      d.opens,
      d.machineOpens,
      d.clicks,
      d.machineClicks,
      d.conversions,
      money(d.revenue),
    ]),
  );
  return out;
}

/** Adds `report <journey>` to the program. */
export function addReportCommand(cli: Command, out: (s: string) => void): void {
  cli
    .command('report <journey>')
    .description("a journey's report: runs, funnel, messages, conversions, A/B lift, daily series")
    .option('--version <n>', 'only this version (default: all versions)')
    .option('--from <date>', "first day of the daily series (YYYY-MM-DD, the workspace's zone)")
    .option('--to <date>', 'last day of the daily series (default: today)')
    .option('--json', 'print the JSON of GET /api/journeys/:id/report')
    .action(
      async (
        journeyId: string,
        opts: { version?: string; from?: string; to?: string; json?: boolean },
      ) => {
        const version = opts.version === undefined ? undefined : Number(opts.version);
        if (version !== undefined && (!Number.isInteger(version) || version < 1))
          throw new AppError('invalid_input', `--version must be a positive integer`, [
            { path: 'version', message: `got "${opts.version}"` },
          ]);
        const wm = await createWaymark(configFromEnv(process.env, { role: 'api' }));
        try {
          const report = await journeyReport(wm.deps, DEFAULT_WORKSPACE, {
            journeyId,
            version,
            from: opts.from,
            to: opts.to,
          });
          out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
        } finally {
          await wm.close();
        }
      },
    );
}
