/**
 * Conversion reports of a journey: the conversions one by one (newest first, paged) and a summary
 * — counts and revenue by goal, by node (the message that got the credit) and by channel, and,
 * when a version of the journey holds out a control group, the conversion rate of the control
 * group against the treatment. How conversions are recorded and attributed: runtime/attribution.ts.
 */
import type { JourneyDefinition } from '@waymark/core';
import { AppError } from '../errors.ts';
import type { ConversionRow, ConversionTotals, Page } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';

/** A group of runs (control or treatment) and how many of them converted. */
export interface GroupRate {
  runs: number;
  convertedRuns: number;
  /** convertedRuns / runs; null without runs. */
  rate: number | null;
}

/** The summary of a journey's conversions. */
export interface ConversionSummary {
  journeyId: string;
  total: ConversionTotals;
  byGoal: Array<ConversionTotals & { goalId: string }>;
  /** `nodeId` null: converted while in the journey, or held out, with no message to credit. */
  byNode: Array<ConversionTotals & { nodeId: string | null; channel: string | null }>;
  byChannel: Array<ConversionTotals & { channel: string | null }>;
  /** Present when a version of the journey has a split with a holdout. */
  holdout: {
    control: GroupRate;
    treatment: GroupRate;
    /** treatment.rate − control.rate (in rate units, 0.05 = 5 points); null without both. */
    uplift: number | null;
  } | null;
}

/** A journey and its versions, oldest first; `not_found` naming `id` when there is none. */
export async function journeyVersions(deps: AppDeps, workspaceId: string, journeyId: string) {
  const journey = await deps.store.journeys.get(workspaceId, journeyId);
  if (!journey)
    throw new AppError('not_found', `journey ${journeyId} not found`, [
      { path: 'id', message: 'no such journey', hint: 'list journeys with GET /api/journeys' },
    ]);
  return { journey, versions: await deps.store.journeys.listVersions(workspaceId, journeyId) };
}

function hasHoldout(definition: JourneyDefinition): boolean {
  return Object.values(definition.nodes).some((n) => n.type === 'split' && (n.holdout ?? 0) > 0);
}

function groupRate(runs: number, convertedRuns: number): GroupRate {
  return { runs, convertedRuns, rate: runs > 0 ? convertedRuns / runs : null };
}

/** A journey's conversions, newest first (by the goal event's time); of one goal when given. */
export async function listConversions(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
  opts: { limit: number; cursor?: string | undefined; goal?: string | undefined },
): Promise<Page<ConversionRow>> {
  await journeyVersions(deps, workspaceId, journeyId);
  return deps.store.conversions.list(workspaceId, journeyId, {
    limit: opts.limit,
    cursor: opts.cursor,
    goalId: opts.goal,
  });
}

/** Counts and revenue of a journey's conversions by goal, node and channel; holdout vs treatment. */
export async function conversionSummary(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
): Promise<ConversionSummary> {
  const definitions = (await journeyVersions(deps, workspaceId, journeyId)).versions.map(
    (v) => v.definition,
  );
  const a = await deps.store.conversions.aggregate(workspaceId, journeyId);
  let holdout: ConversionSummary['holdout'] = null;
  if (definitions.some(hasHoldout)) {
    const control = groupRate(a.runsByGroup.holdout, a.convertedRunsByGroup.holdout);
    const treatment = groupRate(a.runsByGroup.treatment, a.convertedRunsByGroup.treatment);
    holdout = {
      control,
      treatment,
      uplift:
        control.rate !== null && treatment.rate !== null ? treatment.rate - control.rate : null,
    };
  }
  return {
    journeyId,
    total: a.total,
    byGoal: a.byGoal,
    byNode: a.byNode,
    byChannel: a.byChannel,
    holdout,
  };
}
