/** The event trigger: an event of the profile with that name starts a run, when `where` holds. */
import { evaluateCondition } from '../../conditions/evaluate.ts';
import type { TriggerKind } from '../kind.ts';
import { EventTrigger } from './event.schema.ts';

/** The event trigger kind. */
export const eventTriggerKind = {
  type: 'event',
  schema: EventTrigger,
  label: 'Event',
  help: 'A run starts when the profile does something (a `track` event).',
  icon: 'zap',
  defaults: { type: 'event' },
  onEvents: true,
  summary: (trigger) => `event ${trigger.event}`,
  // The filter reads `event.*` and `profile.*` paths; the event is the trigger too.
  matches: (trigger, event, profile) =>
    event.name === trigger.event &&
    (!trigger.where ||
      evaluateCondition(trigger.where, { profile, event, trigger: event, now: event.timestamp })),
} satisfies TriggerKind<'event'>;
