/**
 * channels/email owns email delivery over SMTP (nodemailer, pooled). The `smtp` provider reads
 * SMTP_URL / EMAIL_FROM (and EMAIL_REPLY_TO, SMTP_MAX_CONNECTIONS, SMTP_MAX_PER_SECOND,
 * SMTP_REQUIRE_TLS, SMTP_ALLOW_SELF_SIGNED) for the default workspace, or settings from
 * `/api/channels`. The password is a secret field of its own: it never stays inside `url`.
 * Its listener is the bounce mailbox (bounce-mailbox.ts), started when BOUNCE_SMTP_PORT and
 * BOUNCE_DOMAIN are set. Rendering (MJML, Liquid, the text part) happens at enqueue in
 * runtime/render.ts; this folder only delivers. Imports only the channel SDK (channels/sdk/) and
 * the links module.
 */
import { z } from 'zod';
import {
  afterCrashSetting,
  defineProvider,
  envBoolean,
  envNumber,
  parseEnvSettings,
} from '../sdk/index.ts';
import { bounceMailbox } from './bounce-mailbox.ts';
import { bounceAddress } from './bounces.ts';
import { bareAddress, smtpAdapter } from './smtp.adapter.ts';

export {
  MESSAGE_KEY_HEADER,
  bareAddress,
  classifySmtpError,
  messageIdFor,
  smtpAdapter,
  SMTP_IN_FLIGHT_PER_CONNECTION,
  type SmtpAdapterOptions,
} from './smtp.adapter.ts';

/** Default pool size (connections; `SMTP_IN_FLIGHT_PER_CONNECTION` sends in flight each). */
export const DEFAULT_SMTP_CONNECTIONS = 5;
/** Default connect / greeting / idle timeout. */
export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;

const Address = z
  .string()
  .refine(
    (v) => bareAddress(v) !== null,
    'expected "addr@example.com" or "Name <addr@example.com>"',
  );

/** Settings of the smtp provider. */
export const SmtpSettings = z.strictObject({
  /** `smtp://[user@]host[:port]` (STARTTLS when offered) or `smtps://…` (implicit TLS). */
  url: z
    .string()
    .refine((v) => URL.canParse(v), 'expected a URL such as smtp://user@smtp.example.com:587')
    .refine((v) => !URL.canParse(v) || /^smtps?:$/.test(new URL(v).protocol), {
      message: 'the scheme must be smtp:// (STARTTLS) or smtps:// (implicit TLS)',
    })
    .refine((v) => !URL.canParse(v) || new URL(v).password === '', {
      message: 'put the password in `password` (a secret field), not in the URL',
    }),
  /** The SMTP password (secret). */
  password: z.string().min(1).optional(),
  /** Default sender; a journey's `policies.email.from` or a template's `from` wins. */
  from: Address,
  replyTo: Address.optional(),
  maxConnections: z.number().int().min(1).max(100).default(DEFAULT_SMTP_CONNECTIONS),
  maxPerSecond: z.number().positive().optional(),
  /** Refuse to send when the server offers no STARTTLS (smtp:// only). */
  requireTls: z.boolean().default(false),
  /** Accept self-signed / unverifiable certificates (tests, private relays); off by default. */
  allowSelfSigned: z.boolean().default(false),
  timeoutMs: z.number().int().min(1_000).max(600_000).default(DEFAULT_SMTP_TIMEOUT_MS),
  /** SMTP cannot drop a repeated message: held as `unknown` by default (at most once). */
  afterCrash: afterCrashSetting('hold'),
  /** Domain of the VERP bounce addresses (BOUNCE_DOMAIN; the bounce mailbox's domain). */
  bounceDomain: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'expected a domain such as bounces.example.com')
    .optional(),
});
/** Settings of the smtp provider, as validated. */
export type SmtpSettings = z.infer<typeof SmtpSettings>;

/** The environment variable behind each setting (errors name what the operator typed). */
const ENV_NAMES: Record<string, string> = {
  url: 'SMTP_URL',
  password: 'SMTP_URL (password)',
  from: 'EMAIL_FROM',
  replyTo: 'EMAIL_REPLY_TO',
  maxConnections: 'SMTP_MAX_CONNECTIONS',
  maxPerSecond: 'SMTP_MAX_PER_SECOND',
  requireTls: 'SMTP_REQUIRE_TLS',
  allowSelfSigned: 'SMTP_ALLOW_SELF_SIGNED',
  timeoutMs: 'SMTP_TIMEOUT_MS',
  afterCrash: 'SMTP_AFTER_CRASH',
  bounceDomain: 'BOUNCE_DOMAIN',
};

/** Settings from the environment (see the module header); null when SMTP_URL is not set. */
export function smtpSettingsFromEnv(env: NodeJS.ProcessEnv): SmtpSettings | null {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return null;
  if (!env.EMAIL_FROM?.trim())
    throw new Error(
      'EMAIL_FROM must be set with SMTP_URL: the default sender, e.g. "Shop <shop@example.com>"',
    );
  let url = raw;
  let password: string | undefined;
  if (URL.canParse(raw)) {
    const u = new URL(raw);
    if (u.password) {
      password = decodeURIComponent(u.password);
      u.password = '';
      url = u.toString().replace(/\/$/, '');
    }
  }
  const input = {
    url,
    ...(password !== undefined ? { password } : {}),
    from: env.EMAIL_FROM.trim(),
    ...(env.EMAIL_REPLY_TO?.trim() ? { replyTo: env.EMAIL_REPLY_TO.trim() } : {}),
    maxConnections: envNumber(env.SMTP_MAX_CONNECTIONS),
    maxPerSecond: envNumber(env.SMTP_MAX_PER_SECOND),
    requireTls: envBoolean('SMTP_REQUIRE_TLS', env.SMTP_REQUIRE_TLS),
    allowSelfSigned: envBoolean('SMTP_ALLOW_SELF_SIGNED', env.SMTP_ALLOW_SELF_SIGNED),
    timeoutMs: envNumber(env.SMTP_TIMEOUT_MS),
    ...(env.SMTP_AFTER_CRASH?.trim() ? { afterCrash: env.SMTP_AFTER_CRASH.trim() } : {}),
    ...(env.BOUNCE_DOMAIN?.trim() ? { bounceDomain: env.BOUNCE_DOMAIN.trim().toLowerCase() } : {}),
  };
  try {
    return parseEnvSettings(SmtpSettings, input, ENV_NAMES);
  } catch (err) {
    throw new Error(`email settings from the environment are invalid: ${(err as Error).message}`);
  }
}

/** The `smtp` provider of the `email` channel. */
export const smtpProvider = defineProvider<SmtpSettings>({
  name: 'smtp',
  channels: ['email'],
  settings: SmtpSettings,
  secretFields: ['password'],
  listener: bounceMailbox,
  fromEnv(env, channel) {
    return channel === 'email' ? smtpSettingsFromEnv(env) : null;
  },
  create(settings, context) {
    const domain = settings.bounceDomain;
    return smtpAdapter({
      ...settings,
      ...(domain
        ? {
            returnPath: (m) =>
              bounceAddress(context.secrets, domain, { w: m.workspaceId, m: m.id }),
          }
        : {}),
    });
  },
});
