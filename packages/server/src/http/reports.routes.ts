/**
 * Journey reports under `/api/journeys/:id/report` (admin token): runs, the node funnel, messages
 * per node and template, conversions, A/B arms with lift, and a daily series (app/reports.ts;
 * docs/reports.md says what each number means).
 */
import { z } from 'zod';
import { journeyReport } from '../app/reports.ts';
import { defineRoute, type AnyRoute } from './route.ts';

const Count = z.number().int();
const Counts = z.record(z.string(), Count);
const Rate = z.number().nullable();

const RunCounts = {
  entered: Count,
  active: Count.describe('running or waiting now'),
  completed: Count,
  exitedByGoal: Counts.describe('runs that exited by reaching a goal, per goal'),
  exitedOther: Counts.describe('runs that exited otherwise, per reason'),
};

const Interval = z.object({ low: z.number(), high: z.number() });

const MessageCounts = {
  channel: z.string(),
  template: z.string().nullable(),
  messages: Count.describe('outbox rows'),
  pending: Count.describe('not sent yet'),
  sent: Count.describe('handed to the provider'),
  delivered: Count,
  failed: Count.describe(
    'not rendered, or failed after the provider took it (undelivered, hard bounce)',
  ),
  dead: Count.describe('the provider refused it for good'),
  unknown: Count.describe(
    'the provider had it when the sender died, on a channel that sends at most once: it may or may not have gone out, and is not sent again',
  ),
  skipped: Count,
  skippedBy: Counts.describe(
    'skipped per reason: suppressed, unsubscribed, frequency_cap, skip_condition, no_address, other',
  ),
  opened: z
    .object({ human: Count, machine: Count })
    .describe('messages a person opened; messages only machines opened'),
  clicked: z.object({ human: Count, machine: Count }),
  replied: Count,
  unsubscribed: Count.describe('unsubscribes whose link named this message'),
  bounced: Count,
  complained: Count,
  other: Counts.describe('other outcomes per type (calls)'),
  rates: z
    .object({ delivered: Rate, opened: Rate, clicked: Rate })
    .describe('over sent; opened and clicked by people'),
};

const Totals = {
  conversions: Count,
  convertedRuns: Count.describe('distinct runs with a conversion'),
  revenue: z.number(),
};

const ReportSchema = z.object({
  journeyId: z.string(),
  name: z.string(),
  version: z.number().int().nullable().describe('null: all versions together'),
  timezone: z.string().describe("the workspace's zone: days of the series are its days"),
  runs: z.object(RunCounts),
  byVersion: z.array(z.object({ version: z.number().int(), ...RunCounts })),
  nodes: z.array(
    z.object({
      nodeId: z.string(),
      type: z.string(),
      reached: Count.describe('runs that reached the node'),
      atNow: Count.describe('runs at the node now'),
    }),
  ),
  dropOff: z.array(
    z
      .object({
        from: z.string(),
        to: z.string(),
        reachedFrom: Count.describe('arrivals at `from`'),
        reachedTo: Count.describe(
          'arrivals at `to` coming from `from` (not from its other ways in); at most reachedFrom',
        ),
        dropOff: Count.describe('reachedFrom − reachedTo, never negative'),
        rate: Rate.describe('reachedTo / reachedFrom, at most 1; null when nobody reached `from`'),
        unattributed: Count.describe(
          'of the dropped, arrivals at `to` counted before edges were (store migration 008) ' +
            'that may have come this way: `to` has several ways in; 0 for runs since',
        ),
      })
      .describe('an edge of the graph, once per pair of nodes'),
  ),
  messages: z.array(z.object({ nodeId: z.string().nullable(), ...MessageCounts })),
  templates: z.array(z.object(MessageCounts)),
  conversions: z.object({
    total: z.object(Totals),
    byGoal: z.array(z.object({ goalId: z.string(), ...Totals })),
    byNode: z.array(
      z.object({ nodeId: z.string().nullable(), channel: z.string().nullable(), ...Totals }),
    ),
    byChannel: z.array(z.object({ channel: z.string().nullable(), ...Totals })),
  }),
  experiments: z.array(
    z.object({
      splitNode: z.string(),
      control: z.string().describe('the holdout when the split has one, else its first variant'),
      arms: z.array(
        z.object({
          name: z.string(),
          entered: Count,
          converted: Count.describe('runs of the arm with a conversion'),
          rate: Rate,
          interval: Interval.nullable().describe('95% Wilson interval of the rate'),
          revenue: z.number(),
          lift: z
            .object({
              difference: z.number().describe('rate − control rate'),
              interval: Interval.describe('95% Newcombe (hybrid score) interval'),
              relative: Rate.describe('difference / control rate'),
              significant: z.boolean().describe('the interval excludes 0'),
            })
            .nullable(),
        }),
      ),
    }),
  ),
  daily: z.object({
    from: z.string(),
    to: z.string(),
    days: z.array(
      z.object({
        date: z.string(),
        entered: Count,
        sent: Counts.describe('messages sent by send nodes, per channel'),
        opens: Count,
        machineOpens: Count,
        clicks: Count,
        machineClicks: Count,
        conversions: Count,
        revenue: z.number(),
      }),
    ),
  }),
});

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .describe("a day in the workspace's time zone");

/** The report route. */
export const reportRoutes: AnyRoute[] = [
  defineRoute({
    id: 'journeyReport',
    method: 'GET',
    url: '/api/journeys/:id/report',
    auth: 'admin',
    role: 'viewer',
    tag: 'reports',
    summary: "A journey's report: runs, funnel, messages, conversions, A/B lift, daily series",
    description:
      'Counts of one version (`version`) or of all; the daily series covers `from`..`to` (local days, inclusive; default the last 30 days). See docs/reports.md.',
    params: z.object({ id: z.string().min(1) }),
    query: z.object({
      version: z.coerce.number().int().min(1).optional(),
      from: LocalDate.optional(),
      to: LocalDate.optional(),
    }),
    response: ReportSchema,
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, params, query }) {
      return journeyReport(deps, workspaceId, { journeyId: params.id, ...query });
    },
  }),
];
