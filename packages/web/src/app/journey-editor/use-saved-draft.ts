/**
 * The draft on the server: read once when the editor opens (a journey with no draft yet opens
 * on a blank one), saved a moment (~800 ms) after the last change against the revision it was
 * read at, and the two ways out of a conflict — reload the server's draft, or overwrite it with
 * this one (reading its current revision first). While the server has no draft routes, the
 * editor still opens, and says that nothing is saved.
 */
import { TRIGGER_KINDS, type JourneyDraft } from '@waymark/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { useSession } from '../session.tsx';
import {
  draftsApi,
  isConflict,
  isMissingRoute,
  type DraftLayout,
  type StoredDraft,
} from './drafts-api.ts';

/** A blank draft: its id and name, an event trigger, no nodes yet. */
export const blankDraft = (id: string, name: string): JourneyDraft => ({
  schemaVersion: 1,
  id,
  name,
  trigger: structuredClone(TRIGGER_KINDS.event.defaults),
  nodes: {},
});

/** Where the saving stands. */
export type SaveState =
  | { state: 'idle' }
  | { state: 'pending' }
  | { state: 'saving' }
  | { state: 'saved'; at: number }
  | { state: 'failed'; message: string }
  | { state: 'no-route'; message: string }
  | { state: 'conflict'; by: string | null; at: string | number | null };

/** What the editor opens on. */
export type Opened =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'open'; draft: StoredDraft; key: number };

const AUTOSAVE_MS = 800;

const messageOf = (error: unknown) =>
  error instanceof Error ? error.message : 'the server did not answer';

/** The server's draft of a journey, and its saving. */
export function useSavedDraft(id: string, name: string) {
  const { api: client } = useSession();
  const api = useMemo(() => draftsApi(client), [client]);
  const [opened, setOpened] = useState<Opened>({ state: 'loading' });
  const [save, setSave] = useState<SaveState>({ state: 'idle' });
  const revision = useRef(0);
  const pending = useRef<{ document: JourneyDraft; layout: DraftLayout } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const blocked = save.state === 'conflict' || save.state === 'no-route';

  const open = useCallback(async () => {
    try {
      const draft = await api.get(id);
      revision.current = draft.revision;
      setOpened({ state: 'open', draft, key: Date.now() });
      setSave({ state: 'idle' });
    } catch (error) {
      const blank: StoredDraft = {
        document: blankDraft(id, name || id),
        layout: {},
        revision: 0,
        updatedAt: Date.now(),
        updatedBy: null,
      };
      if (isMissingRoute(error)) {
        setOpened({ state: 'open', draft: blank, key: Date.now() });
        setSave({
          state: 'no-route',
          message: `This server cannot keep drafts yet (${messageOf(error)}): changes stay in this tab only.`,
        });
      } else if (error instanceof ApiError && error.status === 404) {
        revision.current = 0;
        setOpened({ state: 'open', draft: blank, key: Date.now() });
      } else setOpened({ state: 'failed', message: messageOf(error) });
    }
  }, [api, id, name]);

  useEffect(() => {
    void open();
  }, [open]);

  const chain = useRef<Promise<void>>(Promise.resolve());
  const send = useCallback(
    async (base: number | undefined) => {
      const body = pending.current;
      if (!body) return;
      setSave({ state: 'saving' });
      try {
        const saved = await api.save(id, { ...body, baseRevision: base ?? revision.current });
        revision.current = saved.revision;
        if (pending.current === body) {
          pending.current = null;
          setSave({ state: 'saved', at: Date.now() });
        } else setSave({ state: 'pending' });
      } catch (error) {
        if (isConflict(error)) {
          const current = await api.get(id).catch(() => null);
          setSave({
            state: 'conflict',
            by: current?.updatedBy?.email ?? null,
            at: current?.updatedAt ?? null,
          });
        } else if (isMissingRoute(error))
          setSave({ state: 'no-route', message: `Drafts cannot be saved: ${messageOf(error)}.` });
        else setSave({ state: 'failed', message: messageOf(error) });
      }
    },
    [api, id],
  );
  /** Saves what is pending, one save at a time (each on the revision the last one made). */
  const flush = useCallback(
    (base?: number) => (chain.current = chain.current.then(() => send(base))),
    [send],
  );

  /** Saves this draft soon (each change restarts the wait). */
  const changed = useCallback(
    (document: JourneyDraft, layout: DraftLayout) => {
      pending.current = { document, layout };
      clearTimeout(timer.current);
      if (blocked) return;
      setSave({ state: 'pending' });
      timer.current = setTimeout(() => void flush(), AUTOSAVE_MS);
    },
    [blocked, flush],
  );
  useEffect(() => () => clearTimeout(timer.current), []);

  /** Keeps this tab's draft: saves it over the server's current revision. */
  const overwrite = useCallback(async () => {
    const current = await api.get(id).catch(() => null);
    await flush(current?.revision ?? revision.current);
  }, [api, flush, id]);

  /** Drops this tab's changes for the server's draft. */
  const reload = useCallback(async () => {
    pending.current = null;
    await open();
  }, [open]);

  /** Publishes the saved revision (saving what is pending first). */
  const publish = useCallback(
    async (note: string) => {
      clearTimeout(timer.current);
      await flush();
      return api.publish(id, { revision: revision.current, ...(note ? { note } : {}) });
    },
    [api, flush, id],
  );

  return { opened, save, changed, overwrite, reload, publish, revision };
}
