/**
 * The journey-wide rules of a document (`policies:`): re-entry, the recipients' time zone, send
 * windows, frequency caps, goals and their attribution, email sender and tracking.
 */
import { z } from 'zod';
import { Condition } from '../conditions/schema.ts';
import { Channel } from './channel.ts';
import { PositiveDuration } from './duration.ts';
import { Id, LocalTime, TimeZoneName } from './ids.ts';

/** Days of the week, lower-case three letters. */
export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** Allowed local hours for a channel; `start` after `end` crosses midnight. */
export const SendWindow = z
  .strictObject({
    days: z
      .array(Weekday)
      .default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
      .describe('Days of the week the window opens on.'),
    start: LocalTime.describe('Local time the window opens.'),
    end: LocalTime.describe('Local time the window closes; before `start`: crosses midnight.'),
  })
  .describe(
    "Allowed local hours, in the recipient's zone; a send outside waits for the next opening (never dropped).",
  );
/** A send window. */
export type SendWindow = z.infer<typeof SendWindow>;

/** Re-entry: once ever; again after a cool-down since the last entry; or concurrent runs. */
export const Reentry = z
  .discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('once') }).describe('Once ever.'),
    z.strictObject({ mode: z.literal('after_exit') }).describe('Again once the last run ended.'),
    z
      .strictObject({
        mode: z.literal('after'),
        after: PositiveDuration.describe('Cool-down since the last entry.'),
      })
      .describe('Again after a cool-down since the last entry.'),
    z.strictObject({ mode: z.literal('concurrent') }).describe('Every time, runs side by side.'),
  ])
  .describe('When a profile may enter the journey again.');

/**
 * How a goal's conversions are attributed: to the run's last message (`last_touch`) sent within
 * the window before the goal event; `windows` sets the window per channel (`{ email: P3D, sms:
 * P1D }`), `window` applies to the other channels. The window also bounds how long after the run
 * ended (or was held out) a goal event still counts. Absent: `window: P3D`, `last_touch`.
 */
export const GoalAttribution = z
  .strictObject({
    window: PositiveDuration.optional().describe(
      'Attribution window of channels without their own (default `P3D`).',
    ),
    windows: z
      .partialRecord(Channel, PositiveDuration)
      .optional()
      .describe('Attribution window per channel (`{ email: P3D, sms: P1D }`).'),
    model: z.literal('last_touch').optional().describe('The attribution model: last touch.'),
  })
  .describe("How the goal's conversions are attributed to the run's messages.");
/** Attribution settings of a goal. */
export type GoalAttribution = z.infer<typeof GoalAttribution>;

/** A conversion goal: when the event happens during a run it is counted (and by default exits). */
export const Goal = z
  .strictObject({
    id: Id.describe('Id of the goal, unique in the journey.'),
    event: z.string().min(1).describe('The event that reaches the goal.'),
    where: Condition.optional().describe('A filter on that event.'),
    exit: z.boolean().default(true).describe('Whether reaching the goal ends the run.'),
    /** Property holding revenue, e.g. `revenue`. */
    valueProperty: z
      .string()
      .optional()
      .describe('Event property holding the revenue, e.g. `revenue`.'),
    /** Property holding the value's currency, e.g. `currency` (`EUR`). */
    currencyProperty: z
      .string()
      .optional()
      .describe("Event property holding the revenue's currency, e.g. `currency` (`EUR`)."),
    attribution: GoalAttribution.optional(),
  })
  .describe(
    'A conversion goal: when its event happens during a run it is counted (and by default ends it).',
  );
/** A goal after defaults are applied. */
export type Goal = z.infer<typeof Goal>;

/**
 * Email tracking: the open pixel and click redirects (both on by default), and whether machine
 * outcomes (privacy-proxy opens, link-scanner clicks) are ignored by waits and outcome conditions.
 */
export const TrackingPolicy = z
  .strictObject({
    opens: z.boolean().optional().describe('Add the open pixel to emails (default true).'),
    clicks: z
      .boolean()
      .optional()
      .describe('Turn email links into click redirects (default true).'),
    ignoreMachine: z
      .boolean()
      .optional()
      .describe(
        'Waits and outcome conditions ignore machine opens and clicks (privacy proxies, link scanners). Default false.',
      ),
  })
  .describe('Email open and click tracking, and whether machine outcomes count.');

/** Journey-wide rules. */
export const Policies = z
  .strictObject({
    reentry: Reentry.default({ mode: 'after_exit' }),
    /** Time zone for recipients without one of their own. */
    timezone: TimeZoneName.optional().describe(
      'Time zone of recipients without one of their own (`timezone` trait, phone country); else the workspace zone.',
    ),
    /**
     * Per-channel send windows; `default` applies to channels without their own. Every key is
     * optional (`partialRecord`: zod 4's `record` over an enum would require all six).
     */
    sendWindows: z
      .partialRecord(z.enum(['default', ...Channel.options]), SendWindow)
      .optional()
      .describe('Send windows per channel; `default` applies to channels without their own.'),
    frequencyCaps: z
      .array(
        z.strictObject({
          channel: Channel.describe('The capped channel.'),
          max: z.number().int().positive().describe('At most this many messages…'),
          per: PositiveDuration.describe('…in any window this long.'),
          scope: z
            .enum(['journey', 'workspace'])
            .default('workspace')
            .describe('Count the messages of this journey only, or of every journey.'),
        }),
      )
      .optional()
      .describe('Caps on messages per recipient; a capped send is skipped.'),
    goals: z.array(Goal).optional().describe('Conversion goals.'),
    /** Per-journey rate limit on sends. */
    maxSendsPerSecond: z
      .number()
      .positive()
      .optional()
      .describe(
        'Rate limit on the sends of this journey. Validated; not enforced in this release.',
      ),
    /** All sends of this journey are transactional. */
    transactional: z
      .boolean()
      .optional()
      .describe('Every send of this journey is transactional (see the send node).'),
    /** Email sender of this journey (`Name <addr@domain>`); a template's own wins; else EMAIL_FROM. */
    email: z
      .strictObject({
        from: z.string().min(1).optional().describe('Sender, `Name <addr@domain>`.'),
        replyTo: z.string().min(1).optional().describe('Reply-To address.'),
      })
      .optional()
      .describe("Email sender of this journey; a template's own wins; else `EMAIL_FROM`."),
    /** Email open and click tracking; machine outcomes (see `TrackingPolicy`). */
    tracking: TrackingPolicy.optional(),
  })
  .describe('Journey-wide rules.');
/** Journey policies after defaults are applied. */
export type Policies = z.infer<typeof Policies>;
