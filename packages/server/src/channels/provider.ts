/**
 * How a provider plugs in: a `ProviderFactory` per provider (`smtp`, `twilio`, `http-sms`,
 * `webhook`) validates its settings, reads them from environment variables for the default
 * workspace, and makes adapters. The registry (channels/registry.ts) keeps one list of factories
 * and builds adapters from `/api/channels` rows or the environment.
 */
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Secrets } from '../secrets.ts';
import type { AfterCrash, ChannelAdapter } from './channel.ts';

/**
 * The `afterCrash` setting every provider has (`ChannelAdapter.afterCrash`): what becomes of a
 * message whose sender died while the provider had it.
 */
export function afterCrashSetting(
  byDefault: AfterCrash,
): z.ZodDefault<z.ZodEnum<{ resend: 'resend'; hold: 'hold' }>> {
  return z
    .enum(['resend', 'hold'])
    .default(byDefault)
    .describe(
      'a message the provider had when the sender died (it may or may not have gone out): resend it with the same idempotency key (at least once), or hold it as unknown (at most once)',
    );
}

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

/** A provider: settings schema, environment reading, adapter construction. */
export interface ProviderFactory<S = Record<string, unknown>> {
  /** `smtp`, `twilio`, `http-sms`, `webhook`. */
  readonly name: string;
  /** Channels it can serve. */
  readonly channels: readonly string[];
  /** Settings, validated with field-named errors; includes the secret fields. */
  readonly settings: z.ZodType<S>;
  /** Top-level settings fields that are secrets: stored encrypted, never returned by the API. */
  readonly secretFields: readonly string[];
  /** Settings for `channel` from environment variables (documented), or null when not set. */
  fromEnv(env: NodeJS.ProcessEnv, channel: string): S | null;
  create(settings: S, context: AdapterContext): ChannelAdapter;
}
