/**
 * Goals and their attribution, pure: which goals an event reaches (with its value and currency),
 * how long a goal's attribution window is per channel, and which message of a run gets the credit
 * (last touch: the most recent message sent before the event, inside its channel's window).
 * The evaluator uses `matchGoals` while a run is in progress; the runtime uses all of it for goal
 * events that arrive after a run ended (or was held out) but inside the window.
 */
import { evaluateCondition, getPath, type ConditionScope } from '../conditions/evaluate.ts';
import { durationMs } from '../journey/duration.ts';
import type { Goal, JourneyDefinition } from '../journey/schema.ts';
import type { EventFact } from './types.ts';

/** The attribution window of a goal without one of its own. */
export const DEFAULT_ATTRIBUTION_WINDOW = 'P3D';

/** A goal reached by an event. */
export interface GoalMatch {
  goal: string;
  /** Whether the goal ends a run in progress. */
  exit: boolean;
  /** The `valueProperty` of the event, when it holds a finite number (or numeric text). */
  value?: number | undefined;
  /** The `currencyProperty` of the event, when it holds text. */
  currency?: string | undefined;
}

/** A message of a run that may get the credit for a conversion. */
export interface Touch {
  messageId: string;
  nodeId: string;
  channel: string;
  /** When the message went out (epoch ms). */
  sentAt: number;
}

function eventProperty(event: EventFact, property: string): unknown {
  return getPath(
    { profile: { id: '', traits: {}, lists: [] }, event, now: 0 },
    `event.properties.${property}`,
  );
}

/** The numeric value of `property` in the event; undefined when absent or not a number. */
export function goalValue(event: EventFact, property: string | undefined): number | undefined {
  if (property === undefined) return undefined;
  const raw = eventProperty(event, property);
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function goalCurrency(event: EventFact, property: string | undefined): string | undefined {
  if (property === undefined) return undefined;
  const raw = eventProperty(event, property);
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toUpperCase() : undefined;
}

/**
 * The goals of the definition that `event` reaches, in definition order: same event name and the
 * goal's `where` (evaluated in `scope`, whose `event` is this event) holds.
 */
export function matchGoals(a: {
  definition: JourneyDefinition;
  event: EventFact;
  scope: ConditionScope;
}): GoalMatch[] {
  const out: GoalMatch[] = [];
  for (const goal of a.definition.policies.goals ?? []) {
    if (goal.event !== a.event.name) continue;
    if (goal.where && !evaluateCondition(goal.where, a.scope)) continue;
    out.push({
      goal: goal.id,
      exit: goal.exit,
      value: goalValue(a.event, goal.valueProperty),
      currency: goalCurrency(a.event, goal.currencyProperty),
    });
  }
  return out;
}

/** The attribution window of a goal for messages of a channel, in milliseconds. */
export function attributionWindowMs(goal: Goal, channel: string): number {
  const windows = goal.attribution?.windows as Record<string, string | undefined> | undefined;
  return durationMs(windows?.[channel] ?? goal.attribution?.window ?? DEFAULT_ATTRIBUTION_WINDOW);
}

/** The longest window of a goal over all channels: how long after a send a goal may count. */
export function longestAttributionWindowMs(goal: Goal): number {
  const all = [goal.attribution?.window ?? DEFAULT_ATTRIBUTION_WINDOW];
  for (const w of Object.values(goal.attribution?.windows ?? {})) if (w) all.push(w);
  return Math.max(...all.map(durationMs));
}

/**
 * Last-touch attribution: of the messages sent at or before `at`, the most recent one whose
 * channel window still includes `at`; null when none does. A later message outside its own
 * (shorter) window does not hide an earlier one inside its (longer) window: an email 2 days ago
 * (window 3 days) gets the credit when the SMS of 30 hours ago (window 1 day) is too old.
 */
export function lastTouch(goal: Goal, touches: readonly Touch[], at: number): Touch | null {
  let best: Touch | null = null;
  for (const t of touches) {
    if (t.sentAt > at || at - t.sentAt > attributionWindowMs(goal, t.channel)) continue;
    if (!best || t.sentAt > best.sentAt) best = t;
  }
  return best;
}
