/**
 * Which IANA zone a recipient lives in, for send windows and local-time waits: the profile's
 * `timezone` trait when it is a valid IANA name, else the zone of the country of the profile's
 * phone number, else (in core's `resolveZone`) the journey's `policies.timezone`, else the
 * workspace default.
 *
 * A phone number's country gives a zone by this rule (documented in docs/channels.md):
 * 1. a country with one zone (or whose zones all share one offset and DST rule): that zone;
 * 2. a few multi-zone countries whose landline prefixes map onto zones (Australia 2/3/7, the
 *    Azores, the Canaries): the prefix's zone;
 * 3. a multi-zone country where one zone holds the great majority of people (Portugal, Spain,
 *    Brazil, China, New Zealand, …): that zone, from the table below;
 * 4. otherwise (United States, Canada, Russia, Mexico, Indonesia, Australian mobiles): no zone
 *    — guessing New York for a Californian would send at 06:00 — so the journey's or the
 *    workspace's zone applies.
 */
import { isValidZone } from '@waymark/core';
import { getCountry, getCountryForTimezone, getTimezone } from 'countries-and-timezones';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** National-number prefixes of multi-zone countries that pin a zone (longest prefix wins). */
const PREFIX_ZONES: Record<string, Array<[prefix: string, zone: string]>> = {
  // Australian geographic numbers: 02 NSW/ACT, 03 VIC/TAS, 07 QLD (no DST). 08 spans WA, SA
  // and NT (three offsets) and 04 is mobile: both stay unknown.
  AU: [
    ['2', 'Australia/Sydney'],
    ['3', 'Australia/Melbourne'],
    ['7', 'Australia/Brisbane'],
  ],
  // Azores landlines (292, 295, 296) are an hour behind Lisbon.
  PT: [
    ['292', 'Atlantic/Azores'],
    ['295', 'Atlantic/Azores'],
    ['296', 'Atlantic/Azores'],
  ],
  // Canary Islands landlines (822, 828, 922, 928) are an hour behind Madrid.
  ES: [
    ['822', 'Atlantic/Canary'],
    ['828', 'Atlantic/Canary'],
    ['922', 'Atlantic/Canary'],
    ['928', 'Atlantic/Canary'],
  ],
};

/** Multi-zone countries where one zone holds the great majority (≈ 85 %+) of the population. */
const DOMINANT_ZONE: Record<string, string> = {
  PT: 'Europe/Lisbon',
  ES: 'Europe/Madrid',
  DE: 'Europe/Berlin',
  UA: 'Europe/Kyiv',
  NZ: 'Pacific/Auckland',
  CL: 'America/Santiago',
  EC: 'America/Guayaquil',
  AR: 'America/Argentina/Buenos_Aires',
  BR: 'America/Sao_Paulo',
  CN: 'Asia/Shanghai',
  MY: 'Asia/Kuala_Lumpur',
  KZ: 'Asia/Almaty',
};

/** A country's zone by rules 1–3 of the header, ignoring number prefixes; null when ambiguous. */
function countryZone(country: string): string | null {
  const dominant = DOMINANT_ZONE[country];
  if (dominant) return dominant;
  // Zones listed under a country include other countries' zones (Asia/Tokyo under AU): keep the
  // ones whose first country is this one, unless that leaves none (Guernsey lives on London time).
  const all = (getCountry(country as Parameters<typeof getCountry>[0])?.timezones ?? [])
    .map((name) => getTimezone(name))
    .filter((z) => z !== null);
  const own = all.filter((z) => z.countries[0] === country);
  const zones = own.length > 0 ? own : all;
  const first = zones[0];
  if (!first) return null;
  const same = zones.every(
    (z) => z.utcOffset === first.utcOffset && z.dstOffset === first.dstOffset,
  );
  return same ? first.name : null;
}

/** The country (ISO 3166 alpha-2) of a zone, e.g. `Europe/Lisbon` → `PT`; null for `UTC`. */
export function countryOfZone(zone: string): string | null {
  return getCountryForTimezone(zone)?.id ?? null;
}

/** A phone number in E.164 (`+351912345678`), read with `defaultCountry` for national numbers; null when it is not a valid number. */
export function normalisePhone(phone: string, defaultCountry?: string | null): string | null {
  const parsed = parsePhoneNumberFromString(
    phone,
    (defaultCountry ?? undefined) as CountryCode | undefined,
  );
  return parsed?.isValid() ? parsed.number : null;
}

const phoneZones = new Map<string, string | null>();

/** The zone of a phone number's country by the header's rule; null when unknown or ambiguous. */
export function zoneOfPhone(phone: string, defaultCountry?: string | null): string | null {
  // Parsing costs tens of microseconds and runs at every step of a run: answers are remembered.
  const key = `${defaultCountry ?? ''}\u0000${phone}`;
  let zone = phoneZones.get(key);
  if (zone === undefined) {
    zone = phoneZone(phone, defaultCountry);
    if (phoneZones.size >= 10_000) phoneZones.clear();
    phoneZones.set(key, zone);
  }
  return zone;
}

function phoneZone(phone: string, defaultCountry?: string | null): string | null {
  const parsed = parsePhoneNumberFromString(
    phone,
    (defaultCountry ?? undefined) as CountryCode | undefined,
  );
  const country = parsed?.country;
  if (!parsed || !country) return null;
  const national = String(parsed.nationalNumber);
  let best: [string, string] | undefined;
  for (const entry of PREFIX_ZONES[country] ?? []) {
    if (national.startsWith(entry[0]) && entry[0].length > (best?.[0].length ?? 0)) best = entry;
  }
  if (best) return best[1];
  return countryZone(country);
}

/**
 * The recipient's own zone from profile traits: a valid `timezone` trait, else the zone of the
 * `phone` trait's country (national numbers read in the workspace zone's country); undefined when
 * neither tells, so the journey's and then the workspace's zone apply.
 */
export function profileZone(
  traits: Record<string, unknown>,
  workspaceZone?: string,
): string | undefined {
  const tz = traits.timezone;
  if (isValidZone(tz)) return tz;
  const phone = traits.phone;
  if (typeof phone !== 'string' || phone.trim() === '') return undefined;
  const zone = zoneOfPhone(phone, workspaceZone ? countryOfZone(workspaceZone) : null);
  return zone !== null && isValidZone(zone) ? zone : undefined;
}
