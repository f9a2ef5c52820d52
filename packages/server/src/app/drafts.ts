/**
 * Journey drafts: what the editor saves as it is edited, and publishing one. A draft may be
 * invalid — it is the validator's business only when it is published — but it is always a
 * journey document object of its own journey, and each save names the revision it was made on,
 * so that a second tab or a colleague saving on an older revision is told instead of losing
 * their work or overwriting someone else's.
 *
 * A journey with versions but no draft yet answers its latest version as revision 0. Publishing
 * keeps the draft (it now equals the published version) and records the note in the audit log.
 */
import { diffJourneys, type JourneyDiff } from '@waymark/core';
import { AppError } from '../errors.ts';
import type { DraftLayout, JourneyDraftRow } from '../storage/store.ts';
import type { Actor } from './audit.ts';
import type { AppDeps } from './deps.ts';
import { applyJourney, checkJourney } from './journeys.ts';

/** A draft as the API answers it. */
export interface DraftView {
  document: Record<string, unknown>;
  layout: DraftLayout;
  revision: number;
  updatedAt: number;
  updatedBy: { id: string; email: string } | null;
}

async function viewOf(deps: AppDeps, row: JourneyDraftRow): Promise<DraftView> {
  const user = row.updatedBy ? await deps.store.users.get(row.updatedBy) : null;
  return {
    document: row.document,
    layout: row.layout,
    revision: row.revision,
    updatedAt: row.updatedAt,
    updatedBy: user ? { id: user.id, email: user.email } : null,
  };
}

/** The draft of a journey; else its latest version as revision 0; null when neither exists. */
export async function getDraft(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
): Promise<DraftView | null> {
  const row = await deps.store.journeyDrafts.get(workspaceId, journeyId);
  if (row) return viewOf(deps, row);
  const journey = await deps.store.journeys.get(workspaceId, journeyId);
  if (!journey) return null;
  const latest = await deps.store.journeys.getVersion(
    workspaceId,
    journeyId,
    journey.latestVersion,
  );
  if (!latest) return null;
  return {
    document: latest.definition as unknown as Record<string, unknown>,
    layout: {},
    revision: 0,
    updatedAt: latest.createdAt,
    updatedBy: null,
  };
}

/** The conflict a save or publish on an older revision answers, naming who saved since. */
async function conflict(deps: AppDeps, current: JourneyDraftRow | null): Promise<AppError> {
  const by = current?.updatedBy ? await deps.store.users.get(current.updatedBy) : null;
  const revision = current?.revision ?? 0;
  const who = by ? ` by ${by.email}` : '';
  const when = current ? ` at ${new Date(current.updatedAt).toISOString()}` : '';
  return new AppError('conflict', `the draft was changed elsewhere${who}${when}`, [
    {
      path: 'baseRevision',
      message: `the draft is at revision ${revision}`,
      hint: 'load the draft again, or save on its current revision to overwrite it',
    },
  ]);
}

/** Saves a draft made on `baseRevision`; throws `conflict` when another save came first. */
export async function saveDraft(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
  input: { document: Record<string, unknown>; layout: DraftLayout; baseRevision: number },
  actor: Actor,
): Promise<{ revision: number; updatedAt: number }> {
  if (input.document.id !== undefined && input.document.id !== journeyId) {
    throw new AppError('invalid_input', `document.id must be "${journeyId}"`, [
      { path: 'body.document.id', message: `expected "${journeyId}", the journey of this draft` },
    ]);
  }
  const saved = await deps.store.journeyDrafts.save({
    workspaceId,
    journeyId,
    document: { ...input.document, id: journeyId },
    layout: input.layout,
    updatedAt: deps.clock.now(),
    updatedBy: actor.id ?? null,
    baseRevision: input.baseRevision,
  });
  if (!saved)
    throw await conflict(deps, await deps.store.journeyDrafts.get(workspaceId, journeyId));
  return { revision: saved.revision, updatedAt: saved.updatedAt };
}

/**
 * Publishes the draft at `revision` as the journey's next version (an unchanged one is not
 * versioned again): throws `invalid_journey` with the validator's issues, `conflict` when the
 * draft moved on, `not_found` without a draft.
 */
export async function publishDraft(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
  input: { revision: number; note?: string | undefined },
  actor: Actor,
): Promise<{ version: number; changed: boolean }> {
  const draft = await getDraft(deps, workspaceId, journeyId);
  if (!draft)
    throw new AppError('not_found', `journey ${journeyId} has no draft`, [
      { path: 'journeyId', message: 'no such journey or draft' },
    ]);
  if (draft.revision !== input.revision)
    throw await conflict(deps, await deps.store.journeyDrafts.get(workspaceId, journeyId));
  const definition = checkJourney(draft.document);
  const { version, changed } = await applyJourney(deps, workspaceId, definition, {
    actor,
    note: input.note,
  });
  return { version, changed };
}

/**
 * What changed from one version of a journey (default: the published one, else the latest) to
 * another, or to its draft (`to: 'draft'`): nodes added, removed and changed field by field,
 * edges, and the rest of the document.
 */
export async function diffVersions(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
  fromVersion: number | undefined,
  to: number | 'draft',
): Promise<JourneyDiff> {
  const journey = await deps.store.journeys.get(workspaceId, journeyId);
  const from = fromVersion ?? journey?.publishedVersion ?? journey?.latestVersion;
  if (!from)
    throw new AppError('not_found', `journey ${journeyId} has no version yet`, [
      { path: 'query.from', message: 'no version to compare from' },
    ]);
  const version = async (v: number): Promise<unknown> => {
    const row = await deps.store.journeys.getVersion(workspaceId, journeyId, v);
    if (!row)
      throw new AppError('not_found', `journey ${journeyId} has no version ${v}`, [
        { path: 'query', message: `no version ${v}` },
      ]);
    return row.definition;
  };
  const before = await version(from);
  let after: unknown;
  if (to === 'draft') {
    const draft = await getDraft(deps, workspaceId, journeyId);
    if (!draft)
      throw new AppError('not_found', `journey ${journeyId} has no draft`, [
        { path: 'query.to', message: 'no draft' },
      ]);
    after = draft.document;
  } else after = await version(to);
  return diffJourneys(before, after);
}
