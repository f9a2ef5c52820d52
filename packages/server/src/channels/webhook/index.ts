/**
 * channels/webhook owns signed HTTP calls: journeys' webhook nodes and staff alerts on the
 * `webhook` channel. The provider is on by default (a webhook has no "dev" form worth having):
 * `fromEnv` always answers settings, with the signing secret from WEBHOOK_SIGNING_SECRET or,
 * when unset, derived from the server's secret key (stable across restarts; set the variable to
 * share a known secret with receivers). Imports only the channel SDK (channels/sdk/).
 */
import { z } from 'zod';
import { afterCrashSetting, defineProvider, type Secrets } from '../sdk/index.ts';
import { webhookAdapter } from './webhook.adapter.ts';

export {
  DEFAULT_TOLERANCE_SECONDS,
  MESSAGE_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
  verifyWebhookSignature,
  type HeaderBag,
} from './signature.ts';
export {
  RESPONSE_BODY_LIMIT,
  webhookAdapter,
  type WebhookAdapterOptions,
} from './webhook.adapter.ts';

/** Default timeout of a webhook call (connect, send, read the answer). */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** Settings of the webhook provider. */
export const WebhookSettings = z.strictObject({
  /** HMAC-SHA256 key of `Waymark-Signature`; derived from the server's key when absent. */
  signingSecret: z.string().min(16, 'a signing secret has at least 16 characters').optional(),
  timeoutMs: z.number().int().min(100).max(120_000).default(DEFAULT_WEBHOOK_TIMEOUT_MS),
  maxPerSecond: z.number().positive().optional(),
  maxConcurrency: z.number().int().positive().optional(),
  /** Receivers get `Idempotency-Key` to drop a repeat: resent by default (at least once). */
  afterCrash: afterCrashSetting('resend'),
});
/** Settings of the webhook provider, as validated. */
export type WebhookSettings = z.infer<typeof WebhookSettings>;

/**
 * The signing secret used when none is configured: `whsec_` + a MAC of a fixed payload under the
 * server's secret key (WAYMARK_SECRET_KEY or the data folder's key file). Stable while that key is.
 */
export function derivedSigningSecret(secrets: Secrets): string {
  const token = secrets.sign('webhook-signing-secret', 'v1');
  return `whsec_${token.slice(token.lastIndexOf('.') + 1)}`;
}

function envTimeout(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_WEBHOOK_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100 || ms > 120_000)
    throw new Error(
      `WEBHOOK_TIMEOUT_MS must be a whole number of milliseconds from 100 to 120000, not "${value}"`,
    );
  return ms;
}

/** The `webhook` provider: signed JSON calls for webhook nodes and webhook alerts. */
export const webhookProvider = defineProvider<WebhookSettings>({
  name: 'webhook',
  channels: ['webhook'],
  settings: WebhookSettings,
  secretFields: ['signingSecret'],
  fromEnv(env, channel) {
    if (channel !== 'webhook') return null;
    const secret = env.WEBHOOK_SIGNING_SECRET?.trim();
    if (secret !== undefined && secret !== '' && secret.length < 16)
      throw new Error('WEBHOOK_SIGNING_SECRET must be at least 16 characters long');
    return WebhookSettings.parse({
      ...(secret ? { signingSecret: secret } : {}),
      timeoutMs: envTimeout(env.WEBHOOK_TIMEOUT_MS),
      ...(env.WEBHOOK_AFTER_CRASH?.trim() ? { afterCrash: env.WEBHOOK_AFTER_CRASH.trim() } : {}),
    });
  },
  create(settings, context) {
    return webhookAdapter({
      signingSecret: settings.signingSecret ?? derivedSigningSecret(context.secrets),
      timeoutMs: settings.timeoutMs,
      maxPerSecond: settings.maxPerSecond,
      maxConcurrency: settings.maxConcurrency,
      afterCrash: settings.afterCrash,
      clock: context.clock,
    });
  },
});
