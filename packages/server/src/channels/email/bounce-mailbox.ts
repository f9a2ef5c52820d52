/**
 * The smtp provider's listener: the bounce mailbox of bounces.ts (BOUNCE_SMTP_PORT), and what a
 * report it accepted means for the message its signed address names. A hard bounce
 * (`Action: failed` / status 5.x.x) records `bounced` `{ hard: true, status, diagnostic }` and
 * fails the message (suppression follows from the outcome); a soft one (`delayed` / 4.x.x)
 * records `bounced` `{ hard: false }` and nothing more — and nothing at all after a hard one; a
 * complaint records `complained`. The server records each once per message; success notices
 * (`delivered`, `relayed`, `expanded`) record nothing.
 */
import { defineListener, type NoticeOutcome } from '../sdk/index.ts';
import {
  bounceSettingsFromEnv,
  startBounceListener,
  type BounceReport,
  type BounceSettings,
  type DsnRecipient,
} from './bounces.ts';

/** The DSN entry about the message's recipient (else the first failure or delay, else the first). */
function entryFor(recipients: DsnRecipient[], address: string | null): DsnRecipient | undefined {
  const mine = recipients.find(
    (r) => address !== null && r.finalRecipient?.toLowerCase() === address.toLowerCase(),
  );
  return (
    mine ?? recipients.find((r) => r.action === 'failed' || r.action === 'delayed') ?? recipients[0]
  );
}

/** What a report says about the message sent to `recipient` (see the module header). */
export function reportOutcome(
  report: BounceReport,
  recipient: string | null,
): NoticeOutcome | null {
  if (report.kind === 'arf')
    return { key: 'complained', type: 'complained', data: { feedbackType: report.feedbackType } };
  const entry = entryFor(report.recipients, recipient);
  if (!entry) return null;
  const hard = entry.action === 'failed' || /^5\./.test(entry.status ?? '');
  const soft = entry.action === 'delayed' || /^4\./.test(entry.status ?? '');
  if (!hard && !soft) return null;
  const data = {
    hard,
    action: entry.action,
    ...(entry.status ? { status: entry.status } : {}),
    ...(entry.diagnostic ? { diagnostic: entry.diagnostic } : {}),
  };
  if (!hard)
    // A delay after the final failure adds nothing.
    return { key: 'bounced:soft', type: 'bounced', data, redundantAfter: ['bounced:hard'] };
  const error = `bounced: ${[entry.status, entry.diagnostic].filter(Boolean).join(' ')}`.trim();
  return { key: 'bounced:hard', type: 'bounced', data, fails: { error } };
}

/** The bounce mailbox, as the smtp provider declares it. */
export const bounceMailbox = defineListener<BounceSettings>({
  name: 'bounces',
  fromEnv: bounceSettingsFromEnv,
  start: (settings, { secrets, services }) =>
    startBounceListener({
      ...settings,
      secrets,
      onReport: async (target, report) =>
        void (await services.notice({
          workspaceId: target.w,
          messageId: target.m,
          read: (recipient) => reportOutcome(report, recipient),
        })),
    }),
});
