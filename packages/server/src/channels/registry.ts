/**
 * The channel registry: which adapter delivers a workspace's channel. Per (workspace, channel):
 * 1. the `channel_configs` row (`/api/channels`), its secrets decrypted with WAYMARK_SECRET_KEY;
 * 2. else, for the default workspace, the environment (`factory.fromEnv`, first provider of the
 *    channel that finds its variables);
 * 3. else the dev sink (the outbox row is the captured message).
 * Adapters are cached; `invalidate` drops one at once (the API calls it on change) and every
 * entry is re-read after `refreshMs` so the other processes of a fleet see changes too. A row
 * that cannot be used (a secret the key cannot decrypt, settings that no longer validate) makes
 * `for`/`get` throw a `ChannelConfigError` saying so; the delivery engine holds the rows then.
 */
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Secrets } from '../secrets.ts';
import type { ChannelConfigRepo, ChannelConfigRow, MessageRow } from '../storage/store.ts';
import { providerFactories } from './providers.ts';
import {
  devSink,
  type ChannelAdapter,
  type ChannelConfigReader,
  type ChannelRegistry,
  type EnvSettings,
  type ProviderConfiguration,
  type ProviderFactory,
} from './sdk/index.ts';

/** The workspace the environment configures. */
const ENV_WORKSPACE = 'default';
/** How long a cached adapter is trusted before its row is read again. */
const REFRESH_MS = 30_000;
/** How long a replaced adapter stays open for sends already handed to it. */
const RETIRE_MS = 60_000;

/** A channel configuration that cannot be turned into an adapter. */
export class ChannelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelConfigError';
  }
}

/** Where a channel's provider comes from. */
export type ChannelSource = 'api' | 'env' | 'none';

/** The channel an outbox row is delivered on: webhooks on `webhook`, the rest on their own. */
export function deliveryChannel(message: Pick<MessageRow, 'kind' | 'channel'>): string {
  return message.kind === 'webhook' ? 'webhook' : message.channel;
}

/** The decrypted secrets of a stored row: an object of secret fields. */
const StoredSecrets = z.record(z.string(), z.unknown());

/** Settings of a stored row: its plain settings and its decrypted secrets, merged. */
export function storedSettings(
  row: ChannelConfigRow,
  secrets: Pick<Secrets, 'decrypt'>,
): Record<string, unknown> {
  if (row.secrets === null) return { ...row.settings };
  let parsed: Record<string, unknown>;
  try {
    parsed = StoredSecrets.parse(JSON.parse(secrets.decrypt(row.secrets)));
  } catch (err) {
    throw new ChannelConfigError(
      `the ${row.channel} channel's secrets cannot be read: ${(err as Error).message}; ` +
        `configure the channel again (PUT /api/channels/${row.channel})`,
    );
  }
  return { ...row.settings, ...parsed };
}

/** The factory named `provider` that serves `channel`, or null. */
export function findFactory(
  factories: readonly ProviderFactory[],
  provider: string,
  channel: string,
): ProviderFactory | null {
  return factories.find((f) => f.name === provider && f.channels.includes(channel)) ?? null;
}

/** What a registry is built from. */
export interface ProviderRegistryOptions {
  configs: Pick<ChannelConfigRepo, 'get'>;
  secrets: Secrets;
  env: NodeJS.ProcessEnv;
  publicUrl: string;
  clock: Clock;
  factories?: readonly ProviderFactory[] | undefined;
  refreshMs?: number | undefined;
}

interface Entry {
  loadedAt: number;
  /** The row's `updatedAt` it was built from (null: env or none). */
  version: number | null;
  source: ChannelSource;
  adapter: ChannelAdapter | null;
  error: Error | null;
}

/** The registry of configured providers; see the module header. */
export class ProviderRegistry implements ChannelRegistry, ProviderConfiguration {
  readonly #o: ProviderRegistryOptions;
  readonly factories: readonly ProviderFactory[];
  readonly #entries = new Map<string, Entry>();
  readonly #retired = new Set<ChannelAdapter>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #envAdapters = new Map<string, { adapter: ChannelAdapter | null; error: Error | null }>();

  constructor(options: ProviderRegistryOptions) {
    this.#o = options;
    this.factories = options.factories ?? providerFactories;
  }

  /** This registry is built from configuration: `/api/channels` lists and changes it. */
  get configuration(): ProviderConfiguration {
    return this;
  }

  async for(message: MessageRow, configs?: ChannelConfigReader): Promise<ChannelAdapter> {
    return (await this.get(message.workspaceId, deliveryChannel(message), configs)) ?? devSink;
  }

  /** `configs`: where to read the channel's row (default: the store the registry was made with). */
  async get(
    workspaceId: string,
    channel: string,
    configs: ChannelConfigReader = this.#o.configs,
  ): Promise<ChannelAdapter | null> {
    const entry = await this.#entry(workspaceId, channel, configs);
    if (entry.error) throw entry.error;
    return entry.adapter;
  }

