/**
 * @waymark/core — the pure journey language: document schemas, validation and migrations,
 * the condition language, time-zone and send-window maths, and the deterministic evaluator
 * `step(definition, state, input, now, rng) -> { state, commands }`.
 *
 * Core imports nothing of ours and does no I/O (enforced by eslint): everything it needs
 * (the time, randomness, the profile) is passed in. This file names every public symbol; what
 * is not here is internal to core.
 */

// The journey document: schemas and the types they infer.
export {
  CURRENT_SCHEMA_VERSION,
  JourneyDocument,
  JourneyNode,
  Trigger,
  type JourneyDefinition,
  type JourneyDocumentInput,
  type NodeOf,
  type NodeType,
  type TriggerOf,
  type TriggerType,
} from './journey/schema.ts';
export { AlertChannel, Channel } from './journey/channel.ts';
export {
  Goal,
  GoalAttribution,
  Policies,
  Reentry,
  SendWindow,
  TrackingPolicy,
} from './journey/policies.ts';
export { Template } from './journey/template.ts';
export { InterestThreshold } from './nodes/interest/interest.schema.ts';
export { TaskEscalation } from './nodes/task/task.schema.ts';
export { durationMs, parseDuration } from './journey/duration.ts';
export { normaliseTemplateText } from './journey/template-text.ts';

// Node and trigger kinds: one folder each, read through their registries.
export { NODE_KINDS, edgesOf, nodeKind } from './nodes/registry.ts';
export type {
  CheckContext,
  Edge,
  NodeDraft,
  NodeKind,
  NodeKinds,
  NodeReference,
  Output,
  TemplateUse,
} from './nodes/kind.ts';
// Editing drafts, as the canvas does.
export {
  addNode,
  connect,
  draftNodes,
  freshNodeId,
  outputsOf,
  removeNodes,
  renameNode,
  targetOf,
  type JourneyDraft,
} from './journey/edit.ts';
export { diffJourneys, type EdgeRef, type FieldChange, type JourneyDiff } from './journey/diff.ts';
export { TRIGGER_KINDS, triggerKind, triggerSummary } from './triggers/registry.ts';
export type { TriggerDraft, TriggerKind, TriggerKinds } from './triggers/kind.ts';
export { dateTriggerTime } from './triggers/date/date.kind.ts';
export { countsAsActivity, inactivityDeadline } from './triggers/inactivity/inactivity.kind.ts';

// Validation, migrations and journey text.
export { validateJourney, type ValidationResult } from './journey/validate.ts';
export type { Sink, ValidateOptions, ValidationIssue } from './journey/issues.ts';
export { migrateDocument, MIGRATIONS, MigrationError, type Migration } from './journey/migrate.ts';
export { loadJourney, parseJourneyText, type LoadJourneyOptions } from './journey/parse.ts';

// Conditions.
export {
  ComparisonOp,
  Condition,
  CountBound,
  EventCountCondition,
  FieldCondition,
  ListCondition,
  MessageOutcomeType,
  OutcomeCondition,
  ReplyCondition,
} from './conditions/schema.ts';
export { evaluateCondition, type ConditionScope } from './conditions/evaluate.ts';

// The evaluator.
export { step } from './evaluator/step.ts';
export { runScope } from './evaluator/stepping.ts';
export { describeAwaiting } from './evaluator/awaiting.ts';
export { AwaitingSchema, ExitReasonSchema, RunStateSchema } from './evaluator/run-state.schema.ts';
export {
  decideEntry,
  matchesTrigger,
  type EntryDecision,
  type EntryHistoryFact,
} from './evaluator/entry.ts';
export {
  lastTouch,
  longestAttributionWindowMs,
  matchGoals,
  type GoalMatch,
  type Touch,
} from './evaluator/goals.ts';
export { createRng } from './evaluator/rng.ts';
export type {
  Awaiting,
  Command,
  EventFact,
  ExitReason,
  OutcomeFact,
  ProfileFact,
  ReplyFact,
  Rng,
  RunState,
  RunStatus,
  StepArgs,
  StepInput,
  StepResult,
  TaskOutcomeFact,
  TraceEntry,
} from './evaluator/types.ts';

// Time.
export { formatLocal, isValidZone, parseDateValue, resolveZone } from './time/zones.ts';

// Channels, profiles, personalisation and replies.
export {
  CHANNELS,
  channelKind,
  channelsByAddress,
  type ConsentKeyword,
} from './channels/catalogue.ts';
export { traitsBefore, type TraitChanges } from './profile/trait-changes.ts';
export {
  countInterest,
  interestScores,
  siteFlags,
  withSiteFlag,
  type InterestScore,
} from './personalization/interests.ts';
export { replyExpectation } from './replies/expectation.ts';
export { understandReply } from './replies/understand.ts';

// Shared helpers.
export { assertNever } from './util/assert-never.ts';
