/**
 * The composition root: wires concrete storage, channels, the engine and the worker from
 * configuration. Everything else receives its dependencies from here.
 */
import { hostname } from 'node:os';
import type { AppDeps, Signal } from './app/deps.ts';
import { PersonalizationCache } from './app/personalize.ts';
import { recordNotice } from './app/tracking.ts';
import { ensureDefaultWorkspace, type GeneratedKeys } from './app/workspaces.ts';
import type { ChannelRegistry, RunningListener } from './channels/sdk/index.ts';
import { ProviderRegistry, providerListeners } from './channels/index.ts';
import type { Clock } from './clock.ts';
import { ManualClock, systemClock } from './clock.ts';
import type { Config } from './config.ts';
import { newId } from './ids.ts';
import { DefinitionCache } from './runtime/definitions.ts';
import type { DeliveryOptions, DeliveryPolicy } from './runtime/delivery.ts';
import { createDeliveryPolicy } from './runtime/policies.ts';
import { Phases, type BatchSizes } from './runtime/phases.ts';
import { ProfileChanges } from './runtime/profile-changes.ts';
import { Worker } from './runtime/worker.ts';
import { loadSecretKey, Secrets } from './secrets.ts';
import { openStore } from './storage/open.ts';
import type { Store } from './storage/store.ts';

/** A wired Waymark instance. */
export interface Waymark {
  deps: AppDeps;
  store: Store;
  /** The engine's phases (the worker runs them; simulations and tests step them by hand). */
  engine: Phases;
  worker: Worker;
  /** Keys generated at first start (to print once). */
  generatedKeys: GeneratedKeys;
  /**
   * The providers' listeners that are configured, by name (the email provider's `bounces`
   * mailbox, with BOUNCE_SMTP_PORT), when this process serves the API; empty otherwise.
   */
  listeners: ReadonlyMap<string, RunningListener>;
  close(): Promise<void>;
}

/** Options beyond the configuration (tests, simulations, benchmarks). */
export interface WaymarkOptions {
  clock?: Clock;
  /** Adapters to use instead of the ones configured (env, `/api/channels`). */
  channels?: ChannelRegistry;
  /** Environment the channel providers read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Delivery policy (consent, suppression, caps, skip conditions). */
  policy?: DeliveryPolicy;
  /** Tunables of the delivery engine. */
  delivery?: Partial<DeliveryOptions>;
  sizes?: Partial<BatchSizes>;
  pollMs?: number;
  onError?: (err: unknown) => void;
}

/** Opens storage (migrating it), wires the engine, and ensures the default workspace. */
export async function createWaymark(
  config: Config,
  options: WaymarkOptions = {},
): Promise<Waymark> {
  const store = await openStore({ url: config.databaseUrl });
  await store.migrate();
  const clock =
    options.clock ??
    (config.clock.kind === 'manual' ? new ManualClock(config.clock.start) : systemClock);
  const definitions = new DefinitionCache();
  // The engine tells the personalisation cache which profiles it changed, as it writes them.
  const profileChanges = new ProfileChanges();
  const personalization = new PersonalizationCache();
  profileChanges.subscribe((ws, ids) => personalization.forget(ws, ids));
  const secrets = new Secrets(loadSecretKey(config));
  const channels =
    options.channels ??
    new ProviderRegistry({
      // A delivery claim passes its transaction instead (`ChannelRegistry.for`).
      configs: store.channelConfigs,
      secrets,
      env: options.env ?? process.env,
      publicUrl: config.publicUrl,
      clock,
    });
  const engine = new Phases({
    store,
    clock,
    definitions,
    channels,
    sizes: options.sizes,
    policy: options.policy ?? createDeliveryPolicy({ definitions, clock }),
    delivery: options.delivery,
    links: { publicUrl: config.publicUrl, secrets },
    profileChanges,
  });
  const worker = new Worker({
    phases: engine,
    leases: store.leases,
    clock,
    owner: `${hostname()}:${process.pid}:${newId()}`,
    pollMs: options.pollMs,
    onError: options.onError,
  });
  const runsWorker = config.role !== 'api';
  const deps: AppDeps = {
    store,
    clock,
    engine,
    channels,
    personalization,
    secrets,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
    notify: (signal: Signal) => {
      if (signal === 'triggers') definitions.invalidateAll();
      if (runsWorker) worker.poke();
    },
    settle: runsWorker ? () => worker.settle() : null,
  };
  const generatedKeys = await ensureDefaultWorkspace(deps, {
    writeKey: config.writeKey,
    adminToken: config.adminToken,
    timezone: config.timezone,
  });
  // Settings are read (and refused when wrong) in every role; workers start no listener.
  const listeners = new Map<string, RunningListener>();
  for (const listener of providerListeners) {
    const settings = listener.fromEnv(options.env ?? process.env);
    if (settings !== null && config.role !== 'worker')
      listeners.set(
        listener.name,
        await listener.start(settings, {
          secrets,
          services: { notice: (notice) => recordNotice(deps, notice) },
        }),
      );
  }
  return {
    deps,
    store,
    engine,
    worker,
    generatedKeys,
    listeners,
    async close() {
      for (const listener of listeners.values()) await listener.close();
      await worker.stop();
      await engine.settleDeliveries();
      await channels.close();
      await store.close();
    },
  };
}

/** Applies pending migrations and closes the store (`waymark migrate`). */
export async function migrateDatabase(config: Config): Promise<string[]> {
  const store = await openStore({ url: config.databaseUrl });
  try {
    return (await store.migrate()).applied;
  } finally {
    await store.close();
  }
}
