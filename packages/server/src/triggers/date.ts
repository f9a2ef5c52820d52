/**
 * `date`: a date on the profile (`profile.traits.x`) or on an event (`event.properties.x`), moved
 * by `offset` and set to the local `at`, gives the profile a timer; when it comes due the profile
 * enters. For a profile date, publishing or resuming runs a one-off pass over existing profiles.
 */
import { dateTriggerTime, type EventFact } from '@waymark/core';
import { readPath } from '../runtime/batch-profiles.ts';
import { profileZone } from '../runtime/recipient-zone.ts';
import type { TriggerTimerRow } from '../storage/store.ts';
import { profilePage } from './pages.ts';
import type { ServerTrigger, TimerScope, TriggerOf } from './trigger.ts';

type DateTrigger = TriggerOf<'date'>;

/** A date a minute or more in the past is not scheduled (no entries for dates long gone). */
const PAST_SLACK_MS = 60_000;

/** The trait or property path under `profile.traits.` / `event.properties.`. */
function datePath(trigger: DateTrigger): string {
  return trigger.field.split('.').slice(2).join('.');
}

/** The `date` trigger on the server. */
export const dateTrigger: ServerTrigger<DateTrigger> = {
  publishedEvent: (trigger) => trigger.event ?? null,
  journeyJob: (trigger, { now }) =>
    trigger.field.startsWith('profile.') ? { kind: 'date', wakeAt: now } : null,
  preloadsEntries: false,
  async onEvent({ batch, journey: j, trigger, event, profileId, zoneOf, now, timers }) {
    const ws = j.journey.workspaceId;
    const onEvent = trigger.field.startsWith('event.');
    if (onEvent ? event.name !== trigger.event : event.type !== 'identify') return null;
    const source = onEvent ? event.properties : (await batch.profileFact(ws, profileId)).traits;
    const zone = zoneOf ?? j.definition.policies.timezone ?? (await batch.workspaceZone(ws));
    const at = dateTriggerTime({ trigger, date: readPath(source, datePath(trigger)), zone });
    if (at === null || at < now - PAST_SLACK_MS) return null;
    timers.push({
      workspaceId: ws,
      journeyId: j.journey.id,
      profileId,
      kind: 'date',
      wakeAt: at,
      data: onEvent ? { event } : {},
    });
    return null;
  },
  async onTimer(scope) {
    const { timer: t, enter } = scope;
    if (t.profileId === '') await backfill(scope);
    else if (t.kind === 'date') {
      const event = t.data.event as EventFact | undefined;
      await enter(t.profileId, event ? { kind: 'enter', event } : { kind: 'enter' });
    }
  },
};

/** The pass after publishing a profile-date journey: each existing profile's timer. */
async function backfill(scope: TimerScope<DateTrigger>): Promise<void> {
  const { batch, tx, journey: j, trigger, timer: t, now } = scope;
  await profilePage(scope, async (profiles) => {
    const workspaceZone = await batch.workspaceZone(t.workspaceId);
    const timers: TriggerTimerRow[] = [];
    for (const p of profiles) {
      if (p.mergedInto) continue;
      // The same rule as for events: the profile's zone (trait, else phone), journey, workspace.
      const zone =
        profileZone(p.traits, workspaceZone) ?? j.definition.policies.timezone ?? workspaceZone;
      const at = dateTriggerTime({ trigger, date: readPath(p.traits, datePath(trigger)), zone });
      if (at !== null && at >= now - PAST_SLACK_MS)
        timers.push({
          workspaceId: t.workspaceId,
          journeyId: t.journeyId,
          profileId: p.id,
          kind: 'date',
          wakeAt: at,
          data: {},
        });
    }
    if (timers.length) await tx.triggerTimers.upsert(timers);
  });
}
