import { z } from 'zod';
import { Condition, MessageOutcomeType } from '../conditions/schema.ts';
import { Duration, PositiveDuration } from './duration.ts';

/** The schema version this build of Waymark writes; older documents are migrated up to it. */
export const CURRENT_SCHEMA_VERSION = 1;

const Id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'expected an id of letters, digits, _ . : -');
const NodeRef = Id;
/** Local time of day, 24-hour `HH:MM`. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time "HH:MM"');
/** An IANA time-zone name; validated semantically (the name must be known) by `validateJourney`. */
export const TimeZoneName = z.string().min(1);

// ---------------------------------------------------------------------------------------------
// Channels

/** Channels a send node can use. Voice and push/WhatsApp deliver to the dev outbox until configured. */
export const Channel = z.enum(['email', 'sms', 'voice', 'push', 'whatsapp']);
/** A message channel. */
export type Channel = z.infer<typeof Channel>;

/** Channels staff alerts can go out on. */
export const AlertChannel = z.enum(['email', 'sms', 'webhook']);

// ---------------------------------------------------------------------------------------------
// Triggers

/** An event with optional filters on it (`event.*` paths). */
export const EventTrigger = z.strictObject({
  type: z.literal('event'),
  event: z.string().min(1),
  where: Condition.optional(),
});

/** No activity for a while: fires once per quiet spell, scheduled per profile (no periodic scan). */
export const InactivityTrigger = z.strictObject({
  type: z.literal('inactivity'),
  after: PositiveDuration,
  /** Event names that count as activity; every event counts when absent. */
  activity: z.array(z.string().min(1)).min(1).optional(),
});

/** N days before/at/after a date on the profile (`profile.traits.x`) or an event (`event.properties.x`). */
export const DateTrigger = z.strictObject({
  type: z.literal('date'),
  field: z.string().regex(/^(profile\.traits|event\.properties)\.[^.].*$/, {
    message: 'expected "profile.traits.<name>" or "event.properties.<name>"',
  }),
  /** For an event date: which event carries it. Required when `field` starts with `event.`. */
  event: z.string().min(1).optional(),
  /** Signed offset from the date: "-P1D" is a day before. Default: at the date. */
  offset: Duration.optional(),
  /** Local time of day to fire at, in the recipient's time zone. Default: the date's own time. */
  at: LocalTime.optional(),
});

/** Entry into or exit from a segment, tested whenever the profile changes. */
export const SegmentTrigger = z.strictObject({
  type: z.literal('segment'),
  condition: Condition,
  on: z.enum(['enter', 'exit']).default('enter'),
});

/** Everyone matching a condition, now (on publish) or at a time. */
export const BroadcastTrigger = z.strictObject({
  type: z.literal('broadcast'),
  audience: Condition,
  /** ISO date-time with offset; absent means on publish. */
  at: z.iso.datetime({ offset: true }).optional(),
});

/** An inbound message (SMS keyword to a virtual number). */
export const InboundTrigger = z.strictObject({
  type: z.literal('inbound'),
  channel: z.enum(['sms', 'whatsapp', 'email']).default('sms'),
  /** The number or address written to; any when absent. */
  to: z.string().min(1).optional(),
  /** Matched case-insensitively against the first word of the message. */
  keyword: z.string().min(1),
});

/** Enrolment through the admin API or the CLI only. */
export const ManualTrigger = z.strictObject({ type: z.literal('manual') });

/** What starts a run. */
export const Trigger = z.discriminatedUnion('type', [
  EventTrigger,
  InactivityTrigger,
  DateTrigger,
  SegmentTrigger,
  BroadcastTrigger,
  InboundTrigger,
  ManualTrigger,
]);
/** What starts a run. */
export type Trigger = z.infer<typeof Trigger>;

// ---------------------------------------------------------------------------------------------
// Nodes

const Next = { next: NodeRef };

