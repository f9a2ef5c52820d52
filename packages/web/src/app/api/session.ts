/**
 * The session calls of the access API (`/api/session`, `/api/setup`) over the typed client: who
 * is signed in, signing in and out, the password, and setup links.
 */
import { ApiError, unwrap, type Api } from './client.ts';
import type { components } from './openapi.generated.ts';

/** The signed-in user, their workspaces and the token writes carry. */
export type Session = components['schemas']['Session'];

/** A user's role in a workspace. */
export type Role = Session['workspaces'][number]['role'];

/** A setup link: create the first admin, or set a password. */
export type SetupLink = components['schemas']['getSetupLink_response'];

/** null for an answer of one of `status` (no session, no such link). */
async function orNull<T>(status: number[], promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ApiError && status.includes(err.status)) return null;
    throw err;
  }
}

/** The session calls, through the app's client. */
export function sessionApi(api: Api) {
  return {
    /** The session of this browser; null when nobody is signed in. */
    current: () => orNull([401], unwrap(api.GET('/api/session'))),
    signIn: (body: { email: string; password: string }) =>
      unwrap(api.POST('/api/session', { body })),
    signOut: () => unwrap(api.DELETE('/api/session')),
    changePassword: (body: { current: string; password: string }) =>
      unwrap(api.PUT('/api/session/password', { body })),
    /** The setup link of a token; null when it is unknown, used or expired. */
    setupLink: (token: string) =>
      orNull([404], unwrap(api.GET('/api/setup/{token}', { params: { path: { token } } }))),
    completeSetup: (body: { token: string; email?: string; name?: string; password: string }) =>
      unwrap(api.POST('/api/setup', { body })),
  };
}

/** The session calls. */
export type SessionApi = ReturnType<typeof sessionApi>;
