import { z } from 'zod';
import { Condition, MessageOutcomeType } from '../conditions/schema.ts';
import { Duration, PositiveDuration } from './duration.ts';

/** The schema version this build of Waymark writes; older documents are migrated up to it. */
export const CURRENT_SCHEMA_VERSION = 1;

const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'expected an id of letters, digits, _ . : -')
  .meta({ title: 'id' });
const NodeRef = Id.meta({ title: 'node id' });
/** Local time of day, 24-hour `HH:MM`. */
export const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time "HH:MM"')
  .meta({ title: 'time HH:MM' });
/** An IANA time-zone name; validated semantically (the name must be known) by `validateJourney`. */
export const TimeZoneName = z.string().min(1).meta({ title: 'time zone' });

// ---------------------------------------------------------------------------------------------
// Channels

/** Channels a send node can use. Voice and push/WhatsApp deliver to the dev outbox until configured. */
export const Channel = z
  .enum(['email', 'sms', 'voice', 'push', 'whatsapp'])
  .meta({ title: 'channel' });
/** A message channel. */
export type Channel = z.infer<typeof Channel>;

/** Channels staff alerts can go out on. */
export const AlertChannel = z.enum(['email', 'sms', 'webhook']);

// ---------------------------------------------------------------------------------------------
// Triggers

/** An event with optional filters on it (`event.*` paths). */
export const EventTrigger = z
  .strictObject({
    type: z.literal('event'),
    event: z.string().min(1).describe("Name of the event (a `track` call's `event`)."),
    where: Condition.optional().describe(
      'Filter on the event (`event.properties.*`) or the profile; the run starts only when it holds.',
    ),
  })
  .describe('An event of the profile starts a run, when it passes the optional filter.');

/** No activity for a while: fires once per quiet spell, scheduled per profile (no periodic scan). */
export const InactivityTrigger = z
  .strictObject({
    type: z.literal('inactivity'),
    after: PositiveDuration.describe('How long without activity before the run starts.'),
    /** Event names that count as activity; every event counts when absent. */
    activity: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Event names that count as activity; every event counts when absent.'),
  })
  .describe(
    'No activity for a while: fires once per quiet spell, scheduled per profile (no periodic scan).',
  );

/** N days before/at/after a date on the profile (`profile.traits.x`) or an event (`event.properties.x`). */
export const DateTrigger = z
  .strictObject({
    type: z.literal('date'),
    field: z
      .string()
      .regex(/^(profile\.traits|event\.properties)\.[^.].*$/, {
        message: 'expected "profile.traits.<name>" or "event.properties.<name>"',
      })
      .describe('The date: `profile.traits.<name>` or `event.properties.<name>`.'),
    /** For an event date: which event carries it. Required when `field` starts with `event.`. */
    event: z
      .string()
      .min(1)
      .optional()
      .describe(
        'For an event date: the event that carries it. Required when `field` starts with `event.`, refused otherwise.',
      ),
    /** Signed offset from the date: "-P1D" is a day before. Default: at the date. */
    offset: Duration.optional().describe(
      'Signed offset from the date: `-P1D` is a day before. Default: at the date.',
    ),
    /** Local time of day to fire at, in the recipient's time zone. Default: the date's own time. */
    at: LocalTime.optional().describe(
      "Local time of day to fire at, in the recipient's time zone. Default: the date's own time.",
    ),
  })
  .describe(
    'Before, at or after a date on the profile or on an event, optionally at a local time of day.',
  );

/** Entry into or exit from a segment, tested whenever the profile changes. */
export const SegmentTrigger = z
  .strictObject({
    type: z.literal('segment'),
    condition: Condition.describe('Who is in the segment.'),
    on: z
      .enum(['enter', 'exit'])
      .default('enter')
      .describe('Start a run when the profile enters the segment, or when it leaves it.'),
  })
  .describe('Entry into or exit from a segment, tested whenever the profile changes.');

/** Everyone matching a condition, now (on publish) or at a time. */
export const BroadcastTrigger = z
  .strictObject({
    type: z.literal('broadcast'),
    audience: Condition.describe('Who gets the broadcast.'),
    /** ISO date-time with offset; absent means on publish. */
    at: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When to send (ISO date-time with an offset); absent: when published.'),
  })
  .describe('Everyone matching a condition, once: when published, or at a time.');

