/** Profiles as an operator sees them: traits, identities, events, and where each run is and why. */
import { channelsByAddress, describeAwaiting } from '@waymark/core';
import { AppError } from '../errors.ts';
import { normaliseAddress } from '../runtime/policies.ts';
import { countryOfZone, profileZone } from '../runtime/recipient-zone.ts';
import type {
  EventRow,
  IdentityKind,
  IdentityRow,
  MessageRow,
  ProfileRow,
  RunRow,
  RunTraceRow,
  SubscriptionRow,
  SuppressionRow,
} from '../storage/store.ts';
import { recordAudit, type Actor } from './audit.ts';
import type { AppDeps } from './deps.ts';

/** A run with a sentence saying where it is and why. */
export interface RunView extends Omit<RunRow, 'state'> {
  /** "waiting for email opened (node send-email) until 2026-05-02 09:00 Europe/Lisbon" */
  where: string;
  variant: string | null;
  /** The run's latest message that delivery policies skipped or delayed, and why (profile view). */
  lastSkip?: HeldMessage | null;
}

/** A message delivery policies skipped (consent, cap, skip condition) or delayed, and why. */
export interface HeldMessage {
  messageId: string;
  node: string | null;
  channel: string;
  status: 'skipped' | 'delayed';
  reason: string;
  at: number;
}

/** A profile with its identities, lists, runs and consent. */
export interface ProfileView {
  profile: ProfileRow;
  identities: IdentityRow[];
  lists: string[];
  runs: RunView[];
  /** Consent rows per channel and topic (`''` = the whole channel). */
  subscriptions: SubscriptionRow[];
  /** Suppressions of the profile's email and phone. */
  suppressions: SuppressionRow[];
}

/** Messages examined for the runs' last skip reasons. */
const RECENT_MESSAGES = 200;

/** The latest skipped or delayed message of each run, from messages newest first. */
function heldByRun(messages: MessageRow[], now: number): Map<string, HeldMessage> {
  const held = new Map<string, HeldMessage>();
  for (const m of messages) {
    if (!m.runId || held.has(m.runId) || m.error === null) continue;
    const delayed = m.status === 'pending' && m.availableAt > now;
    if (m.status !== 'skipped' && !delayed) continue;
    held.set(m.runId, {
      messageId: m.id,
      node: m.nodeId,
      channel: m.channel,
      status: delayed ? 'delayed' : 'skipped',
      reason: m.error,
      at: m.updatedAt,
    });
  }
  return held;
}

/** Finds a profile by its id or by an identity (`userId:u1`, `email:a@b.c`, `anonymousId:…`). */
export async function findProfileId(
  deps: AppDeps,
  workspaceId: string,
  ref: string,
): Promise<string> {
  const m = /^(userId|anonymousId|email|phone):(.+)$/.exec(ref);
  if (m) {
    const kind = m[1] as IdentityKind;
    const value = kind === 'email' ? m[2]!.toLowerCase() : m[2]!;
    const found = await deps.store.profiles.resolve(workspaceId, [{ kind, value }]);
    const id = found.get(`${kind}:${value}`);
    if (id) return id;
  } else {
    const p = await deps.store.profiles.get(workspaceId, ref);
    if (p) return p.mergedInto ?? p.id;
    const byUser = (
      await deps.store.profiles.resolve(workspaceId, [{ kind: 'userId', value: ref }])
    ).get(`userId:${ref}`);
    if (byUser) return byUser;
  }
  throw new AppError('not_found', `no profile ${ref}`, [
    {
      path: 'profile',
      message: 'no such profile',
      hint: 'use a profile id, a userId, or kind:value such as email:ana@example.com',
    },
  ]);
}

/** Describes where a run is and why, in the recipient's zone. */
export function runView(run: RunRow, zone: string): RunView {
  const { state, ...rest } = run;
  let where: string;
  if (run.status === 'completed') where = 'completed';
  else if (run.status === 'exited') where = `exited (${describeExit(run)})`;
  else if (run.awaiting) where = describeAwaiting(run.awaiting, zone);
  else where = `at ${run.node ?? 'start'}`;
  return { ...rest, where, variant: state.variant ?? null };
}

function describeExit(run: RunRow): string {
  const e = run.exit;
  if (!e) return 'no reason recorded';
  switch (e.kind) {
    case 'goal':
      return `goal ${e.goal} reached`;
    case 'exit_node':
      return `exit node ${e.node}${e.reason ? `: ${e.reason}` : ''}`;
    case 'holdout':
      return 'held out as control';
    case 'completed':
      return 'completed';
    case 'definition_changed':
      return e.detail;
    case 'cancelled':
      return `cancelled: ${e.reason}`;
  }
}

