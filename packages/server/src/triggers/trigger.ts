/**
 * The server half of a trigger kind: what it schedules when its journey is published or resumed,
 * what a stored event does to it, and what its timers do when they come due. Core owns the language
 * half (schema, matching, date arithmetic); a kind here only schedules timers and enters profiles.
 *
 * Pausing or archiving a journey asks nothing of a kind: its timers that come due meanwhile are
 * dropped when they fire, since the journey is no longer live, and resuming schedules again.
 *
 * May import core, the storage contract and the engine's types; never app/ or http/.
 */
import type { EventFact, Trigger } from '@waymark/core';
import type { LiveJourney } from '../runtime/definitions.ts';
import type { Batch } from '../runtime/engine.ts';
import type { RunRow, TriggerTimerRow, Tx } from '../storage/store.ts';

/** A trigger's `type`: one server module each (see `triggers/index.ts`). */
export type TriggerType = Trigger['type'];

/** The trigger of one kind. */
export type TriggerOf<K extends TriggerType> = Extract<Trigger, { type: K }>;

/** What a trigger starts a run with. */
export interface EntryInput {
  kind: 'enter';
  event?: EventFact;
  data?: Record<string, unknown>;
}

/** What the worker's phases hand a trigger kind, inside their transaction. */
export interface TriggerScope<T extends Trigger> {
  batch: Batch;
  tx: Tx;
  /** The batch's time. */
  now: number;
  /** The live journey whose trigger this is. */
  journey: LiveJourney;
  trigger: T;
  /** Starts a run for the profile when the journey's re-entry policy lets it; null otherwise. */
  enter(profileId: string, input: EntryInput): Promise<RunRow | null>;
}

/** A stored event of one profile, offered to one live journey's trigger. */
export interface EventScope<T extends Trigger> extends TriggerScope<T> {
  event: EventFact;
  /** The stored event's context (identify events carry what they changed). */
  context: Record<string, unknown>;
  profileId: string;
  /** The profile's own time zone, when it has one. */
  zoneOf: string | undefined;
  /** Trigger timers to write after the whole batch of events (one write for all). */
  timers: TriggerTimerRow[];
}

/** A due trigger timer of one live journey (`profileId` '': a journey-wide job). */
export interface TimerScope<T extends Trigger> extends TriggerScope<T> {
  timer: TriggerTimerRow;
}

/** A journey-wide job (a trigger timer with profileId '') to schedule at publish or resume. */
export interface JourneyJob {
  kind: TriggerTimerRow['kind'];
  wakeAt: number;
}

/** What one trigger kind does on the server. */
export interface ServerTrigger<T extends Trigger> {
  /** The event name kept on the journey row at publish (the journey list shows it); null: none. */
  publishedEvent(trigger: T): string | null;
  /**
   * The journey-wide job to schedule when the journey is published (`publishing`) or resumed;
   * null: none.
   */
  journeyJob(trigger: T, a: { now: number; publishing: boolean }): JourneyJob | null;
  /**
   * True when most events may enter a profile, so the events phase reads the entry histories of
   * the batch's profiles in one query rather than one per event.
   */
  preloadsEntries: boolean;
  /** What a stored event does: may start a run (returned) or schedule timers (into `timers`). */
  onEvent(scope: EventScope<T>): Promise<RunRow | null>;
  /** What a due trigger timer of the journey does. */
  onTimer(scope: TimerScope<T>): Promise<void>;
}
