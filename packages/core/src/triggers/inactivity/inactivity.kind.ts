/**
 * The inactivity trigger: no activity for a while starts a run, once per quiet spell. The server
 * schedules the deadline per profile; this says when it falls and which events reset it.
 */
import type { EventFact } from '../../evaluator/types.ts';
import { durationMs } from '../../journey/duration.ts';
import type { TriggerOf } from '../../journey/schema.ts';
import type { TriggerKind } from '../kind.ts';
import { InactivityTrigger } from './inactivity.schema.ts';

/** When an inactivity trigger fires: the last activity plus the quiet spell. */
export function inactivityDeadline(args: {
  trigger: TriggerOf<'inactivity'>;
  lastActivityAt: number;
}): number {
  return args.lastActivityAt + durationMs(args.trigger.after);
}

/** Whether an event resets an inactivity trigger's clock (every event, unless `activity` names some). */
export function countsAsActivity(trigger: TriggerOf<'inactivity'>, event: EventFact): boolean {
  return trigger.activity === undefined || trigger.activity.includes(event.name);
}

/** The inactivity trigger kind. */
export const inactivityTriggerKind = {
  type: 'inactivity',
  schema: InactivityTrigger,
  label: 'Inactivity',
  help: 'A run starts when the profile has been quiet for a while.',
  icon: 'moon',
  defaults: { type: 'inactivity', after: 'P30D' },
  onEvents: false,
  summary: (trigger) => `inactivity ${trigger.after}`,
  matches: () => false,
} satisfies TriggerKind<'inactivity'>;
