/** The outbox as operators see it (with no provider configured, the dev outbox), lists, enrolment. */
import { AppError } from '../errors.ts';
import type { MessageRow, Page, RunRow } from '../storage/store.ts';
import { suppressFromOutcome } from './consent.ts';
import type { AppDeps } from './deps.ts';
import { findProfileId } from './profiles.ts';

/** Messages, newest first, filtered by channel, profile or run. */
export async function listOutbox(
  deps: AppDeps,
  workspaceId: string,
  opts: {
    limit: number;
    cursor?: string | undefined;
    channel?: string | undefined;
    profile?: string | undefined;
    runId?: string | undefined;
  },
): Promise<Page<MessageRow>> {
  const profileId = opts.profile ? await findProfileId(deps, workspaceId, opts.profile) : undefined;
  return deps.store.messages.list(workspaceId, {
    limit: opts.limit,
    cursor: opts.cursor,
    channel: opts.channel,
    profileId,
    runId: opts.runId,
  });
}

/** Enrols a profile (by id or identity) into a live journey. */
export async function enrol(
  deps: AppDeps,
  workspaceId: string,
  a: { journeyId: string; profile: string; data?: Record<string, unknown> | undefined },
): Promise<RunRow> {
  const profileId = await findProfileId(deps, workspaceId, a.profile);
  const result = await deps.engine.enrol({
    workspaceId,
    journeyId: a.journeyId,
    profileId,
    data: a.data,
  });
  if ('skipped' in result)
    throw new AppError('conflict', `not enrolled: ${result.skipped}`, [
      { path: 'profile', message: result.skipped },
    ]);
  deps.notify('runs');
  return result;
}

/** Adds a profile to a list or removes it. */
export async function changeList(
  deps: AppDeps,
  workspaceId: string,
  a: { listId: string; profile: string; action: 'add' | 'remove' },
): Promise<void> {
  const profileId = await findProfileId(deps, workspaceId, a.profile);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    if (a.action === 'add') {
      await tx.lists.ensure({ workspaceId, id: a.listId, name: a.listId, createdAt: now });
      await tx.lists.addMember(workspaceId, a.listId, profileId, now);
    } else {
      await tx.lists.removeMember(workspaceId, a.listId, profileId);
    }
  });
}

/** Records a message outcome reported by a provider or a tracking link; wakes the waiting run. */
export async function recordOutcome(
  deps: AppDeps,
  workspaceId: string,
  a: {
    messageId: string;
    type: Parameters<AppDeps['engine']['outcome']>[0]['outcome']['type'];
    machine?: boolean;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  const message = await deps.store.messages.get(workspaceId, a.messageId);
  if (!message)
    throw new AppError('not_found', `no message ${a.messageId}`, [
      { path: 'messageId', message: 'no such message' },
    ]);
  await deps.engine.outcome({
    workspaceId,
    messageId: a.messageId,
    outcome: { type: a.type, at: deps.clock.now(), machine: a.machine, data: a.data },
  });
  // A hard bounce or a complaint suppresses the address for every later message.
  if (!a.machine) await suppressFromOutcome(deps, { message, type: a.type, data: a.data });
}
