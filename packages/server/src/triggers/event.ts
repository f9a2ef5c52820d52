/** `event`: a matching event of the profile (name, optional filter) enters it. */
import { matchesTrigger, type Trigger } from '@waymark/core';
import type { RunRow } from '../storage/store.ts';
import type { EventScope, ServerTrigger, TriggerOf } from './trigger.ts';

/** Enters the event's profile when the event matches the trigger (core's `matchesTrigger`). */
export async function enterOnMatch(scope: EventScope<Trigger>): Promise<RunRow | null> {
  const { batch, journey, trigger, event, profileId, enter } = scope;
  const profile = await batch.profileFact(journey.journey.workspaceId, profileId);
  if (!matchesTrigger(trigger, event, profile)) return null;
  return enter(profileId, { kind: 'enter', event });
}

/** The `event` trigger on the server. */
export const eventTrigger: ServerTrigger<TriggerOf<'event'>> = {
  publishedEvent: (trigger) => trigger.event,
  journeyJob: () => null,
  preloadsEntries: true,
  onEvent: enterOnMatch,
  onTimer: async () => {},
};
