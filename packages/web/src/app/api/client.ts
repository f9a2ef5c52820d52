/**
 * The one way the app talks to the server: `createClient<paths>()` (openapi-fetch) over the
 * generated types of the OpenAPI document (openapi.generated.ts), same-origin cookies, and two
 * headers on every call: `Waymark-Workspace` (the workspace chosen in the app) and, on writes,
 * `X-CSRF-Token` (from the session). Errors come back in the server's one shape
 * `{ error: { code, message } }` and are thrown as `ApiError`.
 */
import createClient from 'openapi-fetch';
import type { paths } from './openapi.generated.ts';

/** What the headers of a call are made of; read at each call (the workspace can change). */
export interface Credentials {
  csrfToken(): string | undefined;
  workspaceId(): string | undefined;
}

/** The headers a call carries besides its own. */
export function credentialHeaders(method: string, credentials: Credentials): Headers {
  const headers = new Headers();
  const workspace = credentials.workspaceId();
  if (workspace) headers.set('Waymark-Workspace', workspace);
  const csrf = credentials.csrfToken();
  if (csrf && method.toUpperCase() !== 'GET' && method.toUpperCase() !== 'HEAD')
    headers.set('X-CSRF-Token', csrf);
  return headers;
}

/** An error answer of the server. */
export class ApiError extends Error {
  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The server's error code (`invalid_credentials`, `rate_limited`, `not_found`, …). */
    readonly code: string,
    message: string,
    /** Seconds to wait before trying again (`Retry-After`), when the server said so. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** Reads an error answer: its code and message, and `Retry-After`. */
export async function errorOf(response: Response, body?: unknown): Promise<ApiError> {
  let parsed = body;
  if (parsed === undefined) parsed = await response.json().catch(() => undefined);
  const error =
    typeof parsed === 'object' && parsed !== null && 'error' in parsed
      ? (parsed.error as { code?: unknown; message?: unknown })
      : {};
  const retry = Number(response.headers.get('retry-after'));
  return new ApiError(
    response.status,
    typeof error.code === 'string' ? error.code : `http_${response.status}`,
    typeof error.message === 'string' ? error.message : response.statusText,
    Number.isFinite(retry) && retry > 0 ? retry : null,
  );
}

/** The typed client of the API. */
export function createApi(credentials: Credentials) {
  const client = createClient<paths>({
    baseUrl: window.location.origin,
    credentials: 'same-origin',
  });
  client.use({
    onRequest({ request }) {
      credentialHeaders(request.method, credentials).forEach((value, name) =>
        request.headers.set(name, value),
      );
      return request;
    },
  });
  return client;
}

/** The typed client of the API. */
export type Api = ReturnType<typeof createApi>;

/** The data of a call, or its error thrown as an `ApiError`. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw await errorOf(response, error);
  return data as T;
}
