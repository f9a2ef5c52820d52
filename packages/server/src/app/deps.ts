/**
 * app/ holds the use-cases (ingest, journeys, enrolment, profiles, outbox; operators' sign-in,
 * roles and audit in access.ts, roles.ts, users.ts, setup.ts, audit.ts). It sees storage only
 * through the `Store` interface and never knows whether HTTP or the CLI called it.
 */
import type { ChannelRegistry } from '../channels/sdk/index.ts';
import type { Clock } from '../clock.ts';
import type { EnginePort } from '../runtime/port.ts';
import type { PersonalizationCache } from './personalize.ts';
import type { Secrets } from '../secrets.ts';
import type { Store } from '../storage/store.ts';

/** What wakes the worker early: new events, new outbox rows, a published journey. */
export type Signal = 'events' | 'runs' | 'outbox' | 'triggers';

/** Dependencies of every use-case, wired by the composition root. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  /** The engine: enrolment and outcomes step runs at once (`runtime/port.ts`). */
  engine: EnginePort;
  /** Channel adapters per workspace (provider webhooks find theirs here). */
  channels: ChannelRegistry;
  /** This instance's cache of personalisation answers (`personalize.ts`). */
  personalization: PersonalizationCache;
  /** Signs and verifies link tokens; encrypts stored secrets. */
  secrets: Secrets;
  /** Base URL of this server as the outside world reaches it (WAYMARK_PUBLIC_URL). */
  publicUrl: string;
  /** Origins whose pages may call `/v1/*` from a browser besides `publicUrl`'s (`*`: any). */
  corsOrigins?: readonly string[] | undefined;
  /** Tells the in-process worker there is work (no-op when the worker runs elsewhere). */
  notify(signal: Signal): void;
  /**
   * Waits until this process's worker has nothing due (see `Worker.settle`); null when the worker
   * runs elsewhere (`--role api`).
   */
  settle: (() => Promise<void>) | null;
}
