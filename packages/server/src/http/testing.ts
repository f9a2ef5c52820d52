/**
 * Test fixture of the HTTP edge: a whole Waymark (fresh database, known keys, optional manual
 * clock) served on a free port, with small clients for the tracking and admin APIs, on the
 * databases of `storage/testing.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import { createWaymark, type Waymark } from '../waymark.ts';
import type { TestDatabaseKind } from '../storage/testing.ts';
import { startHttp } from './server.ts';

export {
  testDatabases as testDatabaseUrls,
  type TestDatabase,
  type TestDatabaseKind as TestBackend,
} from '../storage/testing.ts';

/** Keys of the test workspace. */
export const TEST_WRITE_KEY = 'wk_test_write_key';
/** Admin token of the test workspace. */
export const TEST_ADMIN_TOKEN = 'wa_test_admin_token';

/** The body of an error response. */
export interface ApiError {
  code: string;
  message: string;
  details: Array<{ path: string; message: string; code?: string; hint?: string }>;
}

/** A JSON response: status and parsed body (typed by the caller; an error body has `error`). */
export interface JsonResponse<T> {
  status: number;
  body: T & { error?: ApiError };
}

/** A served Waymark for one test. */
export interface TestServer {
  waymark: Waymark;
  address: string;
  /** POST to a Segment route with the write key (or `auth` as the Authorization header). */
  track(
    path: string,
    body: unknown,
    opts?: { auth?: string | null },
  ): Promise<JsonResponse<{ success?: true }>>;
  /** Calls the admin API with the admin token; objects are sent as JSON, strings as YAML. */
  admin<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<JsonResponse<T>>;
  close(): Promise<void>;
}

async function json<T>(res: Response): Promise<JsonResponse<T>> {
  return { status: res.status, body: (await res.json()) as JsonResponse<T>['body'] };
}

/** A TCP port free on 127.0.0.1 right now (for a server whose public URL must be known first). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Basic authorization header of a write key. */
export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

/** Starts a Waymark on a fresh database of `backend` and serves it on a free port. */
export async function startTestServer(
  backend: TestDatabaseKind,
  opts: {
    clock?: Clock;
    /** `all` runs the worker loop in the server, as `waymark start` does (default `api`). */
    role?: 'api' | 'all';
  } = {},
): Promise<TestServer> {
  const db = await backend.create();
  const config = configFromEnv(
    {},
    {
      databaseUrl: db.url,
      writeKey: TEST_WRITE_KEY,
      adminToken: TEST_ADMIN_TOKEN,
      role: opts.role ?? 'api',
    },
  );
  const waymark = await createWaymark(config, opts.clock ? { clock: opts.clock } : {});
  if (opts.role === 'all') waymark.worker.start();
  const http = await startHttp(waymark, { port: 0, host: '127.0.0.1' });
  return {
    waymark,
    address: http.address,
    async track(path, body, o = {}) {
      const auth = o.auth === undefined ? basicAuth(TEST_WRITE_KEY) : o.auth;
      const res = await fetch(`${http.address}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return json(res);
    },
    async admin<T>(method: string, path: string, body?: unknown) {
      const headers: Record<string, string> = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      if (body !== undefined)
        headers['content-type'] =
          typeof body === 'string' ? 'application/yaml' : 'application/json';
      const res = await fetch(`${http.address}${path}`, {
        method,
        headers,
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return json<T>(res);
    },
    async close() {
      await http.close();
      await waymark.close();
      await db.drop();
    },
  };
}
