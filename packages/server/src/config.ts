/** Configuration from environment variables (documented in README "Configuration"). */
import { resolve } from 'node:path';
import { AppError } from './errors.ts';

/** Which parts a process runs. */
export type Role = 'api' | 'worker' | 'all';

/** Levels `WAYMARK_LOG_LEVEL` accepts (pino's), from the most to the least verbose. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** A level of the server log. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Default log level: warnings (security events) and errors, not every request. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';

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
  /**
   * WAYMARK_LOG_LEVEL: lowest level of the HTTP server's log (JSON lines on standard output).
   * Default `warn`: security events (refused keys and webhooks) and errors; `info` adds every
   * request.
   */
  logLevel: LogLevel;
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

function logLevelFromEnv(value: string | undefined): LogLevel {
  if (!value) return DEFAULT_LOG_LEVEL;
  const level = LOG_LEVELS.find((l) => l === value.trim().toLowerCase());
  if (!level)
    throw new AppError(
      'invalid_input',
      `WAYMARK_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`,
      [
        {
          path: 'WAYMARK_LOG_LEVEL',
          message: 'not a log level',
          hint: `unset it for the default, ${DEFAULT_LOG_LEVEL}`,
        },
      ],
    );
  return level;
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
    logLevel: logLevelFromEnv(env.WAYMARK_LOG_LEVEL),
    ...overrides,
  };
}