/** An inbound message (SMS keyword to a virtual number). */
export const InboundTrigger = z
  .strictObject({
    type: z.literal('inbound'),
    channel: z
      .enum(['sms', 'whatsapp', 'email'])
      .default('sms')
      .describe('The channel the message comes in on.'),
    /** The number or address written to; any when absent. */
    to: z.string().min(1).optional().describe('The number or address written to; any when absent.'),
    /** Matched case-insensitively against the first word of the message. */
    keyword: z
      .string()
      .min(1)
      .describe('Matched case-insensitively against the first word of the message.'),
  })
  .describe('An inbound message (an SMS keyword to a virtual number) starts a run.');

/** Enrolment through the admin API or the CLI only. */
export const ManualTrigger = z
  .strictObject({ type: z.literal('manual') })
  .describe('Runs start only through the admin API (`POST /api/journeys/{id}/enrol`).');

/** What starts a run. */
export const Trigger = z
  .discriminatedUnion('type', [
    EventTrigger,
    InactivityTrigger,
    DateTrigger,
    SegmentTrigger,
    BroadcastTrigger,
    InboundTrigger,
    ManualTrigger,
  ])
  .describe('What starts a run.');
/** What starts a run. */
export type Trigger = z.infer<typeof Trigger>;

// ---------------------------------------------------------------------------------------------
// Nodes

const Next = { next: NodeRef.describe('The node to go to next.') };

/** Send a message on a channel from a template of the journey (or of the workspace). */
export const SendNode = z
  .strictObject({
    type: z.literal('send'),
    channel: Channel.describe('The channel to send on.'),
    template: Id.describe(
      'A template of the journey (`templates:`) or of the workspace, written for this channel.',
    ),
    /** Recipient override as a field path (`profile.traits.work_email`); default per channel. */
    to: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Recipient as a field path (`profile.traits.work_email`). Default: `profile.traits.email` for email, `profile.traits.phone` for SMS, WhatsApp and voice.',
      ),
    /** Transactional sends bypass marketing caps and topics, never a hard suppression. */
    transactional: z
      .boolean()
      .optional()
      .describe(
        'Transactional: not held by send windows, frequency caps or marketing unsubscribes; never sent to a suppressed address.',
      ),
    /** Marketing topic for consent (issue: channels). */
    topic: z
      .string()
      .min(1)
      .optional()
      .describe('Marketing topic: a recipient unsubscribed from it is skipped.'),
    /** Re-checked just before the send; when true the node is skipped (recorded on the run). */
    skipIf: Condition.optional().describe(
      'Checked just before the send; when it holds the message is skipped (recorded on the run).',
    ),
    /** Voice callbacks: the number to call first (contact centre); the customer is bridged in. */
    connectTo: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Voice callbacks: the number called first (the contact centre); the customer is bridged in.',
      ),
    ...Next,
  })
  .describe('Send a message on a channel from a template of the journey (or of the workspace).');

/** Wait a duration, or until a local time of day / a time relative to a date field. */
export const WaitNode = z
  .strictObject({
    type: z.literal('wait'),
    duration: PositiveDuration.optional().describe('Wait this long. Give `duration` or `until`.'),
    until: z
      .strictObject({
        /** A date field (`profile.traits.x`, `trigger.properties.x`); absent: from now. */
        field: z
          .string()
          .min(1)
          .optional()
          .describe('A date field (`profile.traits.x`, `trigger.properties.x`); absent: now.'),
        offset: Duration.optional().describe('Signed offset from that date (`-P1D`, `2h`).'),
        /** Local time of day in the recipient's zone. */
        at: LocalTime.optional().describe(
          "Then the next time it is this local time of day in the recipient's zone.",
        ),
      })
      .optional()
      .describe('Wait until a time: a date field, plus an offset, at a local time of day.'),
    ...Next,
  })
  .describe('Wait a duration, or until a local time of day / a time relative to a date field.');

