/**
 * The engine's unit of work: inside one transaction it loads what steps need (profiles, lists,
 * definitions), calls core `step`, and writes the new run states together with everything the
 * commands asked for — outbox rows, tasks, profile and list changes, run history. Because the
 * state change and its outbox rows commit together, with deterministic idempotency keys, a crash
 * at any point loses nothing and sends nothing twice.
 *
 * What each command does is in `commands.ts`; the batch's profiles (loaded once, changed by
 * commands, written at the end) in `batch-profiles.ts`.
 */
import {
  createRng,
  step,
  type JourneyDefinition,
  type ProfileFact,
  type RunState,
  type StepInput,
  type StepResult,
} from '@waymark/core';
import { newId } from '../ids.ts';
import type {
  ConversionRow,
  EntryHistory,
  JourneyRow,
  MessageOutcomeRecord,
  RunRow,
  RunTraceRow,
  RunVisitRow,
  Tx,
} from '../storage/store.ts';
import { BatchProfiles } from './batch-profiles.ts';
import {
  executeCommand,
  type BatchWrites,
  type CommandContext,
  type MessageLinks,
} from './commands.ts';
import type { DefinitionCache } from './definitions.ts';
import type { ProfileChanges } from './profile-changes.ts';

/** What a batch needs from its surroundings. */
export interface BatchDeps {
  definitions: DefinitionCache;
  /** Default zone of workspaces without their own. */
  workspaceTimezone(workspaceId: string): Promise<string>;
  /** Makes signed links in messages (`{{ unsubscribe_url }}`); absent: no such links. */
  links?: MessageLinks | undefined;
  /** Hears the profiles each batch changed (caches of profile data); absent: nobody listens. */
  profileChanges?: ProfileChanges | undefined;
}

/** Outcomes a message's status already tells (reports count them from it). */
const STATUS_OUTCOMES = new Set(['sent', 'delivered', 'failed']);

/** One transaction's worth of steps and their writes. */
export class Batch {
  readonly #tx: Tx;
  readonly #now: number;
  readonly #deps: BatchDeps;
  readonly #profiles: BatchProfiles;
  readonly #newRuns = new Map<string, RunRow>();
  readonly #changedRuns = new Map<string, RunRow>();
  readonly #trace: RunTraceRow[] = [];
  readonly #writes: BatchWrites = { messages: [], tasks: [], conversions: [], windows: [] };
  /** What commands are carried out with (`commands.ts`). */
  readonly #commands: CommandContext;
  /** Tasks of runs a goal ended in this batch: closed at flush (nobody needs to call a payer). */
  readonly #goalTasks: Array<{ ws: string; keys: string[]; goal: string }> = [];
  readonly #entries = new Map<string, EntryHistory>();
  /** Arrivals at nodes and message outcomes, for reports (storage/repos/reports.repo.ts). */
  readonly #visits: RunVisitRow[] = [];
  readonly #outcomes: MessageOutcomeRecord[] = [];

