/**
 * Conversions at run time: the rows of goals reached and their attribution (last touch inside the
 * goal's window per channel, `core/evaluator/goals.ts`), and the attribution windows that let a
 * goal event still convert a run after the run ended.
 *
 * - While a run is in progress the evaluator emits `conversion` commands; the engine turns each
 *   into a row attributed to the run's last message inside the window (or to no message).
 * - When a run sends a message, or is held out by a split, the engine opens a window row per goal
 *   event name (`conversion_windows`, by (workspace, profile, event name)). The events phase looks
 *   the profile's open windows up by that key (one query per batch of events) and converts the
 *   ended runs whose goal the event reaches: a treatment run when one of its messages is inside
 *   its channel's window, a held-out run when the event comes within the goal's longest window of
 *   the moment it was held out (the control group is measured the same way as the treatment,
 *   without a message).
 * - A conversion is recorded once per (event, journey, goal): the primary key of `conversions`.
 */
import {
  lastTouch,
  longestAttributionWindowMs,
  matchGoals,
  runScope,
  type EventFact,
  type Goal,
  type GoalMatch,
  type JourneyDefinition,
  type ProfileFact,
  type RunState,
  type Touch,
} from '@waymark/core';
import { newId } from '../ids.ts';
import type { ConversionRow, ConversionWindowRow, RunRow, Tx } from '../storage/store.ts';
import type { DefinitionCache } from './definitions.ts';

/**
 * Added to a send's window in the index: the window runs from when the message went out, which
 * may be later than when it was enqueued (retries, pacing). The exact window is checked against
 * the message's `sentAt` when a goal event comes.
 */
export const DELIVERY_SLACK_MS = 24 * 3_600_000;

/** The goal of a definition by id. */
function goalOf(definition: JourneyDefinition, id: string): Goal | undefined {
  return (definition.policies.goals ?? []).find((g) => g.id === id);
}

/** Longest window per goal event name of a definition. */
function longestByEvent(definition: JourneyDefinition): Map<string, number> {
  const out = new Map<string, number>();
  for (const goal of definition.policies.goals ?? []) {
    const ms = longestAttributionWindowMs(goal);
    out.set(goal.event, Math.max(out.get(goal.event) ?? 0, ms));
  }
  return out;
}

/**
 * The windows a run opens when it sends a message (`slackMs` = DELIVERY_SLACK_MS) or is held out
 * (0): one per goal event name of its journey, open for the longest window of those goals.
 */
export function windowsOf(a: {
  workspaceId: string;
  definition: JourneyDefinition;
  state: RunState;
  now: number;
  slackMs: number;
}): ConversionWindowRow[] {
  const out: ConversionWindowRow[] = [];
  for (const [eventName, ms] of longestByEvent(a.definition)) {
    out.push({
      workspaceId: a.workspaceId,
      profileId: a.state.profileId,
      eventName,
      journeyId: a.state.journeyId,
      runId: a.state.runId,
      until: a.now + ms + a.slackMs,
    });
  }
  return out;
}

/** The run's messages that went out (sent or delivered), as touches; by idempotency key. */
export async function runTouches(tx: Tx, workspaceId: string, state: RunState): Promise<Touch[]> {
  const touches: Touch[] = [];
  for (const { key } of Object.values(state.messages)) {
    const m = await tx.messages.getByKey(workspaceId, key);
    if (!m || m.kind !== 'message' || m.nodeId === null || m.sentAt === null) continue;
    if (m.status !== 'sent' && m.status !== 'delivered') continue;
    touches.push({ messageId: m.id, nodeId: m.nodeId, channel: m.channel, sentAt: m.sentAt });
  }
  return touches;
}

/** A conversion row of a run for a goal reached by an event, credited to `touch` (or none). */
export function conversionRow(a: {
  workspaceId: string;
  state: RunState;
  match: Pick<GoalMatch, 'goal' | 'value' | 'currency'>;
  event: EventFact;
  touch: Touch | null;
  stage: ConversionRow['stage'];
  now: number;
}): ConversionRow {
  const { state, match, event, touch } = a;
  return {
    workspaceId: a.workspaceId,
    profileId: state.profileId,
    id: newId(a.now),
    journeyId: state.journeyId,
    version: state.version,
    runId: state.runId,
    goalId: match.goal,
    eventId: event.id,
    eventName: event.name,
    stage: a.stage,
    variant: state.variant ?? null,
    nodeId: touch?.nodeId ?? null,
    messageId: touch?.messageId ?? null,
    channel: touch?.channel ?? null,
    value: match.value ?? null,
    currency: match.currency ?? null,
    at: event.timestamp,
    createdAt: a.now,
  };
}

