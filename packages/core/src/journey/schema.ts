/**
 * The journey document schema, assembled: the trigger union of `triggers/<kind>/`, the node union
 * of `nodes/<kind>/`, the policies and templates, and the document around them. Each part's
 * fields and words live beside its kind; this module only puts them together (and re-exports
 * the parts, so that each is found under its document name).
 */
import { z } from 'zod';
import { AlertNode } from '../nodes/alert/alert.schema.ts';
import { BranchNode } from '../nodes/branch/branch.schema.ts';
import { ExitNode } from '../nodes/exit/exit.schema.ts';
import { InterestNode } from '../nodes/interest/interest.schema.ts';
import { ListNode } from '../nodes/list/list.schema.ts';
import { SendNode } from '../nodes/send/send.schema.ts';
import { SiteFlagNode } from '../nodes/site-flag/site-flag.schema.ts';
import { SplitNode } from '../nodes/split/split.schema.ts';
import { TaskNode } from '../nodes/task/task.schema.ts';
import { UpdateProfileNode } from '../nodes/update-profile/update-profile.schema.ts';
import { WaitForNode } from '../nodes/wait-for/wait-for.schema.ts';
import { WaitNode } from '../nodes/wait/wait.schema.ts';
import { WebhookNode } from '../nodes/webhook/webhook.schema.ts';
import { BroadcastTrigger } from '../triggers/broadcast/broadcast.schema.ts';
import { DateTrigger } from '../triggers/date/date.schema.ts';
import { EventTrigger } from '../triggers/event/event.schema.ts';
import { InactivityTrigger } from '../triggers/inactivity/inactivity.schema.ts';
import { InboundTrigger } from '../triggers/inbound/inbound.schema.ts';
import { ManualTrigger } from '../triggers/manual/manual.schema.ts';
import { SegmentTrigger } from '../triggers/segment/segment.schema.ts';
import { Id, NodeRef } from './ids.ts';
import { Policies } from './policies.ts';
import { Template } from './template.ts';

export { AlertChannel, Channel } from './channel.ts';
export { LocalTime, TimeZoneName } from './ids.ts';
export {
  GoalAttribution,
  Goal,
  Policies,
  Reentry,
  SendWindow,
  TrackingPolicy,
  Weekday,
} from './policies.ts';
export { Template } from './template.ts';
export {
  AlertNode,
  BranchNode,
  ExitNode,
  InterestNode,
  ListNode,
  SendNode,
  SiteFlagNode,
  SplitNode,
  TaskNode,
  UpdateProfileNode,
  WaitForNode,
  WaitNode,
  WebhookNode,
};
export { InterestThreshold } from '../nodes/interest/interest.schema.ts';
export { TaskEscalation } from '../nodes/task/task.schema.ts';
export {
  BroadcastTrigger,
  DateTrigger,
  EventTrigger,
  InactivityTrigger,
  InboundTrigger,
  ManualTrigger,
  SegmentTrigger,
};

/** The schema version this build of Waymark writes; older documents are migrated up to it. */
export const CURRENT_SCHEMA_VERSION = 1;

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
/** The kind of a trigger. */
export type TriggerType = Trigger['type'];

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
/** A node of one kind, defaults applied. */
export type NodeOf<K extends NodeType> = Extract<JourneyNode, { type: K }>;
/** A node of one kind as a user writes it (before defaults). */
export type NodeInputOf<K extends NodeType> = Extract<z.input<typeof JourneyNode>, { type: K }>;
/** A trigger of one kind, defaults applied. */
export type TriggerOf<K extends TriggerType> = Extract<Trigger, { type: K }>;
/** A trigger of one kind as a user writes it (before defaults). */
export type TriggerInputOf<K extends TriggerType> = Extract<z.input<typeof Trigger>, { type: K }>;

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
