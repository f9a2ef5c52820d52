/**
 * Checks of `policies:` a schema cannot express: sender addresses, a known time zone, send
 * windows that can open, goal ids that differ.
 */
import { IANAZone } from 'luxon';
import { issue, type Sink } from './issues.ts';
import { SendWindow } from './policies.ts';
import { checkAddress } from './template-checks.ts';
import { isRecord } from './words.ts';

/** Checks the raw `policies:` of a document. */
export function checkPolicies(rawPolicies: unknown, sink: Sink): void {
  if (!isRecord(rawPolicies)) return;
  const email = rawPolicies['email'];
  if (isRecord(email)) {
    checkAddress(email['from'], 'policies.email.from', sink);
    checkAddress(email['replyTo'], 'policies.email.replyTo', sink);
  }
  const timezone = rawPolicies['timezone'];
  if (typeof timezone === 'string' && timezone !== '' && !IANAZone.isValidZone(timezone)) {
    sink.error(
      issue(
        'policies.timezone',
        'invalid_timezone',
        `"${timezone}" is not a known IANA time zone`,
        'use a name such as "Europe/Lisbon" or "America/New_York"',
      ),
    );
  }
  const windows = isRecord(rawPolicies['sendWindows']) ? rawPolicies['sendWindows'] : {};
  for (const [key, rawWindow] of Object.entries(windows)) {
    const parsed = SendWindow.safeParse(rawWindow);
    if (!parsed.success) continue;
    const window = parsed.data;
    const path = `policies.sendWindows.${key}`;
    if (window.start === window.end) {
      sink.error(
        issue(
          path,
          'impossible_window',
          `the ${key} send window starts and ends at ${window.start}: nothing could ever be sent`,
          'for round-the-clock sending, remove the window',
        ),
      );
    }
    if (window.days.length === 0) {
      sink.error(
        issue(
          `${path}.days`,
          'impossible_window',
          `the ${key} send window has no days: nothing could ever be sent`,
          'list the days, or leave `days` out for every day',
        ),
      );
    }
    const repeated = window.days.filter((day, i) => window.days.indexOf(day) !== i);
    if (repeated.length > 0) {
      sink.warn(
        issue(
          `${path}.days`,
          'duplicate_window_day',
          `the ${key} send window lists ${[...new Set(repeated)].join(', ')} more than once`,
        ),
      );
    }
  }
  const goals = Array.isArray(rawPolicies['goals']) ? rawPolicies['goals'] : [];
  const seen = new Set<string>();
  goals.forEach((goal: unknown, i) => {
    const id = isRecord(goal) ? goal['id'] : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) {
      sink.error(
        issue(
          `policies.goals.${i}.id`,
          'duplicate_goal',
          `goal id "${id}" is used twice; conversions could not be told apart`,
        ),
      );
    }
    seen.add(id);
  });
}
