/**
 * Who is signed in, and where: the session (TanStack Query, key `['session']`), the workspace
 * chosen among the session's (kept in this browser), the user's role there, and the API clients
 * whose calls carry both. Pages read it with `useSession()`.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { createApi, type Api, type Credentials } from './api/client.ts';
import { sessionApi, type Role, type Session, type SessionApi } from './api/session.ts';

const WORKSPACE_KEY = 'waymark.workspace';

/** What the app knows of its user. */
export interface SessionState {
  /** undefined while loading; null when nobody is signed in. */
  session: Session | null | undefined;
  /** The chosen workspace (one of the session's), if any. */
  workspace: Session['workspaces'][number] | undefined;
  chooseWorkspace(id: string): void;
  /** Replaces the session (after signing in or out). */
  setSession(session: Session | null): void;
  api: Api;
  sessionApi: SessionApi;
}

const SessionContext = createContext<SessionState | null>(null);

/** Whether a role may change journeys (pause, resume, archive, edit). */
export const canEdit = (role: Role | undefined): boolean => role === 'admin' || role === 'editor';

/** Provides the session to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(WORKSPACE_KEY));
  const current = useRef<{ csrf?: string; workspace?: string }>({});
  const credentials = useMemo<Credentials>(
    () => ({
      csrfToken: () => current.current.csrf,
      workspaceId: () => current.current.workspace,
    }),
    [],
  );
  const apis = useMemo(() => {
    const api = createApi(credentials);
    return { api, sessionApi: sessionApi(api) };
  }, [credentials]);
  const { data: session } = useQuery({
    queryKey: ['session'],
    queryFn: () => apis.sessionApi.current(),
    staleTime: 60_000,
    retry: false,
  });
  const workspace =
    session?.workspaces.find((w) => w.id === chosen) ?? session?.workspaces[0] ?? undefined;
  current.current = { csrf: session?.csrfToken, workspace: workspace?.id };

  const chooseWorkspace = useCallback(
    (id: string) => {
      localStorage.setItem(WORKSPACE_KEY, id);
      setChosen(id);
      // Everything but the session belongs to the workspace it was read in.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    },
    [queryClient],
  );
  const setSession = useCallback(
    (next: Session | null) => {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      queryClient.setQueryData(['session'], next);
    },
    [queryClient],
  );
  const value = useMemo<SessionState>(
    () => ({ session, workspace, chooseWorkspace, setSession, ...apis }),
    [session, workspace, chooseWorkspace, setSession, apis],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session, the chosen workspace and the API clients. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