/** Send a message on a channel from a template of the journey (or of the workspace). */
export const SendNode = z.strictObject({
  type: z.literal('send'),
  channel: Channel,
  template: Id,
  /** Recipient override as a field path (`profile.traits.work_email`); default per channel. */
  to: z.string().min(1).optional(),
  /** Transactional sends bypass marketing caps and topics, never a hard suppression. */
  transactional: z.boolean().optional(),
  /** Marketing topic for consent (issue: channels). */
  topic: z.string().min(1).optional(),
  /** Re-checked just before the send; when true the node is skipped (recorded on the run). */
  skipIf: Condition.optional(),
  /** Voice callbacks: the number to call first (contact centre); the customer is bridged in. */
  connectTo: z.string().min(1).optional(),
  ...Next,
});

/** Wait a duration, or until a local time of day / a time relative to a date field. */
export const WaitNode = z.strictObject({
  type: z.literal('wait'),
  duration: PositiveDuration.optional(),
  until: z
    .strictObject({
      /** A date field (`profile.traits.x`, `trigger.properties.x`); absent: from now. */
      field: z.string().min(1).optional(),
      offset: Duration.optional(),
      /** Local time of day in the recipient's zone. */
      at: LocalTime.optional(),
    })
    .optional(),
  ...Next,
});

/** Wait for an event, a message outcome, a reply or a task outcome, with a timeout path. */
export const WaitForNode = z.strictObject({
  type: z.literal('wait_for'),
  /** An event of the profile (`form_submitted`, `payment_received`). */
  event: z.string().min(1).optional(),
  /** Filter on the awaited event (`event.*` paths). */
  where: Condition.optional(),
  /**
   * An outcome of the message sent by a node of this journey. Machine outcomes (privacy-proxy
   * opens, link-scanner clicks) count unless `ignoreMachine` (default: `policies.tracking`).
   */
  outcome: z
    .strictObject({
      node: NodeRef,
      is: z.array(MessageOutcomeType).min(1),
      ignoreMachine: z.boolean().optional(),
    })
    .optional(),
  /** A reply to the message sent by a node (SMS reply). */
  reply: z.strictObject({ node: NodeRef }).optional(),
  /** The outcome of a task created by a node. */
  task: z.strictObject({ node: NodeRef }).optional(),
  timeout: PositiveDuration,
  onTimeout: NodeRef,
  ...Next,
});

/** Branch on conditions; the first case that holds wins. */
export const BranchNode = z.strictObject({
  type: z.literal('branch'),
  cases: z.array(z.strictObject({ when: Condition, next: NodeRef })).min(1),
  default: NodeRef,
});

/** Random / A-B split, reproducible from the run's seed, with an optional holdout (control). */
export const SplitNode = z.strictObject({
  type: z.literal('split'),
  variants: z
    .array(z.strictObject({ name: Id, weight: z.number().positive(), next: NodeRef }))
    .min(1),
  /** Percent of entrants held out: they leave the journey as the control group. */
  holdout: z.number().min(0).max(100).optional(),
});

/** Set or remove profile traits. String values are templates (`{{ trigger.properties.plan }}`). */
export const UpdateProfileNode = z.strictObject({
  type: z.literal('update_profile'),
  set: z.record(z.string(), z.unknown()).optional(),
  unset: z.array(z.string().min(1)).optional(),
  ...Next,
});

/** Add to or remove from a list. */
export const ListNode = z.strictObject({
  type: z.literal('list'),
  action: z.enum(['add', 'remove']),
  list: Id,
  ...Next,
});

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
    count: z.number().positive(),
    /** List to join, e.g. `interest-{{ interest }}`. */
    list: InterestTemplated('list').optional(),
    /** Site flag to set to true, e.g. `show_{{ interest }}_banner`. */
    flag: InterestTemplated('flag').optional(),
  })
  .refine((t) => t.list !== undefined || t.flag !== undefined, {
    message: 'a threshold needs a list or a flag (or both)',
  });

/**
 * Count a view or a cart add into an interest of the profile (personalisation). `interest` may be
 * a placeholder (`{{ trigger.properties.category }}`); the name is slugged (`Running Shoes` →
 * `running-shoes`). With `within` the score is the weight counted in that sliding window.
 */
