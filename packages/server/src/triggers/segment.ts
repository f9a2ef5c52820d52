/**
 * `segment`: an identify call that moves the profile into (or out of) the segment enters it. The
 * condition is tested on the traits before and after the call, so only the crossing counts.
 */
import { evaluateCondition, traitsBefore } from '@waymark/core';
import type { ServerTrigger, TriggerOf } from './trigger.ts';

/** The `segment` trigger on the server. */
export const segmentTrigger: ServerTrigger<TriggerOf<'segment'>> = {
  publishedEvent: () => null,
  journeyJob: () => null,
  preloadsEntries: false,
  async onEvent({ batch, journey, trigger, event, context, profileId, now, enter }) {
    if (event.type !== 'identify') return null;
    const after = await batch.profileFact(journey.journey.workspaceId, profileId);
    const before = { ...after, traits: traitsBefore(after.traits, context) };
    const was = evaluateCondition(trigger.condition, { profile: before, now });
    const is = evaluateCondition(trigger.condition, { profile: after, now });
    const crossed = trigger.on === 'enter' ? !was && is : was && !is;
    return crossed ? enter(profileId, { kind: 'enter', event }) : null;
  },
  onTimer: async () => {},
};