/** A profile with everything an operator wants to see first. */
export async function getProfile(
  deps: AppDeps,
  workspaceId: string,
  ref: string,
): Promise<ProfileView> {
  const id = await findProfileId(deps, workspaceId, ref);
  const profile = await deps.store.profiles.get(workspaceId, id);
  if (!profile) throw new AppError('not_found', `no profile ${ref}`);
  const [identities, lists, runs, ws, subscriptions, messages] = await Promise.all([
    deps.store.profiles.identities(workspaceId, id),
    deps.store.lists.membership(workspaceId, [id]),
    deps.store.runs.listForProfile(workspaceId, id),
    deps.store.workspaces.get(workspaceId),
    deps.store.subscriptions.forProfile(workspaceId, id),
    deps.store.messages.list(workspaceId, { profileId: id, limit: RECENT_MESSAGES }),
  ]);
  const wsZone = ws?.timezone ?? 'UTC';
  const tz = profileZone(profile.traits, wsZone) ?? wsZone;
  const suppressions = await profileSuppressions(deps, workspaceId, profile, wsZone);
  const held = heldByRun(messages.items, deps.clock.now());
  return {
    profile,
    identities,
    lists: lists.get(id) ?? [],
    runs: runs.map((r) => ({ ...runView(r, tz), lastSkip: held.get(r.id) ?? null })),
    subscriptions,
    suppressions,
  };
}

/** Suppressions of a profile's `email` and `phone` traits. */
async function profileSuppressions(
  deps: AppDeps,
  workspaceId: string,
  profile: ProfileRow,
  workspaceZone: string,
): Promise<SuppressionRow[]> {
  const found: SuppressionRow[] = [];
  for (const trait of ['email', 'phone'] as const) {
    const channels = channelsByAddress(trait);
    const value = profile.traits[trait];
    if (typeof value !== 'string' || value.trim() === '') continue;
    for (const channel of channels) {
      const address = normaliseAddress(channel, value, countryOfZone(workspaceZone));
      const row = await deps.store.suppressions.get(workspaceId, channel, address);
      if (row) found.push(row);
    }
  }
  return found;
}

/** A profile's events, newest first. */
export async function profileEvents(
  deps: AppDeps,
  workspaceId: string,
  ref: string,
  opts: { limit: number; beforeSeq?: number | undefined },
): Promise<EventRow[]> {
  const id = await findProfileId(deps, workspaceId, ref);
  return deps.store.events.listForProfile(workspaceId, id, opts);
}

/** A run's history. */
export async function runHistory(
  deps: AppDeps,
  workspaceId: string,
  runId: string,
): Promise<{ run: RunView; trace: RunTraceRow[] }> {
  const run = await deps.store.runs.get(workspaceId, runId);
  if (!run) throw new AppError('not_found', `no run ${runId}`);
  const [trace, profile, ws] = await Promise.all([
    deps.store.runs.trace(workspaceId, runId),
    deps.store.profiles.get(workspaceId, run.profileId),
    deps.store.workspaces.get(workspaceId),
  ]);
  const tz =
    typeof profile?.traits.timezone === 'string'
      ? profile.traits.timezone
      : (ws?.timezone ?? 'UTC');
  return { run: runView(run, tz), trace };
}

/** Profiles of a workspace, a page at a time. */
export async function listProfiles(
  deps: AppDeps,
  workspaceId: string,
  opts: { limit: number; cursor?: string | undefined },
) {
  return deps.store.profiles.list(workspaceId, opts);
}

/**
 * Takes a profile off a journey: its run ends now as `cancelled` (with who and why, in its
 * history), through the engine like any other step: its wait ends and nothing after it is sent.
 * A message the run already handed to delivery is not recalled. A run that already ended
 * answers `conflict`.
 */
export async function cancelRun(
  deps: AppDeps,
  workspaceId: string,
  runId: string,
  a: { actor: Actor; reason?: string | undefined },
): Promise<{ run: RunView; trace: RunTraceRow[] }> {
  const who = a.actor.email ?? (a.actor.kind === 'adminToken' ? 'the admin token' : a.actor.kind);
  const reason = a.reason ? `${a.reason} (by ${who})` : `removed by ${who}`;
  await deps.engine.withBatch(async (batch, tx, now) => {
    const [run] = await tx.runs.lock(workspaceId, [runId]);
    if (!run)
      throw new AppError('not_found', `no run ${runId}`, [{ path: 'id', message: 'no such run' }]);
    if (run.status === 'completed' || run.status === 'exited')
      throw new AppError(
        'conflict',
        `run ${runId} has already ${run.status === 'completed' ? 'completed' : 'exited'}`,
        [{ path: 'id', message: `already ${run.status}` }],
      );
    await batch.advance(run, { kind: 'cancel', reason });
    await recordAudit(tx, {
      workspaceId,
      at: now,
      actor: a.actor,
      action: 'run.cancelled',
      target: `run:${runId}`,
      detail: { journeyId: run.journeyId, profileId: run.profileId, reason },
    });
  });
  return runHistory(deps, workspaceId, runId);
}

/**
 * Profiles a search names exactly: by id or userId, by email (any case), by phone (as written or
 * in E.164). At most one per identity; in the order tried.
 */
export async function searchProfiles(
  deps: AppDeps,
  workspaceId: string,
  q: string,
): Promise<ProfileRow[]> {
  const text = q.trim();
  if (!text) return [];
  const refs = [text];
  if (text.includes('@')) refs.push(`email:${text}`);
  if (/^\+?[\d\s().-]{6,}$/.test(text))
    refs.push(`phone:${text}`, `phone:${normaliseAddress('sms', text)}`);
  const found = new Map<string, ProfileRow>();
  for (const ref of refs) {
    const id = await findProfileId(deps, workspaceId, ref).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'not_found') return null;
      throw err;
    });
    if (!id || found.has(id)) continue;
    const profile = await deps.store.profiles.get(workspaceId, id);
    if (profile) found.set(id, profile);
  }
  return [...found.values()];
}
