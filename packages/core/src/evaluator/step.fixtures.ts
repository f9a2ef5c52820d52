/**
 * Test fixtures for the evaluator's tests: journeys from partial documents, profiles, events and
 * a tiny driver that feeds inputs to `step` the way the runtime does. Not exported by the package.
 */
import {
  JourneyDocument,
  type JourneyDefinition,
  type JourneyDocumentInput,
} from '../journey/schema.ts';
import { formatLocal } from '../time/zones.ts';
import { createRng } from './rng.ts';
import { step } from './step.ts';
import type {
  Command,
  EventFact,
  OutcomeFact,
  ProfileFact,
  RunState,
  StepInput,
  StepResult,
} from './types.ts';

/** Friday 1 May 2026, 10:00 UTC (11:00 in Lisbon). */
export const T0 = Date.parse('2026-05-01T10:00:00Z');
/** One minute in milliseconds. */
export const MIN = 60_000;
/** One hour in milliseconds. */
export const HOUR = 60 * MIN;
/** One day in milliseconds. */
export const DAY = 24 * HOUR;
/** The run id every test run gets. */
export const RUN_ID = 'run1';

/** A journey from the parts a test cares about (an event trigger `signup` by default). */
export function journey(
  doc: Pick<JourneyDocumentInput, 'start' | 'nodes'> & Partial<JourneyDocumentInput>,
): JourneyDefinition {
  return JourneyDocument.parse({
    schemaVersion: 1,
    id: 'j1',
    name: 'Test journey',
    trigger: { type: 'event', event: 'signup' },
    ...doc,
  });
}

/** A profile with traits (and optionally lists and a zone). */
export function profile(
  traits: Record<string, unknown> = {},
  extra: Partial<ProfileFact> = {},
): ProfileFact {
  return {
    id: 'p1',
    traits: { email: 'ana@example.com', phone: '+351912345678', ...traits },
    lists: [],
    ...extra,
  };
}

let eventSeq = 0;
/** A track event. */
export function event(
  name: string,
  at: number,
  properties: Record<string, unknown> = {},
): EventFact {
  eventSeq += 1;
  return { id: `${name}-${eventSeq}`, type: 'track', name, properties, timestamp: at };
}

/** An outcome of the message a node of the run sent. */
export function outcome(
  state: RunState,
  nodeId: string,
  type: OutcomeFact['type'],
  at: number,
  extra: Partial<OutcomeFact> = {},
): StepInput {
  const key = state.messages[nodeId]?.key;
  if (!key) throw new Error(`node ${nodeId} sent nothing`);
  return { kind: 'outcome', outcome: { messageKey: key, nodeId, type, at, ...extra } };
}

/** Options of a driven run. */
export interface DriveOptions {
  profile?: ProfileFact;
  workspaceTimezone?: string;
  seed?: string;
}

/** Drives one run like the runtime does, keeping the latest state, all commands and the trace. */
export class Driver {
  /** The run's latest state. */
  state: RunState;
  /** The latest step's result. */
  last: StepResult;
  /** Every command of every step so far. */
  readonly commands: Command[] = [];
  /** The journey being run. */
  readonly def: JourneyDefinition;
  /** How the run was started. */
  readonly opts: DriveOptions;
  /** The profile the runtime loads for the next step (tests change it between steps). */
  profile: ProfileFact;

  constructor(
    def: JourneyDefinition,
    now: number,
    opts: DriveOptions & { event?: EventFact; data?: Record<string, unknown> } = {},
  ) {
    this.def = def;
    this.opts = opts;
    this.profile = opts.profile ?? profile();
    this.last = step({
      definition: def,
      state: null,
      input: { kind: 'enter', event: opts.event, data: opts.data },
      now,
      rng: createRng(opts.seed ?? 'seed'),
      context: this.#context(),
      run: { runId: RUN_ID, journeyId: def.id, version: 1, profileId: 'p1' },
    });
    this.state = this.last.state;
    this.commands.push(...this.last.commands);
  }

  #context(): { profile: ProfileFact; workspaceTimezone: string } {
    return { profile: this.profile, workspaceTimezone: this.opts.workspaceTimezone ?? 'UTC' };
  }

  /** Feeds one input at `now`. */
  feed(input: StepInput, now: number): StepResult {
    this.last = step({
      definition: this.def,
      state: this.state,
      input,
      now,
      rng: createRng(`${this.opts.seed ?? 'seed'}:${this.state.seq}`),
      context: this.#context(),
    });
    this.state = this.last.state;
    this.commands.push(...this.last.commands);
    return this.last;
  }

  /** Fires the run's timer at its wake time (or at `now` when given). */
  timer(now?: number): StepResult {
    const at = now ?? this.state.wakeAt;
    if (at === null) throw new Error('the run has no timer');
    return this.feed({ kind: 'timer' }, at);
  }

  /** The sends so far, as "channel template". */
  sends(): string[] {
    return this.sendCommands().map((c) => `${c.channel} ${c.template}`);
  }

  /** The send commands so far. */
  sendCommands(): Array<Extract<Command, { type: 'send' }>> {
    return this.commands.filter((c): c is Extract<Command, { type: 'send' }> => c.type === 'send');
  }

  /** The local wake time of the run, as people read it. */
  wakesAt(zone: string): string | null {
    return this.state.wakeAt === null ? null : formatLocal(this.state.wakeAt, zone);
  }
}
