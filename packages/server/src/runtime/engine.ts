/**
 * The engine's unit of work: inside one transaction it loads what steps need (profiles, lists,
 * definitions), calls core `step`, and writes the new run states together with everything the
 * commands asked for — outbox rows, tasks, profile and list changes, run history. Because the
 * state change and its outbox rows commit together, with deterministic idempotency keys, a crash
 * at any point loses nothing and sends nothing twice.
 */
import {
  countInterest,
  channelKind,
  createRng,
  resolveZone,
  step,
  type Command,
  type Condition,
  type JourneyDefinition,
  type ProfileFact,
  type RunState,
  type StepInput,
  type StepResult,
  withSiteFlag,
} from '@waymark/core';
import { newId } from '../ids.ts';
import { newMessage } from '../messages.ts';
import type {
  ConversionRow,
  ConversionWindowRow,
  EntryHistory,
  JourneyRow,
  MessageOutcomeRecord,
  MessageRow,
  ProfileRow,
  RunRow,
  RunTraceRow,
  RunVisitRow,
  TaskRow,
  Tx,
} from '../storage/store.ts';
import type { DefinitionCache } from './definitions.ts';
import { profileZone } from './recipient-zone.ts';
import { unsubscribeUrl } from '../channels/links.ts';
import type { Secrets } from '../secrets.ts';
import { recipientLocale, renderTemplate } from './render.ts';
import { DELIVERY_SLACK_MS, inRunConversion, windowsOf } from './attribution.ts';
import { formUrl } from '../app/forms.ts';

/** Called with the profiles a batch changed (traits or lists), as it writes them. */
export type ProfilesChangedListener = (workspaceId: string, profileIds: string[]) => void;
const profileListeners = new Set<ProfilesChangedListener>();

/**
 * Subscribes to the profile changes this process's engine writes (caches of profile data, e.g.
 * personalisation, drop their entries); returns the unsubscribe function.
 */
export function onProfilesChanged(listener: ProfilesChangedListener): () => void {
  profileListeners.add(listener);
  return () => profileListeners.delete(listener);
}

/** What a batch needs from its surroundings. */
export interface BatchDeps {
  definitions: DefinitionCache;
  /** Default zone of workspaces without their own. */
  workspaceTimezone(workspaceId: string): Promise<string>;
  /** Makes signed links in messages (`{{ unsubscribe_url }}`); absent: no such links. */
  links?: { publicUrl: string; secrets: Secrets } | undefined;
}