  /** Where the provider of a workspace's channel comes from now. */
  async source(workspaceId: string, channel: string): Promise<ChannelSource> {
    return (await this.#entry(workspaceId, channel, this.#o.configs)).source;
  }

  /** Settings the environment gives the channel (default workspace only), with their provider. */
  envSettings(workspaceId: string, channel: string): EnvSettings | null {
    if (workspaceId !== ENV_WORKSPACE) return null;
    for (const factory of this.factories) {
      if (!factory.channels.includes(channel)) continue;
      const settings = factory.fromEnv(this.#o.env, channel);
      if (settings !== null) return { factory, settings };
    }
    return null;
  }

  /** Forgets the cached adapter of a channel (its configuration changed). */
  invalidate(workspaceId: string, channel: string): void {
    const key = `${workspaceId}\u0000${channel}`;
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    if (entry?.source === 'api' && entry.adapter) this.#retire(entry.adapter);
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const adapters = new Set<ChannelAdapter>(this.#retired);
    for (const e of this.#entries.values()) if (e.adapter) adapters.add(e.adapter);
    for (const e of this.#envAdapters.values()) if (e.adapter) adapters.add(e.adapter);
    this.#entries.clear();
    this.#envAdapters.clear();
    this.#retired.clear();
    await Promise.all([...adapters].map((a) => a.close?.().catch(() => undefined)));
  }

  async #entry(workspaceId: string, channel: string, configs: ChannelConfigReader): Promise<Entry> {
    const key = `${workspaceId}\u0000${channel}`;
    const cached = this.#entries.get(key);
    const now = this.#o.clock.now();
    const fresh = (e: Entry): boolean => now - e.loadedAt < (this.#o.refreshMs ?? REFRESH_MS);
    if (cached && fresh(cached)) return cached;
    // Loads are not shared between callers: one may run inside a transaction whose store it
    // reads through (see runtime/delivery.ts), and another caller must not wait on it.
    const entry = await this.#load(workspaceId, channel, { previous: cached, configs });
    const current = this.#entries.get(key);
    if (current && current !== cached && fresh(current)) {
      // Another caller loaded it meanwhile: keep theirs.
      if (entry.adapter && entry.adapter !== current.adapter && entry.source === 'api')
        this.#retire(entry.adapter);
      return current;
    }
    this.#entries.set(key, entry);
    return entry;
  }

  async #load(
    workspaceId: string,
    channel: string,
    from: { previous: Entry | undefined; configs: ChannelConfigReader },
  ): Promise<Entry> {
    const { previous } = from;
    const loadedAt = this.#o.clock.now();
    const row = await from.configs.get(workspaceId, channel);
    if (row) {
      if (previous?.source === 'api' && previous.version === row.updatedAt)
        return { ...previous, loadedAt };
      if (previous?.source === 'api' && previous.adapter) this.#retire(previous.adapter);
      try {
        return {
          loadedAt,
          version: row.updatedAt,
          source: 'api',
          adapter: this.#build(row.provider, channel, storedSettings(row, this.#o.secrets)),
          error: null,
        };
      } catch (err) {
        const error =
          err instanceof ChannelConfigError
            ? err
            : new ChannelConfigError(
                `the ${channel} channel's stored configuration is not usable: ${(err as Error).message}`,
              );
        return { loadedAt, version: row.updatedAt, source: 'api', adapter: null, error };
      }
    }
    if (previous?.source === 'api' && previous.adapter) this.#retire(previous.adapter);
    const env = this.#fromEnv(workspaceId, channel);
    return {
      loadedAt,
      version: null,
      source: env.adapter || env.error ? 'env' : 'none',
      adapter: env.adapter,
      error: env.error,
    };
  }

  /** The environment's adapter of a channel, made once per process (the environment is fixed). */
  #fromEnv(
    workspaceId: string,
    channel: string,
  ): { adapter: ChannelAdapter | null; error: Error | null } {
    if (workspaceId !== ENV_WORKSPACE) return { adapter: null, error: null };
    let made = this.#envAdapters.get(channel);
    if (!made) {
      try {
        const found = this.envSettings(workspaceId, channel);
        made = {
          adapter: found ? this.#build(found.factory.name, channel, found.settings) : null,
          error: null,
        };
      } catch (err) {
        made = {
          adapter: null,
          error: new ChannelConfigError(
            `the ${channel} channel's environment variables are not usable: ${(err as Error).message}`,
          ),
        };
      }
      this.#envAdapters.set(channel, made);
    }
    return made;
  }

  #build(provider: string, channel: string, settings: Record<string, unknown>): ChannelAdapter {
    const factory = findFactory(this.factories, provider, channel);
    if (!factory)
      throw new ChannelConfigError(`no provider "${provider}" serves the ${channel} channel`);
    const parsed = factory.settings.safeParse(settings);
    if (!parsed.success)
      throw new ChannelConfigError(
        parsed.error.issues
          .map((i) => `settings.${i.path.map(String).join('.')}: ${i.message}`)
          .join('; '),
      );
    return factory.create(parsed.data, {
      channel,
      publicUrl: this.#o.publicUrl,
      secrets: this.#o.secrets,
      clock: this.#o.clock,
    });
  }

  /** Closes a replaced adapter once the sends already handed to it had time to finish. */
  #retire(adapter: ChannelAdapter): void {
    if (this.#retired.has(adapter)) return;
    this.#retired.add(adapter);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#retired.delete(adapter);
      void adapter.close?.().catch(() => undefined);
    }, RETIRE_MS);
    timer.unref();
    this.#timers.add(timer);
  }
}
