/**
 * Journey-wide jobs (a broadcast, the pass that schedules every existing profile's timer) walk the
 * workspace's profiles a page per round. The cursor lives in the job's data, so a job cut short
 * resumes where it stopped.
 */
import type { Trigger } from '@waymark/core';
import type { ProfileRow } from '../storage/store.ts';
import type { TimerScope } from './trigger.ts';

/** Profiles a journey-wide job handles per round. */
export const PROFILE_PAGE = 500;

/** Hands the page of profiles at the job's cursor to `each`, then queues the job for the next page. */
export async function profilePage(
  scope: TimerScope<Trigger>,
  each: (profiles: ProfileRow[]) => Promise<void>,
): Promise<void> {
  const { tx, timer: t, now } = scope;
  const cursor = typeof t.data.cursor === 'string' ? t.data.cursor : undefined;
  const page = await tx.profiles.list(t.workspaceId, { limit: PROFILE_PAGE, cursor });
  await each(page.items);
  if (page.next)
    await tx.triggerTimers.upsert([{ ...t, wakeAt: now, data: { ...t.data, cursor: page.next } }]);
}
