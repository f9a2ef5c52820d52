/**
 * Conversion reports of a journey under `/api/journeys/:id/conversions` (admin token): the list,
 * newest first and paged, and the summary by goal, node, channel and holdout group. Each route
 * parses its input with zod and calls one use-case of app/conversions.ts.
 */
import { z } from 'zod';
import { conversionSummary, listConversions } from '../app/conversions.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { page } from './schemas.ts';

const ById = z.object({ id: z.string().min(1) });
const Millis = z.number().int().describe('epoch milliseconds');

/** A conversion as the API answers it. */
const ConversionSchema = z.object({
  id: z.string(),
  profileId: z.string(),
  journeyId: z.string(),
  version: z.number().int(),
  runId: z.string(),
  goalId: z.string(),
  eventId: z.string().describe('the goal event (its Segment messageId)'),
  eventName: z.string(),
  stage: z
    .enum(['in_run', 'after_run'])
    .describe('in_run: the run was in progress; after_run: it had ended, inside the window'),
  variant: z.string().nullable().describe('split variant; `holdout` for the control group'),
  nodeId: z.string().nullable().describe('the node of the message credited (last touch)'),
  messageId: z.string().nullable(),
  channel: z.string().nullable(),
  value: z.number().nullable().describe("the goal's valueProperty (revenue)"),
  currency: z.string().nullable(),
  at: Millis.describe('when the goal event happened'),
  createdAt: Millis,
});

const Totals = {
  conversions: z.number().int(),
  convertedRuns: z.number().int().describe('distinct runs with a conversion'),
  revenue: z.number().describe('sum of the values'),
};

const GroupRate = z.object({
  runs: z.number().int(),
  convertedRuns: z.number().int(),
  rate: z.number().nullable().describe('convertedRuns / runs; null without runs'),
});

const SummarySchema = z.object({
  journeyId: z.string(),
  total: z.object(Totals),
  byGoal: z.array(z.object({ goalId: z.string(), ...Totals })),
  byNode: z.array(
    z.object({ nodeId: z.string().nullable(), channel: z.string().nullable(), ...Totals }),
  ),
  byChannel: z.array(z.object({ channel: z.string().nullable(), ...Totals })),
  holdout: z
    .object({
      control: GroupRate,
      treatment: GroupRate,
      uplift: z.number().nullable().describe('treatment rate minus control rate'),
    })
    .nullable()
    .describe('present when a version of the journey has a split with a holdout'),
});

/** The conversion routes. */
export const conversionRoutes: AnyRoute[] = [
  defineRoute({
    id: 'listConversions',
    method: 'GET',
    url: '/api/journeys/:id/conversions',
    auth: 'admin',
    role: 'viewer',
    tag: 'conversions',
    summary: "A journey's conversions, newest first, a page at a time",
    params: ById,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().min(1).optional().describe('`next` of the previous page'),
      goal: z.string().min(1).optional().describe('only this goal'),
    }),
    response: page(ConversionSchema),
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, params, query }) {
      return listConversions(deps, workspaceId, params.id, query);
    },
  }),
  defineRoute({
    id: 'conversionSummary',
    method: 'GET',
    url: '/api/journeys/:id/conversions/summary',
    auth: 'admin',
    role: 'viewer',
    tag: 'conversions',
    summary: 'Conversions and revenue by goal, node and channel; holdout vs treatment',
    params: ById,
    response: SummarySchema,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      return conversionSummary(deps, workspaceId, params.id);
    },
  }),
];