/** Wait for an event, a message outcome, a reply or a task outcome, with a timeout path. */
export const WaitForNode = z
  .strictObject({
    type: z.literal('wait_for'),
    /** An event of the profile (`form_submitted`, `payment_received`). */
    event: z
      .string()
      .min(1)
      .optional()
      .describe('Wait for an event of the profile (`form_submitted`, `payment_received`).'),
    /** Filter on the awaited event (`event.*` paths). */
    where: Condition.optional().describe('With `event`: a filter on it (`event.*` paths).'),
    /**
     * An outcome of the message sent by a node of this journey. Machine outcomes (privacy-proxy
     * opens, link-scanner clicks) count unless `ignoreMachine` (default: `policies.tracking`).
     */
    outcome: z
      .strictObject({
        node: NodeRef.describe('The send node whose message is awaited.'),
        is: z
          .array(MessageOutcomeType)
          .min(1)
          .describe('Outcomes that end the wait (any of them).'),
        ignoreMachine: z
          .boolean()
          .optional()
          .describe(
            'Ignore machine opens and clicks (privacy proxies, link scanners). Default: `policies.tracking.ignoreMachine`.',
          ),
      })
      .optional()
      .describe('Wait for an outcome of the message a send node of this journey sent.'),
    /** A reply to the message sent by a node (SMS reply). */
    reply: z
      .strictObject({ node: NodeRef.describe('The send node whose message is answered.') })
      .optional()
      .describe('Wait for a reply to the message a send node sent (SMS).'),
    /** The outcome of a task created by a node. */
    task: z
      .strictObject({ node: NodeRef.describe('The task node.') })
      .optional()
      .describe('Wait for the outcome of the task a task node created.'),
    timeout: PositiveDuration.describe('How long to wait before giving up.'),
    onTimeout: NodeRef.describe('The node to go to when the wait times out.'),
    next: NodeRef.describe('The node to go to when what was awaited happened.'),
  })
  .describe(
    'Wait for one thing — an event, a message outcome, a reply or a task outcome — with a timeout path.',
  );

/** Branch on conditions; the first case that holds wins. */
export const BranchNode = z
  .strictObject({
    type: z.literal('branch'),
    cases: z
      .array(
        z.strictObject({
          when: Condition.describe('The condition of this case.'),
          next: NodeRef.describe('Where to go when it holds.'),
        }),
      )
      .min(1)
      .describe('Cases tested in order; the first that holds wins.'),
    default: NodeRef.describe('Where to go when no case holds.'),
  })
  .describe('Branch on conditions; the first case that holds wins.');

/** Random / A-B split, reproducible from the run's seed, with an optional holdout (control). */
export const SplitNode = z
  .strictObject({
    type: z.literal('split'),
    variants: z
      .array(
        z.strictObject({
          name: Id.describe('Name of the variant (reports, `run.variant`).'),
          weight: z.number().positive().describe('Relative weight of the variant.'),
          next: NodeRef.describe('Where runs of this variant go.'),
        }),
      )
      .min(1)
      .describe('The variants.'),
    /** Percent of entrants held out: they leave the journey as the control group. */
    holdout: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Percent of entrants held out: they leave the journey as the control group.'),
  })
  .describe("Random / A-B split, reproducible from the run's seed, with an optional holdout.");

/** Set or remove profile traits. String values are templates (`{{ trigger.properties.plan }}`). */
export const UpdateProfileNode = z
  .strictObject({
    type: z.literal('update_profile'),
    set: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Traits to set; string values are templates (`{{ trigger.properties.plan }}`).'),
    unset: z.array(z.string().min(1)).optional().describe('Traits to remove.'),
    ...Next,
  })
  .describe('Set or remove profile traits.');

/** Add to or remove from a list. */
export const ListNode = z
  .strictObject({
    type: z.literal('list'),
    action: z.enum(['add', 'remove']).describe('Add the profile to the list, or remove it.'),
    list: Id.describe('The list (created when first used).'),
    ...Next,
  })
  .describe('Add to or remove from a list.');

/** A list id or site flag name in which `{{ interest }}` stands for the interest's name. */
const InterestTemplated = (what: 'list' | 'flag') =>
  z
    .string()
    .min(1)
    .refine((v) => Id.safeParse(v.replace(/\{\{\s*interest\s*\}\}/g, 'x')).success, {
      message: `expected a ${what} ${what === 'list' ? 'id' : 'name'} of letters, digits, _ . : - ({{ interest }} stands for the interest's name)`,
    });

/**
 * What happens when an interest's score reaches `count` (crossing it upwards: once per climb,
 * again only after the score fell below and climbed back): join a list, set a site flag.
 */
