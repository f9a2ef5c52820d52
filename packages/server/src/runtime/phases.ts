/**
 * The worker's phases, each one transaction over a batch of due work:
 * - events: apply stored events in order (per profile) to running runs and to triggers;
 * - timers: wake runs whose `wake_at` has come (waits, timeouts, send windows);
 * - trigger timers: inactivity and date-attribute triggers, scheduled broadcasts;
 * - escalations: alerts about overdue staff tasks;
 * - delivery: hand outbox rows to channel adapters.
 * Each returns how much it did, so the worker knows when it is idle.
 */
import {
  countsAsActivity,
  dateTriggerTime,
  decideEntry,
  evaluateCondition,
  inactivityDeadline,
  matchesTrigger,
  traitsBefore,
  type EventFact,
  type OutcomeFact,
} from '@waymark/core';
import type { Clock } from '../clock.ts';
import type { ChannelRegistry } from '../channels/channel.ts';
import type { EventRow, RunRow, Store, TriggerTimerRow, Tx } from '../storage/store.ts';
import { profileZone } from './recipient-zone.ts';
import { Batch, readPath, type BatchDeps } from './engine.ts';
import type { DefinitionCache, LiveJourney } from './definitions.ts';
import { Delivery, type DeliveryOptions, type DeliveryPolicy } from './delivery.ts';
import { escalateOverdue } from './escalation.ts';
import { convertAfterRuns, type ProfileEvent } from './attribution.ts';

/** Sizes of the batches each phase claims. */
export interface BatchSizes {
  events: number;
  runs: number;
  triggers: number;
  messages: number;
}

const DEFAULT_SIZES: BatchSizes = { events: 500, runs: 500, triggers: 200, messages: 200 };
/**
 * PostgreSQL: each statement is a round trip, so larger batches of due runs pay off (100,000 due
 * runs: 4,100/s at 500 a batch, 5,600/s at 2,000). SQLite keeps 500: its transactions run on the
 * event loop, and a shorter one keeps HTTP answers quick in a single process.
 */
const POSTGRES_SIZES: Partial<BatchSizes> = { runs: 2000 };
const BROADCAST_PAGE = 500;
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
}

/** The worker's units of work. */
export class Phases {
  readonly #deps: PhaseDeps;
  readonly #sizes: BatchSizes;
  readonly #zones = new Map<string, string>();
  /** When closed attribution windows were last pruned. */
  #prunedAt = 0;

  constructor(deps: PhaseDeps) {
    this.#deps = deps;
    this.#sizes = {
      ...DEFAULT_SIZES,
      ...(deps.store.dialect === 'postgres' ? POSTGRES_SIZES : {}),
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
      const t = j.definition.trigger.type;
      if (t === 'event' || t === 'inbound')
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
        const started = await this.#triggerOnEvent(batch, {
          j,
          event: fact,
          context: e.context,
          profileId: e.profileId,
          timers,
          now,
          zoneOf: profile.timezone,
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

  async #triggerOnEvent(
    batch: Batch,
    a: {
      j: LiveJourney;
      event: EventFact;
      /** The stored event's context (identify events carry what they changed). */
      context: Record<string, unknown>;
      profileId: string;
      timers: TriggerTimerRow[];
      now: number;
      zoneOf: string | undefined;
    },
  ): Promise<RunRow | null> {
    const { j, event, profileId } = a;
    const trigger = j.definition.trigger;
    const ws = j.journey.workspaceId;
    switch (trigger.type) {
      case 'event':
      case 'inbound': {
        const profile = await batch.profileFact(ws, profileId);
        if (!matchesTrigger(trigger, event, profile)) return null;
        return this.#enter(batch, { j, profileId, input: { kind: 'enter', event } });
      }
      case 'inactivity':
        if (countsAsActivity(trigger, event)) {
          a.timers.push({
            workspaceId: ws,
            journeyId: j.journey.id,
            profileId,
            kind: 'inactivity',
            wakeAt: inactivityDeadline({
              trigger,
              lastActivityAt: Math.min(event.timestamp, a.now),
            }),
            data: { lastActivityAt: event.timestamp },
          });
        }
        return null;
      case 'date': {
        const onEvent = trigger.field.startsWith('event.');
        if (onEvent ? event.name !== trigger.event : event.type !== 'identify') return null;
        const path = trigger.field.split('.').slice(2).join('.');
        const source = onEvent ? event.properties : (await batch.profileFact(ws, profileId)).traits;
        const zone = a.zoneOf ?? j.definition.policies.timezone ?? (await batch.workspaceZone(ws));
        const at = dateTriggerTime({ trigger, date: readPath(source, path), zone });
        if (at === null || at < a.now - 60_000) return null;
        a.timers.push({
          workspaceId: ws,
          journeyId: j.journey.id,
          profileId,
          kind: 'date',
          wakeAt: at,
          data: onEvent ? { event } : {},
        });
        return null;
      }
      case 'segment': {
        if (event.type !== 'identify') return null;
        const after = await batch.profileFact(ws, profileId);
        const before = { ...after, traits: traitsBefore(after.traits, a.context) };
        const was = evaluateCondition(trigger.condition, { profile: before, now: a.now });
        const is = evaluateCondition(trigger.condition, { profile: after, now: a.now });
        const crossed = trigger.on === 'enter' ? !was && is : was && !is;
        return crossed
          ? this.#enter(batch, { j, profileId, input: { kind: 'enter', event } })
          : null;
      }
      case 'broadcast':
      case 'manual':
        return null;
    }
  }

