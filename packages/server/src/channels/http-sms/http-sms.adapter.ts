/**
 * channels/http-sms/ owns the generic HTTP SMS gateway: for providers without their own adapter,
 * each SMS is a JSON POST to a configured URL —
 * `{ "to": "+351912345678", "from": "Waymark", "body": "…", "reference": "<idempotency key>" }` —
 * with a configurable auth header and an `Idempotency-Key` header; the provider's message id is
 * read from the answer at a configured path (`id`, `data.message_id`, `messages.0.id`). Network
 * failures, 429 and 5xx are retried (Retry-After honoured); other statuses are permanent.
 */
import { z } from 'zod';
import {
  afterCrashSetting,
  DefaultCountry,
  defineProvider,
  HttpClient,
  parseEnvSettings,
  parseJson,
  smsToSend,
  statusFailure,
  transportFailure,
  type AdapterContext,
  type ChannelAdapter,
  type HttpResponse,
} from '../sdk/index.ts';

/** Settings of the HTTP SMS gateway provider. */
export const HttpSmsSettings = z.object({
  /** Where each SMS is POSTed. */
  url: z.url({ protocol: /^https?$/ }),
  /** Credential sent in `authHeader` (with `authScheme` before it when set). Secret. */
  token: z.string().min(1).optional(),
  /** Header carrying the token. */
  authHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name')
    .default('Authorization'),
  /** Written before the token (`Bearer`); empty for none. */
  authScheme: z.string().default('Bearer'),
  /** Sender (number or alphanumeric ID), sent as `from` when set. */
  from: z.string().min(1).optional(),
  /** Dotted path of the provider's message id in the JSON answer. */
  idPath: z.string().min(1).default('id'),
  /** Country national numbers are read in. */
  defaultCountry: DefaultCountry.optional(),
  maxPerSecond: z.number().positive().optional(),
  maxConcurrency: z.number().int().positive().max(1024).default(32),
  /** Held as `unknown` by default; `resend` when the gateway drops a repeated Idempotency-Key. */
  afterCrash: afterCrashSetting('hold'),
});
/** Validated HTTP SMS settings. */
export type HttpSmsSettings = z.output<typeof HttpSmsSettings>;

const ENV = {
  url: 'SMS_GATEWAY_URL',
  token: 'SMS_GATEWAY_TOKEN',
  authHeader: 'SMS_GATEWAY_AUTH_HEADER',
  authScheme: 'SMS_GATEWAY_AUTH_SCHEME',
  from: 'SMS_GATEWAY_FROM',
  idPath: 'SMS_GATEWAY_ID_PATH',
  defaultCountry: 'SMS_DEFAULT_COUNTRY',
  afterCrash: 'SMS_GATEWAY_AFTER_CRASH',
};

/** The value at a dotted path (`data.messages.0.id`) of a JSON value. */
function at(value: unknown, path: string): unknown {
  let cur = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Makes the gateway adapter. */
export function createHttpSmsAdapter(
  settings: HttpSmsSettings,
  context: AdapterContext,
): ChannelAdapter {
  const url = new URL(settings.url);
  const client = new HttpClient(url.origin, { maxSockets: settings.maxConcurrency });
  const path = url.pathname + url.search;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
  };
  if (settings.token)
    headers[settings.authHeader.toLowerCase()] = settings.authScheme
      ? `${settings.authScheme} ${settings.token}`
      : settings.token;
  return {
    name: 'http-sms',
    maxConcurrency: settings.maxConcurrency,
    afterCrash: settings.afterCrash,
    ...(settings.maxPerSecond ? { maxPerSecond: settings.maxPerSecond } : {}),
    async send(message, idempotencyKey) {
      const sms = smsToSend(message, settings.defaultCountry);
      if (!sms.ok) return { kind: 'permanent', error: sms.error };
      const { body, to, segments } = sms;
      let response: HttpResponse;
      try {
        response = await client.request({
          method: 'POST',
          path,
          headers: { ...headers, 'idempotency-key': idempotencyKey },
          body: JSON.stringify({
            to,
            ...(settings.from ? { from: settings.from } : {}),
            body,
            reference: idempotencyKey,
          }),
        });
      } catch (err) {
        return transportFailure('sms gateway', err);
      }
      const json = parseJson(response.body);
      // The sender, when configured, is recorded on the message: replies are matched to it.
      const data = {
        to,
        ...(settings.from ? { from: settings.from } : {}),
        ...segments,
        status: response.status,
      };
      if (response.status >= 200 && response.status < 300) {
        const id = at(json, settings.idPath);
        if (typeof id !== 'string' && typeof id !== 'number')
          return {
            kind: 'permanent',
            error: `sms gateway ${response.status}: no message id at "${settings.idPath}" in ${response.body.slice(0, 200)}`,
            data,
          };
        return { kind: 'sent', providerMessageId: String(id), data };
      }
      const detail =
        (typeof at(json, 'message') === 'string' && (at(json, 'message') as string)) ||
        (typeof at(json, 'error') === 'string' && (at(json, 'error') as string)) ||
        response.body.slice(0, 200) ||
        'no detail';
      return statusFailure({
        provider: 'sms gateway',
        response,
        detail,
        now: context.clock.now(),
        data,
      });
    },
    async close() {
      client.close();
    },
  };
}

/**
 * The generic HTTP SMS gateway (`http-sms`, channel `sms`). Environment: SMS_GATEWAY_URL,
 * SMS_GATEWAY_TOKEN, SMS_GATEWAY_AUTH_HEADER (default Authorization), SMS_GATEWAY_AUTH_SCHEME
 * (default Bearer; empty for none), SMS_GATEWAY_FROM, SMS_GATEWAY_ID_PATH (default id),
 * SMS_DEFAULT_COUNTRY.
 */
export const httpSmsProvider = defineProvider<HttpSmsSettings>({
  name: 'http-sms',
  channels: ['sms'],
  settings: HttpSmsSettings,
  secretFields: ['token'],
  fromEnv(env) {
    if (!env.SMS_GATEWAY_URL) return null;
    const raw: Record<string, unknown> = { url: env.SMS_GATEWAY_URL };
    for (const [field, name] of Object.entries(ENV))
      if (field !== 'url' && env[name] !== undefined) raw[field] = env[name];
    return parseEnvSettings(HttpSmsSettings, raw, ENV);
  },
  create: createHttpSmsAdapter,
});