export const InterestNode = z.strictObject({
  type: z.literal('interest'),
  interest: z.string().min(1),
  weight: z.number().default(1),
  /** Sliding window the score counts over (`P7D`); absent: a running total. */
  within: PositiveDuration.optional(),
  threshold: InterestThreshold.optional(),
  ...Next,
});

/** Set or clear a site flag (on-site message / personalisation), e.g. `offer_live_chat`. */
export const SiteFlagNode = z.strictObject({
  type: z.literal('site_flag'),
  flag: z.string().min(1),
  value: z.union([z.boolean(), z.string(), z.number()]).default(true),
  ...Next,
});

/**
 * Who is told, once, when a task is still not done at its due time (a manager alert): like an
 * alert node, outside the recipients' policies. The template sees the task's customer (`profile`),
 * the trigger and the run; a webhook escalation also posts the task itself.
 */
export const TaskEscalation = z.strictObject({
  channel: AlertChannel,
  /** An email address, a phone number (E.164) or a webhook URL, as `channel` needs. */
  to: z.string().min(1),
  template: Id,
});

/** Create a task for a team (a call, a follow-up); a wait_for with `task` awaits its outcome. */
export const TaskNode = z.strictObject({
  type: z.literal('task'),
  team: z.string().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  /** Due after this long. */
  due: PositiveDuration,
  /** Alert staff when the task is overdue (still open or claimed at its due time). */
  escalate: TaskEscalation.optional(),
  ...Next,
});

/** Signed JSON POST to a URL; the response can be branched on via `last.*`. */
export const WebhookNode = z.strictObject({
  type: z.literal('webhook'),
  url: z.string().url(),
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  ...Next,
});

/** Notify staff (manager alert), outside the recipients' delivery policies. */
export const AlertNode = z.strictObject({
  type: z.literal('alert'),
  channel: AlertChannel,
  to: z.string().min(1),
  template: Id,
  ...Next,
});

/** Leave the journey. */
export const ExitNode = z.strictObject({
  type: z.literal('exit'),
  reason: z.string().optional(),
});

/** Every node kind of the journey language. */
export const JourneyNode = z.discriminatedUnion('type', [
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
]);
/** A node of the journey graph. */
export type JourneyNode = z.infer<typeof JourneyNode>;
/** The kind of a node. */
export type NodeType = JourneyNode['type'];

// ---------------------------------------------------------------------------------------------
// Policies

/** Days of the week, lower-case three letters. */
export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** Allowed local hours for a channel; `start` after `end` crosses midnight. */
export const SendWindow = z.strictObject({
  days: z.array(Weekday).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  start: LocalTime,
  end: LocalTime,
});
/** A send window. */
export type SendWindow = z.infer<typeof SendWindow>;

/** Re-entry: once ever; again after a cool-down since the last entry; or concurrent runs. */
export const Reentry = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('once') }),
  z.strictObject({ mode: z.literal('after_exit') }),
  z.strictObject({ mode: z.literal('after'), after: PositiveDuration }),
  z.strictObject({ mode: z.literal('concurrent') }),
]);

/**
 * How a goal's conversions are attributed: to the run's last message (`last_touch`) sent within
 * the window before the goal event; `windows` sets the window per channel (`{ email: P3D, sms:
 * P1D }`), `window` applies to the other channels. The window also bounds how long after the run
 * ended (or was held out) a goal event still counts. Absent: `window: P3D`, `last_touch`.
 */
export const GoalAttribution = z.strictObject({
  window: PositiveDuration.optional(),
  windows: z.partialRecord(Channel, PositiveDuration).optional(),
  model: z.literal('last_touch').optional(),
});
/** Attribution settings of a goal. */
export type GoalAttribution = z.infer<typeof GoalAttribution>;

/** A conversion goal: when the event happens during a run it is counted (and by default exits). */
export const Goal = z.strictObject({
  id: Id,
  event: z.string().min(1),
  where: Condition.optional(),
  exit: z.boolean().default(true),
  /** Property holding revenue, e.g. `revenue`. */
  valueProperty: z.string().optional(),
  /** Property holding the value's currency, e.g. `currency` (`EUR`). */
  currencyProperty: z.string().optional(),
  attribution: GoalAttribution.optional(),
});
/** A goal after defaults are applied. */
export type Goal = z.infer<typeof Goal>;

