/**
 * Phone numbers and SMS text, shared by the SMS and voice adapters: E.164 normalisation with a
 * default country (libphonenumber-js), the country of a number, and how many segments a text
 * takes (GSM-7 or UCS-2) — known before anything is sent.
 */
import { getCountries, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

const COUNTRIES = new Set<string>(getCountries());

/** A number that cannot be normalised; the message names the input and why. */
export class PhoneNumberError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhoneNumberError';
  }
}

/** True when `code` is an ISO 3166 alpha-2 country libphonenumber knows (`PT`, `US`). */
export function isCountryCode(code: string): code is CountryCode {
  return COUNTRIES.has(code);
}

/**
 * The E.164 form (`+351912345678`) of a phone number as people type it (`912 345 678`,
 * `(415) 555-2671`, `00351…`, `+1 415…`); numbers without a country prefix are read in
 * `defaultCountry`. Throws `PhoneNumberError` when the number is not valid.
 */
export function toE164(raw: string, defaultCountry?: string): string {
  const text = raw.trim();
  if (text === '') throw new PhoneNumberError('phone number is empty');
  if (defaultCountry !== undefined && !isCountryCode(defaultCountry))
    throw new PhoneNumberError(
      `default country "${defaultCountry}" is not an ISO 3166 alpha-2 code (e.g. PT, US)`,
    );
  // "00" is the international prefix in most of the world; libphonenumber only reads it with a
  // default country whose prefix it is.
  const input = text.startsWith('00') ? `+${text.slice(2)}` : text;
  const parsed = parsePhoneNumberFromString(input, defaultCountry ? { defaultCountry } : {});
  if (!parsed) {
    throw new PhoneNumberError(
      !defaultCountry && !input.startsWith('+')
        ? `"${raw}" has no country prefix and no default country is set (SMS_DEFAULT_COUNTRY)`
        : `"${raw}" is not a phone number`,
    );
  }
  if (!parsed.isValid())
    throw new PhoneNumberError(
      `"${raw}" is not a valid phone number` +
        (parsed.country ? ` in ${parsed.country}` : ` (+${parsed.countryCallingCode})`),
    );
  return parsed.number;
}

/** The country (ISO alpha-2) of an E.164 number, or null when the number is shared/unknown. */
export function countryOfPhone(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

// GSM 03.38: the basic table (one septet each) and the extension table (escape + one septet).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

/** How a text travels as SMS. */
export interface SmsSegments {
  /** GSM-7 when every character is in the GSM 03.38 tables, else UCS-2. */
  encoding: 'GSM-7' | 'UCS-2';
  /** Parts the text is split into (0 for an empty text). */
  segments: number;
  /**
   * Length as the network counts it: septets for GSM-7 (extension characters such as `€`, `{`,
   * `[` count 2), UTF-16 code units for UCS-2 (most emoji count 2).
   */
  characters: number;
}

/**
 * Segment count of an SMS text: one part holds 160 GSM-7 septets or 70 UCS-2 units; a longer
 * text is split into parts of 153 or 67 (the rest is the concatenation header), never splitting
 * an escape sequence or a surrogate pair.
 */
export function smsSegments(text: string): SmsSegments {
  const units: number[] = [];
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) units.push(1);
    else if (GSM_EXTENSION.has(ch)) units.push(2);
    else {
      gsm = false;
      break;
    }
  }
  if (!gsm) {
    units.length = 0;
    for (const ch of text) units.push(ch.length);
  }
  const characters = units.reduce((a, b) => a + b, 0);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  let segments = 0;
  if (characters > 0 && characters <= single) segments = 1;
  else if (characters > single) {
    let used = part;
    for (const u of units) {
      if (used + u > part) {
        segments += 1;
        used = 0;
      }
      used += u;
    }
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', segments, characters };
}

/** An SMS ready to hand to a provider, or why it can never go (a `permanent` send result). */
export type SmsToSend =
  { ok: true; body: string; to: string; segments: SmsSegments } | { ok: false; error: string };

/**
 * Reads an outbox row as an SMS: its text (`content.body`, not empty), its recipient in E.164
 * (national numbers read in `defaultCountry`) and its segment count, known before sending.
 */
export function smsToSend(
  message: { recipient: string | null; content: Record<string, unknown> },
  defaultCountry: string | undefined,
): SmsToSend {
  const body = typeof message.content.body === 'string' ? message.content.body : '';
  if (body.trim() === '') return { ok: false, error: 'content.body: the message text is empty' };
  try {
    const to = toE164(message.recipient ?? '', defaultCountry);
    return { ok: true, body, to, segments: smsSegments(body) };
  } catch (err) {
    return { ok: false, error: `recipient: ${(err as Error).message}` };
  }
}