export const InterestThreshold = z
  .strictObject({
    count: z.number().positive().describe('The score that triggers the threshold.'),
    /** List to join, e.g. `interest-{{ interest }}`. */
    list: InterestTemplated('list')
      .optional()
      .describe('List to join, e.g. `interest-{{ interest }}`.'),
    /** Site flag to set to true, e.g. `show_{{ interest }}_banner`. */
    flag: InterestTemplated('flag')
      .optional()
      .describe('Site flag to set to true, e.g. `show_{{ interest }}_banner`.'),
  })
  .refine((t) => t.list !== undefined || t.flag !== undefined, {
    message: 'a threshold needs a list or a flag (or both)',
  })
  .describe(
    'When the score reaches `count` (once per climb): join a list and/or set a site flag. Needs `list` or `flag`.',
  );

/**
 * Count a view or a cart add into an interest of the profile (personalisation). `interest` may be
 * a placeholder (`{{ trigger.properties.category }}`); the name is slugged (`Running Shoes` →
 * `running-shoes`). With `within` the score is the weight counted in that sliding window.
 */
export const InterestNode = z
  .strictObject({
    type: z.literal('interest'),
    interest: z
      .string()
      .min(1)
      .describe(
        'The interest, may be a placeholder (`{{ trigger.properties.category }}`); slugged (`Running Shoes` → `running-shoes`).',
      ),
    weight: z.number().default(1).describe('How much this counts.'),
    /** Sliding window the score counts over (`P7D`); absent: a running total. */
    within: PositiveDuration.optional().describe(
      'Sliding window the score counts over (`P7D`); absent: a running total.',
    ),
    threshold: InterestThreshold.optional(),
    ...Next,
  })
  .describe('Count a view or a cart add into an interest of the profile (personalisation).');

/** Set or clear a site flag (on-site message / personalisation), e.g. `offer_live_chat`. */
export const SiteFlagNode = z
  .strictObject({
    type: z.literal('site_flag'),
    flag: z.string().min(1).describe('The flag `/v1/personalize` answers (`offer_live_chat`).'),
    value: z
      .union([z.boolean(), z.string(), z.number()])
      .default(true)
      .describe('Its value; `false` clears it.'),
    ...Next,
  })
  .describe('Set or clear a site flag (on-site message / personalisation).');

/**
 * Who is told, once, when a task is still not done at its due time (a manager alert): like an
 * alert node, outside the recipients' policies. The template sees the task's customer (`profile`),
 * the trigger and the run; a webhook escalation also posts the task itself.
 */
export const TaskEscalation = z
  .strictObject({
    channel: AlertChannel.describe('How staff are told.'),
    /** An email address, a phone number (E.164) or a webhook URL, as `channel` needs. */
    to: z
      .string()
      .min(1)
      .describe('An email address, a phone number (E.164) or a webhook URL, as `channel` needs.'),
    template: Id.describe('The template of the alert.'),
  })
  .describe('Alert staff when the task is still open or claimed at its due time (once).');

/** Create a task for a team (a call, a follow-up); a wait_for with `task` awaits its outcome. */
export const TaskNode = z
  .strictObject({
    type: z.literal('task'),
    team: z
      .string()
      .min(1)
      .describe('The team whose queue gets the task (`GET /api/tasks?team=`).'),
    title: z.string().min(1).describe('Title (a template: `Call {{ profile.traits.name }}`).'),
    description: z.string().optional().describe('Details (a template).'),
    /** Due after this long. */
    due: PositiveDuration.describe('Due this long after it is created.'),
    /** Alert staff when the task is overdue (still open or claimed at its due time). */
    escalate: TaskEscalation.optional(),
    ...Next,
  })
  .describe(
    'Create a task for a team (a call, a follow-up); a wait_for `task` awaits its outcome.',
  );

/** Signed JSON POST to a URL; the response can be branched on via `last.*`. */
export const WebhookNode = z
  .strictObject({
    type: z.literal('webhook'),
    url: z.string().url().describe('Where to send the request.'),
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST').describe('The HTTP method.'),
    headers: z.record(z.string(), z.string()).optional().describe('Extra request headers.'),
    body: z
      .unknown()
      .optional()
      .describe(
        'The JSON body; `{{ path }}` placeholders in its strings (and in header values) are filled when the node runs.',
      ),
    ...Next,
  })
  .describe('Signed JSON request to a URL; the response can be branched on via `last.*`.');

/** Notify staff (manager alert), outside the recipients' delivery policies. */
export const AlertNode = z
  .strictObject({
    type: z.literal('alert'),
    channel: AlertChannel.describe('How staff are told.'),
    to: z
      .string()
      .min(1)
      .describe('An email address, a phone number (E.164) or a webhook URL, as `channel` needs.'),
    template: Id.describe('The template of the alert.'),
    ...Next,
  })
  .describe("Notify staff (manager alert), outside the recipients' delivery policies.");