interface ProfileState {
  row: ProfileRow;
  lists: Set<string>;
  dirty: boolean;
  /**
   * The recipient zone found for `row.traits` (reading a phone number is not free, and the fact is
   * asked for at every step). Traits are replaced on change, never edited in place, so a different
   * object means the zone is found again.
   */
  zone?: { traits: Record<string, unknown>; value: string | undefined };
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

/** Reads a dotted path (`traits.address.city`) from an object; undefined when absent. */
export function readPath(source: Record<string, unknown>, path: string): unknown {
  let cur: unknown = source;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A profile as the evaluator sees it; its zone is the recipient's (`recipient-zone.ts`). */
export function toProfileFact(
  row: ProfileRow,
  lists: Iterable<string>,
  workspaceZone: string,
  /** The recipient's zone when already known. */
  timezone: string | undefined = profileZone(row.traits, workspaceZone),
): ProfileFact {
  return { id: row.id, traits: row.traits, lists: [...lists], timezone };
}

/**
 * What delivery policies (`policies.ts`) re-check just before a send goes out, carried on the
 * message so delivery needs no journey lookup: the journey's frequency caps of the channel
 * (transactional sends bypass them) and the node's skip condition.
 */
export interface SendPolicy {
  caps: NonNullable<JourneyDefinition['policies']['frequencyCaps']>;
  skipIf?: Condition | undefined;
}

/** The `SendPolicy` of a send command of a journey. */
export function sendPolicy(
  definition: JourneyDefinition,
  c: { nodeId: string; channel: string; transactional: boolean },
): SendPolicy {
  const node = definition.nodes[c.nodeId];
  const skipIf = node?.type === 'send' ? node.skipIf : undefined;
  const caps = c.transactional
    ? []
    : (definition.policies.frequencyCaps ?? []).filter((cap) => cap.channel === c.channel);
  return { caps, ...(skipIf ? { skipIf } : {}) };
}

/** Outcomes a message's status already tells (reports count them from it). */
const STATUS_OUTCOMES = new Set(['sent', 'delivered', 'failed']);

/** One transaction's worth of steps and their writes. */
export class Batch {
  readonly #tx: Tx;
  readonly #now: number;
  readonly #deps: BatchDeps;
  readonly #profiles = new Map<string, ProfileState>();
  readonly #newRuns = new Map<string, RunRow>();
  readonly #changedRuns = new Map<string, RunRow>();
  readonly #trace: RunTraceRow[] = [];
  readonly #messages: MessageRow[] = [];
  readonly #tasks: TaskRow[] = [];
  /** Tasks of runs a goal ended in this batch: closed at flush (nobody needs to call a payer). */
  readonly #goalTasks: Array<{ ws: string; keys: string[]; goal: string }> = [];
  readonly #listAdds: Array<{ ws: string; list: string; profile: string }> = [];
  readonly #listRemoves: Array<{ ws: string; list: string; profile: string }> = [];
  readonly #entries = new Map<string, EntryHistory>();
  readonly #conversions: ConversionRow[] = [];
  readonly #windows: ConversionWindowRow[] = [];
  /** Arrivals at nodes and message outcomes, for reports (storage/repos/reports.repo.ts). */
  readonly #visits: RunVisitRow[] = [];
  readonly #outcomes: MessageOutcomeRecord[] = [];

  constructor(tx: Tx, now: number, deps: BatchDeps) {
    this.#tx = tx;
    this.#now = now;
    this.#deps = deps;
  }

  /** Loads profiles and their list memberships in two queries. */
  async preloadProfiles(workspaceId: string, profileIds: string[]): Promise<void> {
    const missing = [...new Set(profileIds)].filter(
      (id) => !this.#profiles.has(`${workspaceId}:${id}`),
    );
    if (missing.length === 0) return;
    const rows = await this.#tx.profiles.getMany(workspaceId, missing);
    const lists = await this.#tx.lists.membership(workspaceId, missing);
    for (const row of rows) {
      this.#profiles.set(`${workspaceId}:${row.id}`, {
        row,
        lists: new Set(lists.get(row.id) ?? []),
        dirty: false,
      });
    }
  }

  async #profile(workspaceId: string, profileId: string): Promise<ProfileState> {
    const k = `${workspaceId}:${profileId}`;
    if (!this.#profiles.has(k)) await this.preloadProfiles(workspaceId, [profileId]);
    const p = this.#profiles.get(k);
    if (!p) throw new Error(`profile ${profileId} not found in workspace ${workspaceId}`);
    return p;
  }

  /** The profile as the evaluator sees it. */
  async profileFact(workspaceId: string, profileId: string): Promise<ProfileFact> {
    const p = await this.#profile(workspaceId, profileId);
    const workspaceZone = await this.workspaceZone(workspaceId);
    if (p.zone?.traits !== p.row.traits)
      p.zone = { traits: p.row.traits, value: profileZone(p.row.traits, workspaceZone) };
    return toProfileFact(p.row, p.lists, workspaceZone, p.zone.value);
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
    this.#conversions.push(row);
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
      await this.#command(workspaceId, definition, state, command);
  }

