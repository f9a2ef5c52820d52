/**
 * Settings every provider reads the same way: the `afterCrash` setting, a default country for
 * national phone numbers, and environment variables turned into settings whose errors name the
 * variable the operator typed (`TWILIO_FROM: …`), so a misconfigured server says what to fix.
 */
import { z } from 'zod';
import type { AfterCrash } from './adapter.ts';
import { isCountryCode } from './phone.ts';

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

/** A default country for national numbers: ISO alpha-2, upper-cased. */
export const DefaultCountry = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .refine(isCountryCode, { message: 'not an ISO 3166 alpha-2 country code (e.g. PT, US)' });

/**
 * Validates settings read from the environment, naming the variable of each field in errors
 * (`vars`: field → variable); throws an Error listing every problem.
 */
export function parseEnvSettings<S>(
  schema: z.ZodType<S>,
  raw: Record<string, unknown>,
  vars: Record<string, string>,
): S {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new Error(
    result.error.issues
      .map((i) => {
        const field = String(i.path[0] ?? '');
        return `${vars[field] ?? field}: ${i.message}`;
      })
      .join('; '),
  );
}

/** A number from an environment variable; undefined when unset or blank. */
export function envNumber(value: string | undefined): number | undefined {
  return value === undefined || value.trim() === '' ? undefined : Number(value);
}

/** A yes/no environment variable (`true`, `1`, `on`, …); undefined when unset or blank. */
export function envBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value.trim())) return true;
  if (/^(0|false|no|off)$/i.test(value.trim())) return false;
  throw new Error(`${name} must be true or false, not "${value}"`);
}
