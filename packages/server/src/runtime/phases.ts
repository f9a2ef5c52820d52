/**
 * The worker's phases, each one transaction over a batch of due work:
 * - events: apply stored events in order (per profile) to running runs and to triggers;
 * - timers: wake runs whose `wake_at` has come (waits, timeouts, send windows);
 * - trigger timers: inactivity and date-attribute triggers, scheduled broadcasts;
 *   what each trigger kind does on events and timers is in triggers/, one module per kind;
 * - escalations: alerts about overdue staff tasks;
 * - delivery: hand outbox rows to channel adapters.
 * Each returns how much it did, so the worker knows when it is idle.
 */
import { decideEntry, type EventFact } from '@waymark/core';
import type { Clock } from '../clock.ts';
import type { ChannelRegistry } from '../channels/sdk/index.ts';
import type { EventRow, RunRow, Store, TriggerTimerRow, Tx } from '../storage/store.ts';
import { serverTrigger, type EntryInput } from '../triggers/index.ts';
import { Batch, type BatchDeps } from './engine.ts';
import type { DefinitionCache, LiveJourney } from './definitions.ts';
import { Delivery, type DeliveryOptions, type DeliveryPolicy } from './delivery.ts';
import { escalateOverdue } from './escalation.ts';
import { convertAfterRuns, type ProfileEvent } from './attribution.ts';
import type { EnginePort, EnrolRequest, OutcomeRequest } from './port.ts';

/** Sizes of the batches each phase claims. */
export interface BatchSizes {
  events: number;
  runs: number;
  triggers: number;
  messages: number;
}

const DEFAULT_SIZES: BatchSizes = { events: 500, runs: 500, triggers: 200, messages: 200 };
/** How often the timers phase deletes closed attribution windows. */
const PRUNE_WINDOWS_EVERY_MS = 60_000;

/** Converts a stored event to the evaluator's view. */
export function eventFact(e: EventRow): EventFact {
  return {
    id: e.messageId,
    type: e.type,
    name: e.name,
    properties: e.properties,
    timestamp: e.timestamp,
  };
}

/** Everything the phases share. */
export interface PhaseDeps {
  store: Store;
  clock: Clock;
  definitions: DefinitionCache;
  channels: ChannelRegistry;
  sizes?: Partial<BatchSizes>;
  /** Consent, suppression, caps and skip conditions, asked before each message goes out. */
  policy?: DeliveryPolicy | undefined;
  /** Tunables of the delivery engine (concurrency, retries, leases). */
  delivery?: Partial<DeliveryOptions> | undefined;
  /** Makes signed links in messages at enqueue (unsubscribe); absent: templates get none. */
  links?: BatchDeps['links'];
  /** The instance's profile-change bus: told which profiles each batch changed. */
  profileChanges?: BatchDeps['profileChanges'];
}

/** The worker's units of work; app/ reaches the engine through the `EnginePort` part. */
export class Phases implements EnginePort {
  readonly #deps: PhaseDeps;
  readonly #sizes: BatchSizes;
  readonly #zones = new Map<string, string>();
  /** When closed attribution windows were last pruned. */
  #prunedAt = 0;