  async #command(
    workspaceId: string,
    definition: JourneyDefinition,
    state: RunState,
    c: Command,
  ): Promise<void> {
    const base = {
      workspaceId,
      profileId: state.profileId,
      runId: state.runId,
      journeyId: state.journeyId,
      version: state.version,
      createdAt: this.#now,
      updatedAt: this.#now,
    };
    switch (c.type) {
      case 'send': {
        const profile = await this.#profile(workspaceId, state.profileId);
        const path = c.to ?? `profile.traits.${channelKind(c.channel)?.addressTrait ?? 'email'}`;
        const recipient = readPath(
          { profile: { id: profile.row.id, traits: profile.row.traits }, trigger: state.trigger },
          path,
        );
        const message = this.#message({
          ...base,
          key: c.key,
          nodeId: c.nodeId,
          kind: 'message',
          channel: c.channel,
          template: c.template,
        });
        message.content = {
          transactional: c.transactional,
          ...(c.topic ? { topic: c.topic } : {}),
          ...(c.connectTo ? { connectTo: c.connectTo } : {}),
          policy: sendPolicy(definition, c),
        };
        if (typeof recipient !== 'string' || recipient.trim() === '') {
          message.status = 'skipped';
          message.error = `profile has no ${path.replace(/^profile\.traits\./, '')} for ${c.channel}`;
        } else {
          message.recipient = recipient.trim();
          await this.#renderInto(message, definition, state, c.template);
        }
        this.#messages.push(message);
        // A message opens the run's attribution windows for the journey's goals.
        if (message.status === 'pending')
          this.#windows.push(
            ...windowsOf({
              workspaceId,
              definition,
              state,
              now: this.#now,
              slackMs: DELIVERY_SLACK_MS,
            }),
          );
        return;
      }
      case 'alert': {
        const message = this.#message({
          ...base,
          key: c.key,
          nodeId: c.nodeId,
          kind: 'alert',
          channel: c.channel,
          template: c.template,
        });
        message.recipient = c.to;
        await this.#renderInto(message, definition, state, c.template);
        this.#messages.push(message);
        return;
      }
      case 'webhook': {
        const message = this.#message({
          ...base,
          key: c.key,
          nodeId: c.nodeId,
          kind: 'webhook',
          channel: 'webhook',
          template: null,
        });
        message.recipient = c.url;
        message.content = { method: c.method, headers: c.headers, body: c.body ?? null };
        this.#messages.push(message);
        return;
      }
      case 'task':
        this.#tasks.push({
          ...base,
          id: newId(this.#now),
          idempotencyKey: c.key,
          nodeId: c.nodeId,
          team: c.team,
          title: c.title,
          description: c.description ?? null,
          dueAt: c.dueAt,
          status: 'open',
          assignee: null,
          outcome: null,
          note: null,
          completedAt: null,
          escalatedAt: null,
        });
        return;
      case 'update_profile': {
        const p = await this.#profile(workspaceId, state.profileId);
        const traits = { ...p.row.traits, ...c.set };
        for (const k of c.unset) delete traits[k];
        p.row = { ...p.row, traits, updatedAt: this.#now };
        p.dirty = true;
        return;
      }
      case 'interest':
      case 'site_flag': {
        // The same pure functions the evaluator used, on the stored row (personalization/).
        const p = await this.#profile(workspaceId, state.profileId);
        const traits =
          c.type === 'interest'
            ? countInterest(p.row.traits, {
                name: c.interest,
                weight: c.weight,
                at: c.at,
                within: c.within,
              }).traits
            : withSiteFlag(p.row.traits, c.flag, c.value);
        p.row = { ...p.row, traits, updatedAt: this.#now };
        p.dirty = true;
        return;
      }
      case 'list': {
        const p = await this.#profile(workspaceId, state.profileId);
        const entry = { ws: workspaceId, list: c.list, profile: state.profileId };
        if (c.action === 'add') {
          p.lists.add(c.list);
          this.#listAdds.push(entry);
        } else {
          p.lists.delete(c.list);
          this.#listRemoves.push(entry);
        }
        return;
      }
      case 'conversion':
        this.#conversions.push(
          await inRunConversion({
            tx: this.#tx,
            workspaceId,
            definition,
            state,
            match: c,
            event: c.event,
            now: this.#now,
          }),
        );
        return;
      case 'exit':
        // The control group keeps listening for goals for the attribution window.
        if (c.reason.kind === 'holdout')
          this.#windows.push(
            ...windowsOf({ workspaceId, definition, state, now: this.#now, slackMs: 0 }),
          );
        return;
      case 'schedule':
      case 'await':
      case 'complete':
        // Reflected in the run's state and history; reports read them from there.
        return;
      default:
        assertNever(c);
    }
  }

  #message(m: {
    workspaceId: string;
    profileId: string;
    runId: string;
    journeyId: string;
    version: number;
    createdAt: number;
    updatedAt: number;
    key: string;
    nodeId: string;
    kind: MessageRow['kind'];
    channel: string;
    template: string | null;
  }): MessageRow {
    return newMessage(this.#now, {
      workspaceId: m.workspaceId,
      profileId: m.profileId,
      idempotencyKey: m.key,
      runId: m.runId,
      journeyId: m.journeyId,
      version: m.version,
      nodeId: m.nodeId,
      kind: m.kind,
      channel: m.channel,
      template: m.template,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    });
  }

  /**
   * Renders the message's template into its content, with what the channel adapter needs besides
   * (sender, the signed unsubscribe link of a marketing send); a template that does not render
   * fails the message (`render failed: …`) instead of sending it half-rendered.
   */
  async #renderInto(
    message: MessageRow,
    definition: JourneyDefinition,
    state: RunState,
    template: string,
  ): Promise<void> {
    const p = this.#profiles.get(`${message.workspaceId}:${state.profileId}`);
    const traits = p?.row.traits ?? {};
    const links = this.#deps.links;
    const topic = typeof message.content.topic === 'string' ? message.content.topic : undefined;
    const unsubscribe =
      links && message.kind === 'message'
        ? unsubscribeUrl(links.publicUrl, links.secrets, {
            workspaceId: message.workspaceId,
            profileId: message.profileId,
            channel: message.channel,
            topic,
            messageId: message.id,
          })
        : undefined;
    try {
      const workspaceZone = await this.#deps.workspaceTimezone(message.workspaceId);
      const rendered = await renderTemplate(definition, template, {
        profile: { id: state.profileId, traits },
        trigger: state.trigger
          ? { name: state.trigger.name, properties: state.trigger.properties }
          : null,
        run: { id: state.runId, journeyId: state.journeyId, variant: state.variant },
        message: { id: message.id },
        unsubscribeUrl: unsubscribe,
        // `{{ 'feedback' | form_url }}`: the recipient's signed link to a form (app/forms.ts).
        formUrl: links
          ? (form, answer) =>
              formUrl(
                links.publicUrl,
                links.secrets,
                {
                  workspaceId: message.workspaceId,
                  profileId: message.profileId,
                  formId: form,
                  messageId: message.id,
                  runId: state.runId,
                },
                answer,
              )
          : undefined,
        // Open pixel and click redirects in the email's HTML, click redirects in an SMS whose
        // template asks for them (channels/email/tracking.ts).
        ...(links && message.kind === 'message' && channelKind(message.channel)?.tracksLinks
          ? { tracking: { ...links, workspaceId: message.workspaceId, messageId: message.id } }
          : {}),
        timezone: resolveZone(
          profileZone(traits, workspaceZone),
          definition.policies.timezone,
          workspaceZone,
        ),
        locale: recipientLocale(traits),
        now: this.#now,
      });
      message.content = {
        ...message.content,
        ...rendered,
        ...(unsubscribe !== undefined ? { unsubscribeUrl: unsubscribe } : {}),
      };
    } catch (err) {
      message.status = 'failed';
      message.error = `render failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Writes everything collected, in the caller's transaction. */
  async flush(): Promise<void> {
    const tx = this.#tx;
    if (this.#newRuns.size) await tx.runs.insert([...this.#newRuns.values()]);
    if (this.#changedRuns.size) await tx.runs.update([...this.#changedRuns.values()]);
    if (this.#trace.length) await tx.runs.appendTrace(this.#trace);
    if (this.#messages.length) await tx.messages.insert(this.#messages);
    if (this.#tasks.length) await tx.tasks.insert(this.#tasks);
    for (const { ws, keys, goal } of this.#goalTasks)
      await tx.tasks.closePending(ws, keys, {
        outcome: 'goal_reached',
        note: `closed by the journey: the customer reached the goal "${goal}"`,
        at: this.#now,
      });
    if (this.#conversions.length) await tx.conversions.insert(this.#conversions);
    if (this.#windows.length) await tx.conversions.openWindows(this.#windows);
    if (this.#visits.length) await tx.reports.recordVisits(this.#visits);
    if (this.#outcomes.length) await tx.reports.recordOutcomes(this.#outcomes);
    const dirty = [...this.#profiles.values()].filter((p) => p.dirty).map((p) => p.row);
    if (dirty.length) await tx.profiles.updateMany(dirty);
    const ensured = new Set<string>();
    for (const { ws, list, profile } of this.#listAdds) {
      if (!ensured.has(`${ws}:${list}`)) {
        await tx.lists.ensure({ workspaceId: ws, id: list, name: list, createdAt: this.#now });
        ensured.add(`${ws}:${list}`);
      }
      await tx.lists.addMember(ws, list, profile, this.#now);
    }
    for (const { ws, list, profile } of this.#listRemoves)
      await tx.lists.removeMember(ws, list, profile);
    if (profileListeners.size) this.#announceChanges();
  }

  /** Tells `onProfilesChanged` listeners which profiles this batch changed. */
  #announceChanges(): void {
    const changed = new Map<string, Set<string>>();
    const add = (ws: string, id: string) => changed.set(ws, (changed.get(ws) ?? new Set()).add(id));
    for (const p of this.#profiles.values()) if (p.dirty) add(p.row.workspaceId, p.row.id);
    for (const m of [...this.#listAdds, ...this.#listRemoves]) add(m.ws, m.profile);
    for (const [ws, ids] of changed) for (const l of profileListeners) l(ws, [...ids]);
  }
}
