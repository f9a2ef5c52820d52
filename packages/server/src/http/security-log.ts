/**
 * The security log: one `warn` line per refused request — a missing or unknown write key or admin
 * token, a provider webhook that fails its signature check — with the source IP, the route and the
 * reason, never the secret itself. `warn` is the server's default level, so these lines show
 * whatever else is quiet.
 *
 * A flood cannot drown the log: each source IP gets at most `perSource` lines a window (10 a
 * minute by default); what is held back is counted and told in one line,
 * `<n> more security events from <ip> suppressed`, when the window ends (on a timer, at the next
 * event after it, or when the server closes). Memory is bounded: past `maxSources`
 * sources in their window, further sources share one bucket (`other sources`).
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../clock.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Refused requests of this server, rate-limited per source (`http/security-log.ts`). */
    securityLog: SecurityLog;
  }
}

/** A refused request, as the code that refused it knows it. */
export type SecurityEvent =
  | {
      kind: 'key_refused';
      /** Which credential: a write key (`/v1/*`) or an admin token (`/api/*`). */
      key: 'write' | 'admin';
      /** Why, in words safe to log (`unknown write key`), never the key. */
      reason: string;
    }
  | {
      kind: 'webhook_rejected';
      /** Whose webhook (`twilio`). */
      provider: string;
      /** Status answered (403 forged or unsigned; 400/404 signed but unusable). */
      status: number;
      /** Why (`X-Twilio-Signature does not match …`). */
      reason: string;
    };

/** Limits of the security log. */
export interface SecurityLogOptions {
  /** Lines per source and window; further events are only counted. Default 10. */
  perSource?: number;
  /** Length of a window in ms, from a source's first event. Default one minute. */
  windowMs?: number;
  /** Sources tracked at once; events from further sources share one bucket. Default 1000. */
  maxSources?: number;
  /** Time source of the windows (tests move a manual clock). Default the wall clock. */
  clock?: Clock;
}

/** The bucket shared by sources beyond `maxSources`. */
export const OTHER_SOURCES = 'other sources';

interface Window {
  start: number;
  logged: number;
  suppressed: number;
  /** Ends the window on time once something is suppressed. */
  timer: NodeJS.Timeout | undefined;
}

function message(event: SecurityEvent): string {
  switch (event.kind) {
    case 'key_refused':
      return event.key === 'write' ? 'write key refused' : 'admin token refused';
    case 'webhook_rejected':
      return `${event.provider} webhook rejected`;
  }
}

function fields(event: SecurityEvent): Record<string, unknown> {
  switch (event.kind) {
    case 'key_refused':
      return { event: `${event.key}_key_refused`, reason: event.reason };
    case 'webhook_rejected':
      return {
        event: 'webhook_rejected',
        provider: event.provider,
        status: event.status,
        reason: event.reason,
      };
  }
}

/** Security events of one server: logs them at `warn`, at most `perSource` a window per source. */
export class SecurityLog {
  readonly #log: FastifyBaseLogger;
  readonly #perSource: number;
  readonly #windowMs: number;
  readonly #maxSources: number;
  readonly #clock: Clock;
  /** Open windows by source, oldest first (a window is deleted, not moved, when it ends). */
  readonly #windows = new Map<string, Window>();

  constructor(log: FastifyBaseLogger, options: SecurityLogOptions = {}) {
    this.#log = log;
    this.#perSource = options.perSource ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxSources = options.maxSources ?? 1000;
    this.#clock = options.clock ?? systemClock;
  }

  /** Logs a refused request (or counts it, when its source has had its lines this window). */
  record(request: FastifyRequest, event: SecurityEvent): void {
    const now = this.#clock.now();
    this.#endWindows(now);
    const source =
      this.#windows.has(request.ip) || this.#windows.size < this.#maxSources
        ? request.ip
        : OTHER_SOURCES;
    let window = this.#windows.get(source);
    if (!window) {
      window = { start: now, logged: 0, suppressed: 0, timer: undefined };
      this.#windows.set(source, window);
    }
    if (window.logged < this.#perSource) {
      window.logged += 1;
      request.log.warn(
        {
          ...fields(event),
          ip: request.ip,
          route: `${request.method} ${request.url.split('?')[0]}`,
        },
        message(event),
      );
      return;
    }
    window.suppressed += 1;
    window.timer ??= setTimeout(
      () => this.#end(source),
      Math.max(0, window.start + this.#windowMs - now),
    ).unref();
  }

  /** Ends every window, telling what each suppressed (the server is closing). */
  close(): void {
    for (const source of [...this.#windows.keys()]) this.#end(source);
  }

  /** Ends the windows that are over at `now`: the oldest come first. */
  #endWindows(now: number): void {
    for (const [source, window] of this.#windows) {
      if (now < window.start + this.#windowMs) return;
      this.#end(source);
    }
  }

  #end(source: string): void {
    const window = this.#windows.get(source);
    if (!window) return;
    this.#windows.delete(source);
    clearTimeout(window.timer);
    if (window.suppressed === 0) return;
    this.#log.warn(
      {
        event: 'security_events_suppressed',
        ip: source,
        suppressed: window.suppressed,
        windowMs: this.#windowMs,
      },
      `${window.suppressed} more security events from ${source} suppressed`,
    );
  }
}

/** Gives `app` (and its child scopes) a security log, ended when the server closes. */
export function registerSecurityLog(app: FastifyInstance, options: SecurityLogOptions = {}): void {
  const log = new SecurityLog(app.log, options);
  app.decorate('securityLog', log);
  app.addHook('onClose', async () => log.close());
}

/** Records a refused request in its server's security log. */
export function securityEvent(request: FastifyRequest, event: SecurityEvent): void {
  request.server.securityLog.record(request, event);
}