/** The conversion of a goal reached while the run was in progress, with its last touch. */
export async function inRunConversion(a: {
  tx: Tx;
  workspaceId: string;
  definition: JourneyDefinition;
  state: RunState;
  match: Pick<GoalMatch, 'goal' | 'value' | 'currency'>;
  event: EventFact;
  now: number;
}): Promise<ConversionRow> {
  const goal = goalOf(a.definition, a.match.goal);
  const touch = goal
    ? lastTouch(goal, await runTouches(a.tx, a.workspaceId, a.state), a.event.timestamp)
    : null;
  return conversionRow({ ...a, touch, stage: 'in_run' });
}

/** An event of a profile for the events phase. */
export interface ProfileEvent {
  profileId: string;
  event: EventFact;
  /** Runs that received the event while in progress (the evaluator converted them). */
  liveRunIds: ReadonlySet<string>;
}

/**
 * What after-run attribution needs of the engine batch it runs in (`engine.ts` `Batch`): the run
 * as the batch left it, the profile as the evaluator sees it, and where conversions go.
 */
export interface AttributionBatch {
  latest(runId: string): RunRow | undefined;
  profileFact(workspaceId: string, profileId: string): Promise<ProfileFact>;
  addConversion(row: ConversionRow): void;
}

/**
 * Converts ended runs whose attribution window an event falls in, for a batch of events of one
 * workspace: one window lookup for the whole batch; runs, definitions and messages are read only
 * for the events that hit a window. Rows go to the batch (written with it, duplicates skipped).
 */
export async function convertAfterRuns(a: {
  batch: AttributionBatch;
  tx: Tx;
  definitions: DefinitionCache;
  workspaceId: string;
  events: ProfileEvent[];
  now: number;
}): Promise<number> {
  const { batch, tx, workspaceId: ws } = a;
  if (a.events.length === 0) return 0;
  const windows = await tx.conversions.openWindowsFor({
    workspaceId: ws,
    profileIds: [...new Set(a.events.map((e) => e.profileId))],
    eventNames: [...new Set(a.events.map((e) => e.event.name))],
    at: Math.min(...a.events.map((e) => e.event.timestamp)),
  });
  if (windows.length === 0) return 0;
  const stored = new Map(
    (await tx.runs.getMany(ws, [...new Set(windows.map((w) => w.runId))])).map((r) => [r.id, r]),
  );
  let converted = 0;
  for (const { profileId, event, liveRunIds } of a.events) {
    const open = windows.filter(
      (w) =>
        w.profileId === profileId &&
        w.eventName === event.name &&
        w.until >= event.timestamp &&
        !liveRunIds.has(w.runId),
    );
    // Per (journey, goal): the run whose credit is the most recent.
    const best = new Map<string, { row: ConversionRow; score: number }>();
    for (const w of open) {
      const found = stored.get(w.runId);
      const run = found ? (batch.latest(found.id) ?? found) : undefined;
      if (!run || !endedOpenToGoals(run)) continue;
      const definition = await a.definitions.version(tx, ws, run.journeyId, run.version);
      const profile = await batch.profileFact(ws, run.profileId);
      const scope = runScope({ state: run.state, profile, now: a.now, event });
      const matches = matchGoals({ definition, event, scope });
      if (matches.length === 0) continue;
      const held = run.exit?.kind === 'holdout';
      const touches = held ? [] : await runTouches(tx, ws, run.state);
      for (const match of matches) {
        const goal = goalOf(definition, match.goal);
        if (!goal) continue;
        let touch: Touch | null = null;
        let score: number;
        if (held) {
          const since = run.endedAt ?? run.enteredAt;
          const late = event.timestamp - since;
          if (late < 0 || late > longestAttributionWindowMs(goal)) continue;
          score = since;
        } else {
          touch = lastTouch(goal, touches, event.timestamp);
          if (!touch) continue;
          score = touch.sentAt;
        }
        const k = `${run.journeyId}\u0000${match.goal}`;
        const had = best.get(k);
        if (had && had.score >= score) continue;
        best.set(k, {
          score,
          row: conversionRow({
            workspaceId: ws,
            state: run.state,
            match,
            event,
            touch,
            stage: 'after_run',
            now: a.now,
          }),
        });
      }
    }
    for (const { row } of best.values()) batch.addConversion(row);
    converted += best.size;
  }
  return converted;
}

/**
 * An ended run a later goal event may still convert: completed, exited by its flow or held out;
 * not one that already reached an exiting goal (its conversion is recorded) and not one running.
 */
function endedOpenToGoals(run: RunRow): boolean {
  if (run.status !== 'completed' && run.status !== 'exited') return false;
  return run.exit?.kind !== 'goal';
}
