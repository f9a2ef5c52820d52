/**
 * Delivery policies: what is re-checked for a `message` row just before it goes out, inside the
 * delivery engine's claim transaction (`runtime/delivery.ts` records the decision on the message
 * and the run). In order, the first that applies decides:
 * 1. a hard suppression of the normalised address (bounce, complaint, manual) → skip, even for
 *    transactional messages;
 * 2. marketing only: the profile unsubscribed from the channel, or from the message's topic → skip;
 * 3. marketing only: a frequency cap of the journey reached (journey or workspace scope) → skip,
 *    as Braze and Customer.io drop capped messages;
 * 4. the send node's `skipIf`, re-evaluated now against the current profile and the events that
 *    arrived since the run entered (scenario 8: a successful call since the abandonment) → skip.
 * Send windows are not checked here: the evaluator holds a send outside its window before the
 * message is even written. Suppressions and subscriptions of a whole claim are read in one query
 * each (`prepare`); caps and skip conditions cost a query per message, and only when they apply.
 */
import { durationMs, evaluateCondition, runScope, type RunState } from '@waymark/core';
import type { PolicyDecision } from '../channels/channel.ts';
import type { Clock } from '../clock.ts';
import type { MessageRow, SubscriptionRow, SuppressionRow, Tx } from '../storage/store.ts';
import type { DeliveryPolicy } from './delivery.ts';
import type { DefinitionCache } from './definitions.ts';
import { sendPolicy, toProfileFact, type SendPolicy } from './engine.ts';
import { countryOfZone, normalisePhone } from './recipient-zone.ts';

/** What `createDeliveryPolicy` needs. */
export interface DeliveryPolicyDeps {
  /**
   * Journey definitions, for messages queued before sends carried their policy in `content`
   * (their caps and skip condition are then read from the run's journey version).
   */
  definitions?: DefinitionCache | undefined;
  /** The worker's clock (decisions use the `now` they are given). */
  clock?: Clock | undefined;
}

/** What `prepare` read for the rows of one claim, per workspace. */
interface Prepared {
  /** Suppressions found, by `channel address`; `checked` holds every key looked up. */
  suppressed: Map<string, SuppressionRow>;
  checked: Set<string>;
  /** Subscription rows by profile; `profiles` holds every profile looked up. */
  subscriptions: Map<string, SubscriptionRow[]>;
  profiles: Set<string>;
}

const SEND: PolicyDecision = { kind: 'send' };
/** Events read back when re-checking a skip condition (newest first, since the run entered). */
const RECENT_EVENTS = 200;
const PHONE_CHANNELS = new Set(['sms', 'voice', 'whatsapp']);

/**
 * A recipient address as suppressions store it: email lower-cased, phone numbers in E.164 (national
 * numbers read in `defaultCountry`); other addresses trimmed.
 */
export function normaliseAddress(
  channel: string,
  address: string,
  defaultCountry?: string | null,
): string {
  const trimmed = address.trim();
  if (channel === 'email') return trimmed.toLowerCase();
  if (PHONE_CHANNELS.has(channel)) return normalisePhone(trimmed, defaultCountry) ?? trimmed;
  return trimmed;
}

/** The send's policy as the engine wrote it into `content.policy`, or null for older rows. */
function carriedPolicy(content: Record<string, unknown>): SendPolicy | null {
  const p = content.policy;
  if (p === null || typeof p !== 'object' || !Array.isArray((p as SendPolicy).caps)) return null;
  return p as SendPolicy;
}