  async #enter(
    batch: Batch,
    a: {
      j: LiveJourney;
      profileId: string;
      input: { kind: 'enter'; event?: EventFact; data?: Record<string, unknown> };
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
    if (!j) return;
    const trigger = j.definition.trigger;
    if (t.profileId === '' && (trigger.type === 'inactivity' || trigger.type === 'date')) {
      await this.#backfill(batch, tx, { t, j, now });
      return;
    }
    if (t.kind === 'broadcast' && trigger.type === 'broadcast') {
      const cursor = typeof t.data.cursor === 'string' ? t.data.cursor : undefined;
      const page = await tx.profiles.list(t.workspaceId, { limit: BROADCAST_PAGE, cursor });
      const ids = page.items.map((p) => p.id);
      // One read per page for profiles and for entry histories (re-entry), not one per profile.
      await batch.preloadProfiles(t.workspaceId, ids);
      await batch.preloadEntryHistories(t.workspaceId, j.journey.id, ids);
      for (const p of page.items) {
        if (p.mergedInto) continue;
        const profile = await batch.profileFact(t.workspaceId, p.id);
        if (!evaluateCondition(trigger.audience, { profile, now })) continue;
        await this.#enter(batch, {
          j,
          profileId: p.id,
          input: { kind: 'enter', data: { broadcast: true } },
        });
      }
      if (page.next)
        await tx.triggerTimers.upsert([
          { ...t, wakeAt: now, data: { ...t.data, cursor: page.next } },
        ]);
      return;
    }
    if (t.kind === 'inactivity' && trigger.type === 'inactivity') {
      const profile = await tx.profiles.get(t.workspaceId, t.profileId);
      if (!profile || profile.mergedInto) return;
      // With an `activity` list only those events move the timer (the events phase did that);
      // otherwise any call counts, including one the events phase has not applied yet.
      const last = trigger.activity
        ? Number(t.data.lastActivityAt ?? profile.lastSeenAt ?? 0)
        : (profile.lastSeenAt ?? 0);
      const deadline = inactivityDeadline({ trigger, lastActivityAt: last });
      if (deadline > now) {
        await tx.triggerTimers.upsert([{ ...t, wakeAt: deadline, data: { lastActivityAt: last } }]);
        return;
      }
      await this.#enter(batch, {
        j,
        profileId: t.profileId,
        input: { kind: 'enter', data: { inactiveSince: profile.lastSeenAt } },
      });
      return;
    }
    if (t.kind === 'date' && trigger.type === 'date') {
      const event = t.data.event as EventFact | undefined;
      await this.#enter(batch, {
        j,
        profileId: t.profileId,
        input: event ? { kind: 'enter', event } : { kind: 'enter' },
      });
    }
  }

  /**
   * The one-off pass after publishing an inactivity or profile-date journey: schedules the timer
   * of every existing profile, a page per round (resumable: the cursor is in the job's data).
   */
  async #backfill(
    batch: Batch,
    tx: Tx,
    a: { t: TriggerTimerRow; j: LiveJourney; now: number },
  ): Promise<void> {
    const { t, j, now } = a;
    const trigger = j.definition.trigger;
    const cursor = typeof t.data.cursor === 'string' ? t.data.cursor : undefined;
    const page = await tx.profiles.list(t.workspaceId, { limit: BROADCAST_PAGE, cursor });
    const workspaceZone = await batch.workspaceZone(t.workspaceId);
    const timers: TriggerTimerRow[] = [];
    for (const p of page.items) {
      if (p.mergedInto) continue;
      const base = { workspaceId: t.workspaceId, journeyId: t.journeyId, profileId: p.id };
      if (trigger.type === 'inactivity') {
        const last = p.lastSeenAt ?? p.createdAt;
        const wakeAt = inactivityDeadline({ trigger, lastActivityAt: last });
        timers.push({ ...base, kind: 'inactivity', wakeAt, data: { lastActivityAt: last } });
      } else if (trigger.type === 'date') {
        // The same rule as for events: the profile's zone (trait, else phone), journey, workspace.
        const zone =
          profileZone(p.traits, workspaceZone) ?? j.definition.policies.timezone ?? workspaceZone;
        const path = trigger.field.split('.').slice(2).join('.');
        const at = dateTriggerTime({ trigger, date: readPath(p.traits, path), zone });
        if (at !== null && at >= now - 60_000)
          timers.push({ ...base, kind: 'date', wakeAt: at, data: {} });
      }
    }
    if (timers.length) await tx.triggerTimers.upsert(timers);
    if (page.next)
      await tx.triggerTimers.upsert([
        { ...t, wakeAt: now, data: { ...t.data, cursor: page.next } },
      ]);
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
  async enrol(a: {
    workspaceId: string;
    journeyId: string;
    profileId: string;
    data?: Record<string, unknown>;
  }): Promise<RunRow | { skipped: string }> {
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
  async outcome(a: {
    workspaceId: string;
    messageId: string;
    outcome: Omit<OutcomeFact, 'messageKey' | 'nodeId'>;
  }): Promise<RunRow | null> {
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
