/** Configuration from environment variables (documented in README "Configuration"). */
import { resolve } from 'node:path';

/** Which parts a process runs. */
export type Role = 'api' | 'worker' | 'all';

/** Server configuration. */
export interface Config {
  port: number;
  host: string;
  /** `postgres://…` or `sqlite:<file>`. */
  databaseUrl: string;
  dataDir: string;
  writeKey: string | undefined;
  adminToken: string | undefined;
  timezone: string;
  role: Role;
  /**
   * Base URL the outside world reaches this server at (links in messages, provider callbacks).
   * Default: `http://<host>:<port>`.
   */
  publicUrl: string;
  /**
   * WAYMARK_SECRET_KEY: signs links and encrypts channel secrets at rest. When unset, a key is
   * generated once into `<dataDir>/secret.key` (a fleet must set it: every process needs the same).
   */
  secretKey: string | undefined;
  /**
   * WAYMARK_CORS_ORIGINS: comma-separated origins (`https://shop.example.com`) whose pages may call
   * `/v1/*` from the browser (`/waymark.js`); `*` allows any. The server's own origin always may.
   */
  corsOrigins: string[];
  /**
   * WAYMARK_CLOCK: `system` (default) or `manual` / `manual:<ISO time>` — time stands still until
   * `POST /api/clock` moves it (end-to-end tests, demos: days pass in milliseconds). One process
   * only (`--role all`): a manual clock is not shared between processes.
   */
  clock: { kind: 'system' } | { kind: 'manual'; start: number };
}

function clockFromEnv(value: string | undefined): Config['clock'] {
  if (!value || value === 'system') return { kind: 'system' };
  const m = /^manual(?::(.+))?$/.exec(value);
  const start = m?.[1] === undefined ? Date.now() : Date.parse(m[1]);
  if (!m || Number.isNaN(start))
    throw new Error(
      `WAYMARK_CLOCK must be "system", "manual" or "manual:<ISO time>" (e.g. manual:2026-05-01T09:00:00Z), got "${value}"`,
    );
  return { kind: 'manual', start };
}

/** Reads the configuration from an environment (default: process.env). */
export function configFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
): Config {
  const dataDir = resolve(env.WAYMARK_DATA_DIR ?? '.waymark');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || `sqlite:${resolve(dataDir, 'waymark.db')}`,
    dataDir,
    writeKey: env.WAYMARK_WRITE_KEY || undefined,
    adminToken: env.WAYMARK_ADMIN_TOKEN || undefined,
    timezone: env.WAYMARK_TIMEZONE || 'UTC',
    role: 'all',
    publicUrl: (env.WAYMARK_PUBLIC_URL || `http://${env.HOST ?? '127.0.0.1'}:${port}`).replace(
      /\/+$/,
      '',
    ),
    secretKey: env.WAYMARK_SECRET_KEY || undefined,
    corsOrigins: (env.WAYMARK_CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean),
    clock: clockFromEnv(env.WAYMARK_CLOCK),
    ...overrides,
  };
}