/** Creates the delivery policy the delivery engine calls for every `message` row. */
export function createDeliveryPolicy(deps: DeliveryPolicyDeps = {}): DeliveryPolicy {
  const zones = new Map<string, string>();
  const workspaceZone = async (tx: Tx, ws: string): Promise<string> => {
    let zone = zones.get(ws);
    if (zone === undefined) {
      zone = (await tx.workspaces.get(ws))?.timezone ?? 'UTC';
      zones.set(ws, zone);
    }
    return zone;
  };

  /** The batch reads of the claim under way (a transaction holds one claim). */
  const prepared = new WeakMap<Tx, Map<string, Prepared>>();
  const addressOf = async (tx: Tx, message: MessageRow): Promise<string | null> =>
    message.recipient
      ? normaliseAddress(
          message.channel,
          message.recipient,
          countryOfZone(await workspaceZone(tx, message.workspaceId)),
        )
      : null;

  const prepare = async (tx: Tx, rows: readonly MessageRow[]): Promise<void> => {
    const byWorkspace = new Map<string, MessageRow[]>();
    for (const row of rows) {
      if (row.kind !== 'message') continue;
      const list = byWorkspace.get(row.workspaceId) ?? [];
      list.push(row);
      byWorkspace.set(row.workspaceId, list);
    }
    const out = new Map<string, Prepared>();
    for (const [ws, list] of byWorkspace) {
      const p: Prepared = {
        suppressed: new Map(),
        checked: new Set(),
        subscriptions: new Map(),
        profiles: new Set(),
      };
      const byChannel = new Map<string, string[]>();
      for (const row of list) {
        const address = await addressOf(tx, row);
        if (address === null) continue;
        byChannel.set(row.channel, [...(byChannel.get(row.channel) ?? []), address]);
        p.checked.add(`${row.channel} ${address}`);
      }
      for (const [channel, addresses] of byChannel)
        for (const [address, row] of await tx.suppressions.getMany(ws, channel, addresses))
          p.suppressed.set(`${channel} ${address}`, row);
      const profiles = list.filter((r) => r.content.transactional !== true).map((r) => r.profileId);
      p.subscriptions = await tx.subscriptions.forProfiles(ws, profiles);
      for (const id of profiles) p.profiles.add(id);
      out.set(ws, p);
    }
    prepared.set(tx, out);
  };

  const decide = async (tx: Tx, message: MessageRow, now: number): Promise<PolicyDecision> => {
    if (message.kind !== 'message') return SEND;
    const ws = message.workspaceId;
    const { channel, content } = message;
    const transactional = content.transactional === true;
    const batch = prepared.get(tx)?.get(ws);

    const address = await addressOf(tx, message);
    if (address !== null) {
      const key = `${channel} ${address}`;
      const suppressed = batch?.checked.has(key)
        ? (batch.suppressed.get(key) ?? null)
        : await tx.suppressions.get(ws, channel, address);
      if (suppressed)
        return { kind: 'skip', reason: `suppressed: ${address} (${suppressed.reason})` };
    }

    if (!transactional) {
      const rows = batch?.profiles.has(message.profileId)
        ? (batch.subscriptions.get(message.profileId) ?? [])
        : await tx.subscriptions.forProfile(ws, message.profileId);
      const topic = typeof content.topic === 'string' ? content.topic : '';
      const off = (t: string) =>
        rows.some((r) => r.channel === channel && r.topic === t && r.status === 'unsubscribed');
      if (off('')) return { kind: 'skip', reason: `unsubscribed from ${channel}` };
      if (topic && off(topic))
        return { kind: 'skip', reason: `unsubscribed from ${channel} topic "${topic}"` };
    }

    let run: Awaited<ReturnType<Tx['runs']['get']>> | undefined;
    let policy = carriedPolicy(content);
    if (!policy && deps.definitions && message.runId && message.nodeId) {
      run = await tx.runs.get(ws, message.runId);
      if (run) {
        const definition = await deps.definitions.version(tx, ws, run.journeyId, run.version);
        policy = sendPolicy(definition, { nodeId: message.nodeId, channel, transactional });
      }
    }
    if (!policy) return SEND;

    if (!transactional) {
      for (const cap of policy.caps) {
        if (cap.channel !== channel) continue;
        const journeyScope = cap.scope === 'journey';
        if (journeyScope && !message.journeyId) continue;
        const sent = await tx.messages.countSent({
          workspaceId: ws,
          profileId: message.profileId,
          channel,
          since: now - durationMs(cap.per),
          journeyId: journeyScope ? (message.journeyId ?? undefined) : undefined,
        });
        if (sent >= cap.max)
          return {
            kind: 'skip',
            reason: `frequency cap: at most ${cap.max} ${channel} per ${cap.per} (${cap.scope})`,
          };
      }
    }

    if (policy.skipIf) {
      if (run === undefined) run = message.runId ? await tx.runs.get(ws, message.runId) : null;
      const [profile, lists] = await Promise.all([
        tx.profiles.get(ws, message.profileId),
        tx.lists.membership(ws, [message.profileId]),
      ]);
      if (profile) {
        const state = run?.state ?? emptyState(message, now);
        const fact = toProfileFact(
          profile,
          lists.get(profile.id) ?? [],
          await workspaceZone(tx, ws),
        );
        const seen = await seenSince(tx, message, state, now);
        if (
          evaluateCondition(
            policy.skipIf,
            runScope({ state: { ...state, seen }, profile: fact, now }),
          )
        )
          return { kind: 'skip', reason: 'skip condition met' };
      }
    }
    return SEND;
  };
  return Object.assign(decide, { prepare });
}

/**
 * The run's seen events plus the profile's events stored since the run entered, including ones
 * the worker has not applied yet (the call that completed a second ago).
 */
async function seenSince(
  tx: Tx,
  message: MessageRow,
  state: RunState,
  now: number,
): Promise<RunState['seen']> {
  const seen = [...state.seen];
  const ids = new Set(seen.map((e) => e.id).filter(Boolean));
  const events = await tx.events.listForProfile(message.workspaceId, message.profileId, {
    limit: RECENT_EVENTS,
  });
  for (const e of events) {
    if (e.timestamp < state.enteredAt || e.timestamp > now || ids.has(e.messageId)) continue;
    seen.push({ id: e.messageId, name: e.name, at: e.timestamp, properties: e.properties });
  }
  return seen;
}

/** A stand-in run state for a message whose run is gone: it saw nothing, since it was queued. */
function emptyState(message: MessageRow, now: number): RunState {
  return {
    runId: message.runId ?? '',
    journeyId: message.journeyId ?? '',
    version: 0,
    profileId: message.profileId,
    status: 'active',
    node: message.nodeId,
    wakeAt: null,
    awaiting: null,
    enteredAt: Math.min(message.createdAt, now),
    updatedAt: now,
    seq: 0,
    trigger: null,
    messages: {},
    tasks: {},
    seen: [],
  };
}