  constructor(deps: PhaseDeps) {
    this.#deps = deps;
    this.#sizes = {
      ...DEFAULT_SIZES,
      runs: deps.store.capabilities.dueRunBatch,
      ...deps.sizes,
    };
  }

  #batch(tx: Tx, now: number): Batch {
    const deps: BatchDeps = {
      definitions: this.#deps.definitions,
      workspaceTimezone: async (ws) => {
        let z = this.#zones.get(ws);
        if (!z) {
          z = (await tx.workspaces.get(ws))?.timezone ?? 'UTC';
          this.#zones.set(ws, z);
        }
        return z;
      },
      links: this.#deps.links,
      profileChanges: this.#deps.profileChanges,
    };
    return new Batch(tx, now, deps);
  }

  /** Runs `fn` with a batch in one transaction and flushes it. */
  async withBatch<T>(fn: (batch: Batch, tx: Tx, now: number) => Promise<T>): Promise<T> {
    const now = this.#deps.clock.now();
    return this.#deps.store.transaction(async (tx) => {
      const batch = this.#batch(tx, now);
      const out = await fn(batch, tx, now);
      await batch.flush();
      return out;
    });
  }

  /** Applies pending events of the given partitions; returns how many. */
  async events(partitions: number[]): Promise<number> {
    return this.withBatch(async (batch, tx, now) => {
      const events = await tx.events.pending(partitions, this.#sizes.events);
      if (events.length === 0) return 0;
      const byWorkspace = new Map<string, EventRow[]>();
      for (const e of events) {
        const list = byWorkspace.get(e.workspaceId) ?? [];
        list.push(e);
        byWorkspace.set(e.workspaceId, list);
      }
      for (const [ws, wsEvents] of byWorkspace) {
        await this.#applyEvents(batch, tx, { ws, events: wsEvents, now });
        await tx.events.markProcessed(ws, wsEvents, now);
      }
      return events.length;
    });
  }

  async #applyEvents(
    batch: Batch,
    tx: Tx,
    args: { ws: string; events: EventRow[]; now: number },
  ): Promise<void> {
    const { ws, events, now } = args;
    const profileIds = [...new Set(events.map((e) => e.profileId))];
    await batch.preloadProfiles(ws, profileIds);
    const active = await tx.runs.activeForProfiles(ws, profileIds);
    const locked = active.length
      ? await tx.runs.lock(
          ws,
          active.map((r) => r.id),
        )
      : [];
    const runsOf = new Map<string, RunRow[]>();
    for (const run of locked) {
      const list = runsOf.get(run.profileId) ?? [];
      list.push(run);
      runsOf.set(run.profileId, list);
    }
    const live = await this.#deps.definitions.live(tx, ws, now);
    for (const j of live) {
      if (serverTrigger(j.definition.trigger).preloadsEntries)
        await batch.preloadEntryHistories(ws, j.journey.id, profileIds);
    }
    const timers: TriggerTimerRow[] = [];
    const converting: ProfileEvent[] = [];
    for (const e of events) {
      const fact = eventFact(e);
      const runs = runsOf.get(e.profileId) ?? [];
      converting.push({
        profileId: e.profileId,
        event: fact,
        liveRunIds: new Set(runs.map((r) => r.id)),
      });
      for (let i = 0; i < runs.length; i += 1) {
        const updated = await batch.advance(runs[i]!, { kind: 'event', event: fact });
        runs[i] = updated;
      }
      runsOf.set(
        e.profileId,
        runs.filter((r) => r.status === 'active' || r.status === 'waiting'),
      );
      const profile = await batch.profileFact(ws, e.profileId);
      for (const j of live) {
        const trigger = j.definition.trigger;
        const started = await serverTrigger(trigger).onEvent({
          batch,
          tx,
          now,
          journey: j,
          trigger,
          enter: (profileId, input) => this.#enter(batch, { j, profileId, input }),
          event: fact,
          context: e.context,
          profileId: e.profileId,
          zoneOf: profile.timezone,
          timers,
        });
        if (started && (started.status === 'active' || started.status === 'waiting')) {
          runsOf.get(e.profileId)?.push(started);
        }
      }
    }
    if (timers.length) await tx.triggerTimers.upsert(timers);
    // Goal events of runs that ended, inside their attribution windows (runtime/attribution.ts).
    await convertAfterRuns({
      batch,
      tx,
      definitions: this.#deps.definitions,
      workspaceId: ws,
      events: converting,
      now,
    });
  }

  async #enter(
    batch: Batch,
    a: {
      j: LiveJourney;
      profileId: string;
      input: EntryInput;
    },
  ): Promise<RunRow | null> {
    const { j, profileId } = a;
    const history = await batch.entryHistory(j.journey.workspaceId, j.journey.id, profileId);
    const decision = decideEntry({
      policy: j.definition.policies.reentry,
      history,
      now: this.#deps.clock.now(),
    });
    if (!decision.enter) return null;
    return batch.start({ journey: j.journey, definition: j.definition, profileId, input: a.input });
  }

  /** Wakes runs whose timers are due; returns how many transitions. */
  async timers(): Promise<number> {
    return this.withBatch(async (batch, tx, now) => {
      if (now - this.#prunedAt >= PRUNE_WINDOWS_EVERY_MS) {
        this.#prunedAt = now;
        await tx.conversions.pruneWindows(now, 500);
      }
      const due = await tx.runs.claimDue(now, this.#sizes.runs);
      if (due.length === 0) return 0;
      const byWs = new Map<string, string[]>();
      for (const r of due)
        byWs.set(r.workspaceId, [...(byWs.get(r.workspaceId) ?? []), r.profileId]);
      for (const [ws, ids] of byWs) await batch.preloadProfiles(ws, ids);
      for (const run of due) await batch.advance(run, { kind: 'timer' });
      return due.length;
    });
  }

  /** Fires due trigger timers (inactivity, date, broadcast pages); returns how many. */
  async triggerTimers(): Promise<number> {
    return this.withBatch(async (batch, tx, now) => {
      const due = await tx.triggerTimers.claimDue(now, this.#sizes.triggers);
      for (const t of due) await this.#fire(batch, tx, t, now);
      return due.length;
    });
  }

  async #fire(batch: Batch, tx: Tx, t: TriggerTimerRow, now: number): Promise<void> {
    const live = await this.#deps.definitions.live(tx, t.workspaceId, now);
    const j = live.find((x) => x.journey.id === t.journeyId);
    // A paused or archived journey is not live: its due timer is dropped (resuming schedules anew).
    if (!j) return;
    const trigger = j.definition.trigger;
    await serverTrigger(trigger).onTimer({
      batch,
      tx,
      now,
      journey: j,
      trigger,
      enter: (profileId, input) => this.#enter(batch, { j, profileId, input }),
      timer: t,
    });
  }

  /** The earliest time anything is due (a run, a trigger timer, an outbox row); null: nothing. */
  async nextDue(): Promise<number | null> {
    const { store } = this.#deps;
    const times = await Promise.all([
      store.runs.nextWake(),
      store.triggerTimers.nextWake(),
      store.messages.nextAvailable(),
      store.tasks.nextOverdue(),
    ]);
    const due = times.filter((t): t is number => t !== null);
    return due.length ? Math.min(...due) : null;
  }

  /** Alerts staff about tasks overdue now, once each (runtime/escalation.ts); returns how many. */
  async escalate(): Promise<number> {
    return escalateOverdue(this.#deps);
  }

  /** Enrols a profile into a live journey by hand (manual/API trigger or any journey's entry). */
  async enrol(a: EnrolRequest): Promise<RunRow | { skipped: string }> {
    return this.withBatch(async (batch, tx, now) => {
      const j = (await this.#deps.definitions.live(tx, a.workspaceId, now)).find(
        (x) => x.journey.id === a.journeyId,
      );
      if (!j) return { skipped: `journey ${a.journeyId} is not live` };
      const history = await batch.entryHistory(a.workspaceId, a.journeyId, a.profileId);
      const decision = decideEntry({ policy: j.definition.policies.reentry, history, now });
      if (!decision.enter) return { skipped: decision.reason };
      return batch.start({
        journey: j.journey,
        definition: j.definition,
        profileId: a.profileId,
        input: { kind: 'enter', data: a.data },
      });
    });
  }

  /** Delivers a message outcome (opened, clicked, replied, …) to the run that sent the message. */
  async outcome(a: OutcomeRequest): Promise<RunRow | null> {
    return this.withBatch(async (batch, tx) => {
      const message = await tx.messages.get(a.workspaceId, a.messageId);
      if (!message?.runId || !message.nodeId) return null;
      const [run] = await tx.runs.lock(a.workspaceId, [message.runId]);
      if (!run) return null;
      return batch.advance(run, {
        kind: 'outcome',
        outcome: { ...a.outcome, messageKey: message.idempotencyKey, nodeId: message.nodeId },
      });
    });
  }

  /**
   * Hands due outbox rows to channel adapters and records finished sends (runtime/delivery.ts);
   * returns how much it did (at least 1 while sends are in flight).
   */
  async deliver(): Promise<number> {
    return this.#deliveryEngine().deliver();
  }

  /** Stops delivery work: rows not sent yet go back to the outbox, sends in flight are recorded. */
  async settleDeliveries(): Promise<void> {
    await this.#delivery?.settle();
  }

  #delivery: Delivery | undefined;

  #deliveryEngine(): Delivery {
    this.#delivery ??= new Delivery({
      messages: this.#deps.store.messages,
      clock: this.#deps.clock,
      channels: this.#deps.channels,
      policy: this.#deps.policy,
      withBatch: (fn) => this.withBatch(fn),
      options: { batchSize: this.#sizes.messages, ...this.#deps.delivery },
    });
    return this.#delivery;
  }
}
