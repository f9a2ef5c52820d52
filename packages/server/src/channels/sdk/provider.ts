/**
 * How a provider plugs in: a `ProviderFactory` per provider (`smtp`, `twilio`, `http-sms`,
 * `webhook`) validates its settings, reads them from environment variables for the default
 * workspace, makes adapters, and may declare the webhook routes its provider calls and a listener
 * of its own (the email provider's bounce mailbox). The catalogue
 * (channels/providers.ts) lists every factory; the registry (channels/registry.ts) builds adapters
 * from `/api/channels` rows or the environment.
 */
import type { z } from 'zod';
import type { Clock } from '../../clock.ts';
import type { Secrets } from '../../secrets.ts';
import type { ChannelAdapter } from './adapter.ts';
import type { ProviderHooks } from './hooks.ts';
import type { ProviderListener } from './listener.ts';

/** What an adapter may need from the server. */
export interface AdapterContext {
  /** The channel the adapter serves (`email`, `sms`, `voice`, `webhook`, …). */
  channel: string;
  /** Base URL providers call back and recipients click (WAYMARK_PUBLIC_URL). */
  publicUrl: string;
  /** Signs links and callback URLs. */
  secrets: Secrets;
  clock: Clock;
}

/**
 * A provider: settings schema, environment reading, adapter construction, webhook routes, a
 * listener.
 */
export interface ProviderFactory<S = Record<string, unknown>> {
  /** `smtp`, `twilio`, `http-sms`, `webhook`. */
  readonly name: string;
  /** Channels it can serve. */
  readonly channels: readonly string[];
  /** Settings, validated with field-named errors; includes the secret fields. */
  readonly settings: z.ZodType<S>;
  /** Top-level settings fields that are secrets: stored encrypted, never returned by the API. */
  readonly secretFields: readonly string[];
  /**
   * The webhook routes its provider calls (status callbacks, inbound messages), mounted by http/.
   * Providers of one vendor share one set (Twilio's SMS and voice providers).
   */
  readonly hooks?: ProviderHooks | undefined;
  /**
   * A server of its own its provider or the mail system calls (the bounce mailbox), started by
   * the composition root when its settings are in the environment. Providers of one vendor
   * share one.
   */
  readonly listener?: ProviderListener | undefined;
  /** Settings for `channel` from environment variables (documented), or null when not set. */
  fromEnv(env: NodeJS.ProcessEnv, channel: string): S | null;
  /** Makes an adapter; `settings` is what `settings` validated. */
  create(settings: S, context: AdapterContext): ChannelAdapter;
}

/** Declares a provider; its `create` and `fromEnv` are type-checked against its settings schema. */
export function defineProvider<S extends Record<string, unknown>>(
  factory: ProviderFactory<S>,
): ProviderFactory<S> {
  return factory;
}