/** Leave the journey. */
export const ExitNode = z
  .strictObject({
    type: z.literal('exit'),
    reason: z.string().optional().describe("Why the run ends, kept with the run's exit."),
  })
  .describe('Leave the journey.');

/** Every node kind of the journey language. */
export const JourneyNode = z
  .discriminatedUnion('type', [
    SendNode,
    WaitNode,
    WaitForNode,
    BranchNode,
    SplitNode,
    UpdateProfileNode,
    ListNode,
    InterestNode,
    SiteFlagNode,
    TaskNode,
    WebhookNode,
    AlertNode,
    ExitNode,
  ])
  .describe('A node of the journey graph.');
/** A node of the journey graph. */
export type JourneyNode = z.infer<typeof JourneyNode>;
/** The kind of a node. */
export type NodeType = JourneyNode['type'];

// ---------------------------------------------------------------------------------------------
// Policies

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

// ---------------------------------------------------------------------------------------------
// Templates

/**
 * A message template: Liquid text (`{{ profile.traits.first_name }}`); email adds a subject, HTML
 * (or MJML) and its own sender. `body` is the text; an email with `html` may leave it out (the
 * text part is then made from the HTML). Validation requires one of the two.
 */
export const Template = z
  .strictObject({
    channel: z
      .enum(['email', 'sms', 'voice', 'push', 'whatsapp', 'webhook'])
      .optional()
      .describe('The channel it is written for; absent: any channel.'),
    subject: z.string().optional().describe('Email subject (Liquid).'),
    body: z
      .string()
      .optional()
      .describe('The text (Liquid): SMS text, voice script, email text part.'),
    /** Email only: MJML (`<mjml>…`) or HTML markup. */
    html: z.string().optional().describe('Email only: MJML (`<mjml>…`) or HTML markup (Liquid).'),
    /** Email only: sender (`Name <addr@domain>`), overriding `policies.email.from`. */
    from: z
      .string()
      .min(1)
      .optional()
      .describe('Email only: sender (`Name <addr@domain>`), overriding `policies.email.from`.'),
    /** Email only: Reply-To, overriding `policies.email.replyTo`. */
    replyTo: z
      .string()
      .min(1)
      .optional()
      .describe('Email only: Reply-To, overriding `policies.email.replyTo`.'),
    /**
     * Email: open pixel / click redirects for this template, overriding `policies.tracking`. A text
     * (SMS, WhatsApp) tracks its links only with `clicks: true`.
     */
    tracking: z
      .strictObject({
        opens: z.boolean().optional().describe('Email: add the open pixel.'),
        clicks: z
          .boolean()
          .optional()
          .describe('Turn links into click redirects (a text only with `true`).'),
      })
      .optional()
      .describe(
        'Open pixel and click redirects for this template, overriding `policies.tracking`. A text (SMS, WhatsApp) tracks its links only with `clicks: true`.',
      ),
  })
  .describe(
    'A message template in Liquid (`{{ profile.traits.first_name }}`). `body` or (email) `html` is required.',
  );
/** A message template. */
export type Template = z.infer<typeof Template>;

// ---------------------------------------------------------------------------------------------
// The document

/** A journey document of the current schema version. */
export const JourneyDocument = z
  .strictObject({
    schemaVersion: z
      .literal(CURRENT_SCHEMA_VERSION)
      .describe('Version of the journey language; older documents are migrated.'),
    id: Id.describe('Id of the journey, unique in the workspace.'),
    name: z.string().min(1).describe('Name shown to people.'),
    description: z.string().optional().describe('Free text.'),
    trigger: Trigger,
    /** The entry node. */
    start: NodeRef.describe('The node a run starts at.'),
    nodes: z.record(Id, JourneyNode).describe('The nodes, by id.'),
    policies: Policies.default({ reentry: { mode: 'after_exit' } }),
    templates: z.record(Id, Template).default({}).describe('The message templates, by id.'),
  })
  .describe('A journey document.');
/** A journey definition (parsed, defaults applied). */
export type JourneyDefinition = z.infer<typeof JourneyDocument>;
/** A journey document as written by a user (before defaults). */
export type JourneyDocumentInput = z.input<typeof JourneyDocument>;
