/**
 * `broadcast`: publishing schedules one journey-wide job (now, or at `at`); when it comes due it
 * enters every profile in the audience, a page per round. Resuming a paused journey does not send
 * it again.
 */
import { evaluateCondition } from '@waymark/core';
import { profilePage } from './pages.ts';
import type { ServerTrigger, TriggerOf } from './trigger.ts';

/** The `broadcast` trigger on the server. */
export const broadcastTrigger: ServerTrigger<TriggerOf<'broadcast'>> = {
  publishedEvent: () => null,
  journeyJob: (trigger, { now, publishing }) =>
    publishing ? { kind: 'broadcast', wakeAt: trigger.at ? Date.parse(trigger.at) : now } : null,
  preloadsEntries: false,
  onEvent: async () => null,
  async onTimer(scope) {
    const { batch, journey, trigger, timer: t, now, enter } = scope;
    if (t.kind !== 'broadcast') return;
    await profilePage(scope, async (profiles) => {
      const ids = profiles.map((p) => p.id);
      // One read per page for profiles and for entry histories (re-entry), not one per profile.
      await batch.preloadProfiles(t.workspaceId, ids);
      await batch.preloadEntryHistories(t.workspaceId, journey.journey.id, ids);
      for (const p of profiles) {
        if (p.mergedInto) continue;
        const profile = await batch.profileFact(t.workspaceId, p.id);
        if (!evaluateCondition(trigger.audience, { profile, now })) continue;
        await enter(p.id, { kind: 'enter', data: { broadcast: true } });
      }
    });
  },
};
