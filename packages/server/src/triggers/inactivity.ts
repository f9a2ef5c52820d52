/**
 * `inactivity`: each profile has one timer at its last activity plus `after`; activity moves it,
 * and when it comes due with no newer activity the profile enters. Publishing or resuming runs a
 * one-off pass that gives every existing profile its timer.
 */
import { countsAsActivity, inactivityDeadline } from '@waymark/core';
import type { TriggerTimerRow } from '../storage/store.ts';
import { profilePage } from './pages.ts';
import type { ServerTrigger, TimerScope, TriggerOf } from './trigger.ts';

type InactivityTrigger = TriggerOf<'inactivity'>;

/** The `inactivity` trigger on the server. */
export const inactivityTrigger: ServerTrigger<InactivityTrigger> = {
  publishedEvent: () => null,
  journeyJob: (_trigger, { now }) => ({ kind: 'inactivity', wakeAt: now }),
  preloadsEntries: false,
  async onEvent({ journey, trigger, event, profileId, now, timers }) {
    if (countsAsActivity(trigger, event)) {
      timers.push({
        workspaceId: journey.journey.workspaceId,
        journeyId: journey.journey.id,
        profileId,
        kind: 'inactivity',
        wakeAt: inactivityDeadline({ trigger, lastActivityAt: Math.min(event.timestamp, now) }),
        data: { lastActivityAt: event.timestamp },
      });
    }
    return null;
  },
  async onTimer(scope) {
    const { timer: t } = scope;
    if (t.profileId === '') await backfill(scope);
    else if (t.kind === 'inactivity') await fire(scope);
  },
};

/** A profile's timer came due: enter it, unless it was active since (then the timer moves on). */
async function fire(scope: TimerScope<InactivityTrigger>): Promise<void> {
  const { tx, trigger, timer: t, now, enter } = scope;
  const profile = await tx.profiles.get(t.workspaceId, t.profileId);
  if (!profile || profile.mergedInto) return;
  // With an `activity` list only those events move the timer (the events phase did that);
  // otherwise any call counts, including one the events phase has not applied yet.
  const last = trigger.activity
    ? Number(t.data.lastActivityAt ?? profile.lastSeenAt ?? 0)
    : (profile.lastSeenAt ?? 0);
  const deadline = inactivityDeadline({ trigger, lastActivityAt: last });
  if (deadline > now) {
    await tx.triggerTimers.upsert([{ ...t, wakeAt: deadline, data: { lastActivityAt: last } }]);
    return;
  }
  await enter(t.profileId, { kind: 'enter', data: { inactiveSince: profile.lastSeenAt } });
}

/** The pass after publishing: a timer for each existing profile, from when it was last seen. */
async function backfill(scope: TimerScope<InactivityTrigger>): Promise<void> {
  const { tx, trigger, timer: t } = scope;
  await profilePage(scope, async (profiles) => {
    const timers: TriggerTimerRow[] = [];
    for (const p of profiles) {
      if (p.mergedInto) continue;
      const last = p.lastSeenAt ?? p.createdAt;
      timers.push({
        workspaceId: t.workspaceId,
        journeyId: t.journeyId,
        profileId: p.id,
        kind: 'inactivity',
        wakeAt: inactivityDeadline({ trigger, lastActivityAt: last }),
        data: { lastActivityAt: last },
      });
    }
    if (timers.length) await tx.triggerTimers.upsert(timers);
  });
}