/**
 * Email tracking: the open pixel and click redirects (both on by default), and whether machine
 * outcomes (privacy-proxy opens, link-scanner clicks) are ignored by waits and outcome conditions.
 */
export const TrackingPolicy = z.strictObject({
  opens: z.boolean().optional(),
  clicks: z.boolean().optional(),
  ignoreMachine: z.boolean().optional(),
});

/** Journey-wide rules. */
export const Policies = z.strictObject({
  reentry: Reentry.default({ mode: 'after_exit' }),
  /** Time zone for recipients without one of their own. */
  timezone: TimeZoneName.optional(),
  /**
   * Per-channel send windows; `default` applies to channels without their own. Every key is
   * optional (`partialRecord`: zod 4's `record` over an enum would require all six).
   */
  sendWindows: z.partialRecord(z.enum(['default', ...Channel.options]), SendWindow).optional(),
  frequencyCaps: z
    .array(
      z.strictObject({
        channel: Channel,
        max: z.number().int().positive(),
        per: PositiveDuration,
        scope: z.enum(['journey', 'workspace']).default('workspace'),
      }),
    )
    .optional(),
  goals: z.array(Goal).optional(),
  /** Per-journey rate limit on sends. */
  maxSendsPerSecond: z.number().positive().optional(),
  /** All sends of this journey are transactional. */
  transactional: z.boolean().optional(),
  /** Email sender of this journey (`Name <addr@domain>`); a template's own wins; else EMAIL_FROM. */
  email: z
    .strictObject({
      from: z.string().min(1).optional(),
      replyTo: z.string().min(1).optional(),
    })
    .optional(),
  /** Email open and click tracking; machine outcomes (see `TrackingPolicy`). */
  tracking: TrackingPolicy.optional(),
});
/** Journey policies after defaults are applied. */
export type Policies = z.infer<typeof Policies>;

// ---------------------------------------------------------------------------------------------
// Templates

/**
 * A message template: Liquid text (`{{ profile.traits.first_name }}`); email adds a subject, HTML
 * (or MJML) and its own sender. `body` is the text; an email with `html` may leave it out (the
 * text part is then made from the HTML). Validation requires one of the two.
 */
export const Template = z.strictObject({
  channel: z.enum(['email', 'sms', 'voice', 'push', 'whatsapp', 'webhook']).optional(),
  subject: z.string().optional(),
  body: z.string().optional(),
  /** Email only: MJML (`<mjml>…`) or HTML markup. */
  html: z.string().optional(),
  /** Email only: sender (`Name <addr@domain>`), overriding `policies.email.from`. */
  from: z.string().min(1).optional(),
  /** Email only: Reply-To, overriding `policies.email.replyTo`. */
  replyTo: z.string().min(1).optional(),
  /**
   * Email: open pixel / click redirects for this template, overriding `policies.tracking`. A text
   * (SMS, WhatsApp) tracks its links only with `clicks: true`.
   */
  tracking: z
    .strictObject({ opens: z.boolean().optional(), clicks: z.boolean().optional() })
    .optional(),
});
/** A message template. */
export type Template = z.infer<typeof Template>;

// ---------------------------------------------------------------------------------------------
// The document

/** A journey document of the current schema version. */
export const JourneyDocument = z.strictObject({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  id: Id,
  name: z.string().min(1),
  description: z.string().optional(),
  trigger: Trigger,
  /** The entry node. */
  start: NodeRef,
  nodes: z.record(Id, JourneyNode),
  policies: Policies.default({ reentry: { mode: 'after_exit' } }),
  templates: z.record(Id, Template).default({}),
});
/** A journey definition (parsed, defaults applied). */
export type JourneyDefinition = z.infer<typeof JourneyDocument>;
/** A journey document as written by a user (before defaults). */
export type JourneyDocumentInput = z.input<typeof JourneyDocument>;