  constructor(tx: Tx, now: number, deps: BatchDeps) {
    this.#tx = tx;
    this.#now = now;
    this.#deps = deps;
    this.#profiles = new BatchProfiles({ tx, now, workspaceZone: deps.workspaceTimezone });
    this.#commands = {
      tx,
      now,
      profiles: this.#profiles,
      writes: this.#writes,
      workspaceTimezone: deps.workspaceTimezone,
      links: deps.links,
    };
  }

  /** Loads profiles and their list memberships in two queries. */
  preloadProfiles(workspaceId: string, profileIds: string[]): Promise<void> {
    return this.#profiles.preload(workspaceId, profileIds);
  }

  /** The profile as the evaluator sees it. */
  profileFact(workspaceId: string, profileId: string): Promise<ProfileFact> {
    return this.#profiles.fact(workspaceId, profileId);
  }

  /** The workspace's default zone (its owner caches it). */
  workspaceZone(workspaceId: string): Promise<string> {
    return this.#deps.workspaceTimezone(workspaceId);
  }

  /** Entry history of a profile in a journey, including runs started earlier in this batch. */
  async entryHistory(
    workspaceId: string,
    journeyId: string,
    profileId: string,
  ): Promise<EntryHistory> {
    const k = `${workspaceId}:${journeyId}:${profileId}`;
    let h = this.#entries.get(k);
    if (!h) {
      h = await this.#tx.runs.entryHistory(workspaceId, journeyId, profileId);
      this.#entries.set(k, h);
    }
    return h;
  }

  /** Loads entry histories of many profiles in one journey with one query. */
  async preloadEntryHistories(
    workspaceId: string,
    journeyId: string,
    profileIds: string[],
  ): Promise<void> {
    const missing = profileIds.filter(
      (p) => !this.#entries.has(`${workspaceId}:${journeyId}:${p}`),
    );
    if (missing.length === 0) return;
    const found = await this.#tx.runs.entryHistories(workspaceId, journeyId, missing);
    for (const p of missing) {
      this.#entries.set(
        `${workspaceId}:${journeyId}:${p}`,
        found.get(p) ?? { entries: 0, lastEnteredAt: null, active: 0 },
      );
    }
  }

  /** Starts a run of a journey's published version for a profile; returns the new run. */
  async start(args: {
    journey: JourneyRow;
    definition: JourneyDefinition;
    profileId: string;
    input: Extract<StepInput, { kind: 'enter' }>;
  }): Promise<RunRow> {
    const { journey, definition, profileId, input } = args;
    const ws = journey.workspaceId;
    const version = journey.publishedVersion;
    if (version === null) throw new Error(`journey ${journey.id} is not published`);
    const runId = newId(this.#now);
    const result = step({
      definition,
      state: null,
      input,
      now: this.#now,
      rng: createRng(`${journey.id}:${version}:${profileId}:${runId}`),
      context: {
        profile: await this.profileFact(ws, profileId),
        workspaceTimezone: await this.workspaceZone(ws),
      },
      run: { runId, journeyId: journey.id, version, profileId },
    });
    const row = this.#toRow(ws, result.state, null);
    this.#newRuns.set(runId, row);
    const h = await this.entryHistory(ws, journey.id, profileId);
    h.entries += 1;
    h.lastEnteredAt = this.#now;
    if (row.status === 'active' || row.status === 'waiting') h.active += 1;
    await this.#apply(ws, definition, result, null);
    return row;
  }

  /** Steps an existing run with an input; returns the updated row. */
  async advance(run: RunRow, input: StepInput): Promise<RunRow> {
    const current = this.#newRuns.get(run.id) ?? this.#changedRuns.get(run.id) ?? run;
    const definition = await this.#deps.definitions.version(
      this.#tx,
      current.workspaceId,
      current.journeyId,
      current.version,
    );
    const result = step({
      definition,
      state: current.state,
      input,
      now: this.#now,
      rng: createRng(`${current.id}:${current.state.seq}`),
      context: {
        profile: await this.profileFact(current.workspaceId, current.profileId),
        workspaceTimezone: await this.workspaceZone(current.workspaceId),
      },
    });
    const row = this.#toRow(current.workspaceId, result.state, current);
    if (this.#newRuns.has(row.id)) this.#newRuns.set(row.id, row);
    else this.#changedRuns.set(row.id, row);
    if (
      (current.status === 'active' || current.status === 'waiting') &&
      (row.status === 'completed' || row.status === 'exited')
    ) {
      const h = this.#entries.get(`${row.workspaceId}:${row.journeyId}:${row.profileId}`);
      if (h) h.active = Math.max(0, h.active - 1);
      const exit = result.state.exit;
      const keys = Object.values(result.state.tasks);
      if (exit?.kind === 'goal' && keys.length)
        this.#goalTasks.push({ ws: row.workspaceId, keys, goal: exit.goal });
    }
    if (input.kind === 'outcome') this.#recordOutcome(current, definition, input.outcome);
    await this.#apply(current.workspaceId, definition, result, current.node);
    return row;
  }

  /**
   * Keeps an outcome of a message of the run for reports, whatever the run makes of it; sends,
   * deliveries and failures are counted from the message's status instead.
   */
  #recordOutcome(
    run: RunRow,
    definition: JourneyDefinition,
    outcome: Extract<StepInput, { kind: 'outcome' }>['outcome'],
  ): void {
    if (STATUS_OUTCOMES.has(outcome.type)) return;
    const node = definition.nodes[outcome.nodeId];
    const sends = node?.type === 'send' || node?.type === 'alert';
    this.#outcomes.push({
      workspaceId: run.workspaceId,
      profileId: run.profileId,
      messageKey: outcome.messageKey,
      type: outcome.type,
      journeyId: run.journeyId,
      version: run.version,
      runId: run.id,
      nodeId: outcome.nodeId,
      channel: sends ? node.channel : null,
      template: sends ? node.template : null,
      machine: outcome.machine === true,
      at: outcome.at,
    });
  }

  /** The run as this batch last left it, when the batch started or stepped it. */
  latest(runId: string): RunRow | undefined {
    return this.#newRuns.get(runId) ?? this.#changedRuns.get(runId);
  }

  /** Adds a conversion to write with the batch (runtime/attribution.ts makes them). */
  addConversion(row: ConversionRow): void {
    this.#writes.conversions.push(row);
  }

  #toRow(workspaceId: string, state: RunState, previous: RunRow | null): RunRow {
    const ended = state.status === 'completed' || state.status === 'exited';
    return {
      workspaceId,
      profileId: state.profileId,
      id: state.runId,
      journeyId: state.journeyId,
      version: state.version,
      status: state.status,
      node: state.node,
      wakeAt: state.wakeAt,
      awaiting: state.awaiting,
      state,
      enteredAt: state.enteredAt,
      updatedAt: state.updatedAt,
      endedAt: ended ? (previous?.endedAt ?? this.#now) : null,
      exit: state.exit ?? null,
    };
  }

  /** `from`: the node the run was at before the step (null for a new run). */
  async #apply(
    workspaceId: string,
    definition: JourneyDefinition,
    result: StepResult,
    from: string | null,
  ): Promise<void> {
    const { state } = result;
    let at = from;
    for (const t of result.trace) {
      this.#trace.push({ ...t, workspaceId, profileId: state.profileId, runId: state.runId });
      // A run is at the node of each line it writes: a line at another node than its previous
      // line's (or, first, than the node it was at before the step) is an arrival there, from
      // that node. A loop back to a node, even to the one the step woke the run at, arrives again.
      if (t.node !== null && t.node !== at) {
        this.#visits.push({
          workspaceId,
          journeyId: state.journeyId,
          version: state.version,
          nodeId: t.node,
          fromNodeId: at,
          variant: state.variant ?? null,
        });
        at = t.node;
      }
    }
    for (const command of result.commands)
      await executeCommand(this.#commands, { workspaceId, definition, state, command });
  }

  /** Writes everything collected, in the caller's transaction. */
  async flush(): Promise<void> {
    const tx = this.#tx;
    if (this.#newRuns.size) await tx.runs.insert([...this.#newRuns.values()]);
    if (this.#changedRuns.size) await tx.runs.update([...this.#changedRuns.values()]);
    if (this.#trace.length) await tx.runs.appendTrace(this.#trace);
    const { messages, tasks, conversions, windows } = this.#writes;
    if (messages.length) await tx.messages.insert(messages);
    if (tasks.length) await tx.tasks.insert(tasks);
    for (const { ws, keys, goal } of this.#goalTasks)
      await tx.tasks.closePending(ws, keys, {
        outcome: 'goal_reached',
        note: `closed by the journey: the customer reached the goal "${goal}"`,
        at: this.#now,
      });
    if (conversions.length) await tx.conversions.insert(conversions);
    if (windows.length) await tx.conversions.openWindows(windows);
    if (this.#visits.length) await tx.reports.recordVisits(this.#visits);
    if (this.#outcomes.length) await tx.reports.recordOutcomes(this.#outcomes);
    await this.#profiles.flush();
    if (this.#deps.profileChanges) this.#profiles.announce(this.#deps.profileChanges);
  }
}
