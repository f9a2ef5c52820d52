/**
 * The ports the rest of the server reaches channels through: `ChannelRegistry` picks the adapter
 * of a workspace's channel (delivery, provider webhooks); a registry built from configuration
 * also offers `ProviderConfiguration` (what `/api/channels` lists and changes). A fixed registry
 * (tests, simulations) has adapters per channel and the dev sink for the rest.
 */
import type { ChannelConfigRepo, MessageRow } from '../../storage/store.ts';
import type { ChannelAdapter } from './adapter.ts';
import type { ProviderFactory } from './provider.ts';

/** Where a registry reads channel configurations (`channel_configs` rows). */
export type ChannelConfigReader = Pick<ChannelConfigRepo, 'get'>;

/** Picks adapters: per workspace and channel, from configuration. */
export interface ChannelRegistry {
  /**
   * The adapter that delivers the message: its channel's provider, else the dev sink. `configs`:
   * where to read the channel's configuration instead of the store — delivery passes its claim's
   * transaction (on SQLite a read outside the open transaction would wait for it to end).
   */
  for(message: MessageRow, configs?: ChannelConfigReader): Promise<ChannelAdapter>;
  /** The configured adapter of a workspace's channel, or null (provider webhooks look it up). */
  get(workspaceId: string, channel: string): Promise<ChannelAdapter | null>;
  /** Closes every adapter made (pooled connections). */
  close(): Promise<void>;
  /**
   * The configuration side (`/api/channels`) when the registry is built from configuration;
   * absent on a fixed registry.
   */
  readonly configuration?: ProviderConfiguration | undefined;
}

/** Settings the environment gives a channel, with the provider that read them. */
export interface EnvSettings {
  factory: ProviderFactory;
  settings: Record<string, unknown>;
}

/** What a registry built from configuration tells and is told about providers. */
export interface ProviderConfiguration {
  /** The providers it builds adapters with. */
  readonly factories: readonly ProviderFactory[];
  /** Settings the environment gives the channel (default workspace only), with their provider. */
  envSettings(workspaceId: string, channel: string): EnvSettings | null;
  /** Forgets the cached adapter of a channel (its configuration changed). */
  invalidate(workspaceId: string, channel: string): void;
}

/** The dev sink: accepts everything; the outbox row itself is the captured message. */
export const devSink: ChannelAdapter = {
  name: 'dev',
  local: true,
  send: async (message) => ({ kind: 'sent', providerMessageId: `dev:${message.id}` }),
};

/** A fixed registry (tests, simulations): adapters per channel and the dev sink for the rest. */
export function channelRegistry(
  adapters: Partial<Record<string, ChannelAdapter>> = {},
): ChannelRegistry {
  return {
    for: async (m) => adapters[m.channel] ?? devSink,
    get: async (_workspaceId, channel) => adapters[channel] ?? null,
    close: async () => {
      await Promise.all(Object.values(adapters).map((a) => a?.close?.()));
    },
  };
}
