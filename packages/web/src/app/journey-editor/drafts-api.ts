/**
 * The draft routes of a journey over the typed client: read the draft, save it against the
 * revision it was read at, publish a revision. A server without them (an older one) answers 404
 * `no route …` or 405; `isMissingRoute` tells that apart from a journey that has no draft.
 */
import type { JourneyDraft } from '@waymark/core';
import { ApiError, unwrap, type Api } from '../api/client.ts';

/** Where each node sits on the canvas, kept beside the document (not in it). */
export type DraftLayout = Record<string, { x: number; y: number }>;

/** A journey's draft as the server keeps it. */
export interface StoredDraft {
  document: JourneyDraft;
  layout: DraftLayout;
  /** 0: no draft yet, the document is the latest version's. */
  revision: number;
  updatedAt: string | number;
  updatedBy: { id: string; email: string } | null;
}

/** The draft routes of one workspace's journeys. */
export interface DraftsApi {
  get(id: string): Promise<StoredDraft>;
  save(
    id: string,
    body: { document: JourneyDraft; layout: DraftLayout; baseRevision: number },
  ): Promise<{ revision: number; updatedAt: string | number }>;
  publish(id: string, body: { revision: number; note?: string }): Promise<{ version: number }>;
}

/** Whether an error says the server has no such route (yet), rather than no such draft. */
export const isMissingRoute = (error: unknown): boolean =>
  error instanceof ApiError &&
  (error.status === 405 || (error.status === 404 && error.message.startsWith('no route')));

/** Whether an error is a save refused because someone saved since (`conflict`). */
export const isConflict = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 409;

/** The draft routes, through the app's typed client. */
export function draftsApi(api: Api): DraftsApi {
  const path = (id: string) => ({ params: { path: { id } } });
  return {
    get: async (id) => {
      const draft = await unwrap(api.GET('/api/journeys/{id}/draft', path(id)));
      return { ...draft, document: draft.document as JourneyDraft };
    },
    save: (id, body) => unwrap(api.PUT('/api/journeys/{id}/draft', { ...path(id), body })),
    publish: (id, body) =>
      unwrap(api.POST('/api/journeys/{id}/draft/publish', { ...path(id), body })),
  };
}
