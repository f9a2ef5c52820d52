/** Journeys: validate, save as a new version, publish (running runs stay on their version), enrol. */
import {
  loadJourney,
  validateJourney,
  type JourneyDefinition,
  type Trigger,
  type ValidationIssue,
} from '@waymark/core';
import { AppError } from '../errors.ts';
import type { JourneyRow, JourneyVersionRow, Tx } from '../storage/store.ts';
import { serverTrigger } from '../triggers/index.ts';
import { recordAudit, type Actor } from './audit.ts';
import type { AppDeps } from './deps.ts';

/** A journey with its versions' summary. */
export interface JourneyView {
  journey: JourneyRow;
  versions: Array<Pick<JourneyVersionRow, 'version' | 'createdAt' | 'publishedAt'>>;
  definition: JourneyDefinition | null;
}

function invalid(issues: ValidationIssue[]): AppError {
  return new AppError(
    'invalid_journey',
    `journey is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues.map((i) => ({ path: i.path, message: i.message, code: i.code, hint: i.hint })),
  );
}

/** Validates a journey given as text (YAML/JSON) or as an object; throws `invalid_journey`. */
export function checkJourney(input: string | unknown, format?: 'yaml' | 'json'): JourneyDefinition {
  const result =
    typeof input === 'string' ? loadJourney(input, { format }) : validateJourney(input);
  if (!result.ok) throw invalid(result.issues);
  return result.definition;
}

/** Stores a definition as the journey's next version (creating the journey); returns it. */
export async function saveJourney(
  deps: AppDeps,
  workspaceId: string,
  definition: JourneyDefinition,
): Promise<JourneyVersionRow> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const existing = await tx.journeys.get(workspaceId, definition.id);
    const version = (existing?.latestVersion ?? 0) + 1;
    const row: JourneyVersionRow = {
      workspaceId,
      journeyId: definition.id,
      version,
      definition,
      createdAt: now,
      publishedAt: null,
    };
    await tx.journeys.upsert({
      workspaceId,
      id: definition.id,
      name: definition.name,
      publishedVersion: existing?.publishedVersion ?? null,
      latestVersion: version,
      triggerType: existing?.triggerType ?? null,
      triggerEvent: existing?.triggerEvent ?? null,
      status: existing?.status ?? 'draft',
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    await tx.journeys.addVersion(row);
    return row;
  });
}

/**
 * Publishes a version (default: the latest): new runs enter it; running runs stay on theirs.
 * A broadcast trigger is scheduled (now, or at its time).
 */
export async function publishJourney(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
  version?: number,
  actor?: Actor,
  note?: string,
): Promise<JourneyRow> {
  const now = deps.clock.now();
  const row = await deps.store.transaction(async (tx) => {
    const journey = await tx.journeys.get(workspaceId, journeyId);
    if (!journey)
      throw new AppError('not_found', `journey ${journeyId} not found`, [
        { path: 'journeyId', message: 'no such journey' },
      ]);
    const v = version ?? journey.latestVersion;
    const versionRow = await tx.journeys.getVersion(workspaceId, journeyId, v);
    if (!versionRow)
      throw new AppError('not_found', `journey ${journeyId} has no version ${v}`, [
        { path: 'version', message: 'no such version' },
      ]);
    const trigger = versionRow.definition.trigger;
    const updated: JourneyRow = {
      ...journey,
      name: versionRow.definition.name,
      publishedVersion: v,
      triggerType: trigger.type,
      triggerEvent: serverTrigger(trigger).publishedEvent(trigger),
      status: 'live',
      updatedAt: now,
    };
    await tx.journeys.upsert(updated);
    if (versionRow.publishedAt === null)
      await tx.journeys.markPublished(workspaceId, journeyId, v, now);
    if (journey.publishedVersion !== v) {
      await scheduleJourneyJob(tx, {
        workspaceId,
        journeyId,
        trigger,
        version: v,
        now,
        publishing: true,
      });
    }
    await recordAudit(tx, {
      workspaceId,
      at: now,
      actor,
      action: 'journey.published',
      target: `journey:${journeyId}`,
      detail: note ? { version: v, note } : { version: v },
    });
    return updated;
  });
  deps.notify('triggers');
  return row;
}

/**
 * The trigger's journey-wide job (a trigger timer with profileId ''), if its kind has one (see
 * triggers/): a broadcast (only on publishing), and the one-off pass that schedules inactivity and
 * profile-date timers of existing profiles — on publishing, and again on resuming, since timers
 * that came due while paused were dropped.
 */
async function scheduleJourneyJob(
  tx: Tx,
  a: {
    workspaceId: string;
    journeyId: string;
    trigger: Trigger;
    version: number;
    now: number;
    /** Publishing (a broadcast goes out then) rather than resuming. */
    publishing: boolean;
  },
): Promise<void> {
  const { trigger } = a;
  const job = serverTrigger(trigger).journeyJob(trigger, { now: a.now, publishing: a.publishing });
  if (!job) return;
  await tx.triggerTimers.upsert([
    {
      workspaceId: a.workspaceId,
      journeyId: a.journeyId,
      profileId: '',
      kind: job.kind,
      wakeAt: job.wakeAt,
      data: { version: a.version },
    },
  ]);
}

/**
 * Saves and publishes in one go (`waymark journeys apply`). Unchanged definitions are not
 * re-versioned; a paused journey equal to its file is published (resumed) again, unless
 * `leavePaused` (the demo loader leaves an operator's pause alone).
 */
export async function applyJourney(
  deps: AppDeps,
  workspaceId: string,
  definition: JourneyDefinition,
  opts: { leavePaused?: boolean; actor?: Actor; note?: string | undefined } = {},
): Promise<{ journey: JourneyRow; version: number; changed: boolean }> {
  const existing = await deps.store.journeys.get(workspaceId, definition.id);
  if (existing?.publishedVersion) {
    const published = await deps.store.journeys.getVersion(
      workspaceId,
      definition.id,
      existing.publishedVersion,
    );
    if (
      published &&
      JSON.stringify(published.definition) === JSON.stringify(definition) &&
      (existing.status === 'live' || opts.leavePaused)
    ) {
      return { journey: existing, version: existing.publishedVersion, changed: false };
    }
  }
  const saved = await saveJourney(deps, workspaceId, definition);
  const journey = await publishJourney(
    deps,
    workspaceId,
    definition.id,
    saved.version,
    opts.actor,
    opts.note,
  );
  return { journey, version: saved.version, changed: true };
}

/** A journey with its versions and the definition of the published (else latest) version. */
export async function getJourney(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
): Promise<JourneyView> {
  const journey = await deps.store.journeys.get(workspaceId, journeyId);
  if (!journey)
    throw new AppError('not_found', `journey ${journeyId} not found`, [
      { path: 'journeyId', message: 'no such journey' },
    ]);
  const versions = await deps.store.journeys.listVersions(workspaceId, journeyId);
  const shown = versions.find(
    (v) => v.version === (journey.publishedVersion ?? journey.latestVersion),
  );
  return {
    journey,
    versions: versions.map(({ version, createdAt, publishedAt }) => ({
      version,
      createdAt,
      publishedAt,
    })),
    definition: shown?.definition ?? null,
  };
}

/**
 * Journeys of a workspace, in id order, with the journeys that exist only as a draft so far (a
 * new journey in the editor): those as `draft` rows without versions (`latestVersion` 0).
 */
export async function listJourneys(deps: AppDeps, workspaceId: string): Promise<JourneyRow[]> {
  const [journeys, drafts] = await Promise.all([
    deps.store.journeys.list(workspaceId),
    deps.store.journeyDrafts.list(workspaceId),
  ]);
  const known = new Set(journeys.map((j) => j.id));
  const draftOnly: JourneyRow[] = drafts
    .filter((d) => !known.has(d.journeyId))
    .map((d) => ({
      workspaceId,
      id: d.journeyId,
      name: typeof d.document.name === 'string' && d.document.name ? d.document.name : d.journeyId,
      publishedVersion: null,
      latestVersion: 0,
      triggerType: null,
      triggerEvent: null,
      status: 'draft',
      createdAt: d.updatedAt,
      updatedAt: d.updatedAt,
    }));
  return [...journeys, ...draftOnly].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The audit action of each status a journey is set to. */
const STATUS_ACTIONS = {
  live: 'journey.resumed',
  paused: 'journey.paused',
  archived: 'journey.archived',
} as const;

/**
 * Pauses a live journey (no new entries; running runs go on), resumes or archives it; `actor`
 * is recorded in the audit log (default: Waymark itself).
 */
export async function setJourneyStatus(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
  status: 'live' | 'paused' | 'archived',
  actor?: Actor,
): Promise<JourneyRow> {
  const now = deps.clock.now();
  const row = await deps.store.transaction(async (tx) => {
    const journey = await tx.journeys.get(workspaceId, journeyId);
    if (!journey) throw new AppError('not_found', `journey ${journeyId} not found`);
    if (status === 'live' && journey.publishedVersion === null) {
      throw new AppError('conflict', `journey ${journeyId} has never been published`);
    }
    const updated = { ...journey, status, updatedAt: now };
    await tx.journeys.upsert(updated);
    if (status === 'live' && journey.status !== 'live' && journey.publishedVersion !== null) {
      const version = await tx.journeys.getVersion(
        workspaceId,
        journeyId,
        journey.publishedVersion,
      );
      if (version) {
        await scheduleJourneyJob(tx, {
          workspaceId,
          journeyId,
          trigger: version.definition.trigger,
          version: journey.publishedVersion,
          now,
          publishing: false,
        });
      }
    }
    await recordAudit(tx, {
      workspaceId,
      at: now,
      actor,
      action: STATUS_ACTIONS[status],
      target: `journey:${journeyId}`,
      detail: { from: journey.status },
    });
    return updated;
  });
  if (status === 'live') deps.notify('triggers');
  return row;
}
