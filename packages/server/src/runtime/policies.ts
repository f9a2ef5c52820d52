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
import { channelKind, durationMs, evaluateCondition, runScope, type RunState } from '@waymark/core';
import type { PolicyDecision } from '../channels/sdk/index.ts';
import type { Clock } from '../clock.ts';
import type { MessageRow, SubscriptionRow, SuppressionRow, Tx } from '../storage/store.ts';
import type { DeliveryPolicy } from './delivery.ts';
import type { DefinitionCache } from './definitions.ts';
import { toProfileFact } from './batch-profiles.ts';
import { SendPolicy, sendPolicy } from './commands.ts';
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

/** What `prepare` read for one message of a claim. */
interface Prepared {
  /** The normalised recipient address (null: none). */
  address: string | null;
  suppression: SuppressionRow | null;
  /** The profile's consent rows; null for a transactional message (consent does not apply). */
  subscriptions: SubscriptionRow[] | null;
}

const SEND: PolicyDecision = { kind: 'send' };
/** Events read back when re-checking a skip condition (newest first, since the run entered). */
const RECENT_EVENTS = 200;

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
  switch (channelKind(channel)?.addressTrait) {
    case 'email':
      return trimmed.toLowerCase();
    case 'phone':
      return normalisePhone(trimmed, defaultCountry) ?? trimmed;
    default:
      return trimmed;
  }
}

/** The send's policy as the engine wrote it into `content.policy`; null for older rows (the journey decides). */
function carriedPolicy(content: Record<string, unknown>): SendPolicy | null {
  const parsed = SendPolicy.safeParse(content.policy);
  return parsed.success ? parsed.data : null;
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

  /** The batch reads of the claim under way, by message (a transaction holds one claim). */
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
    const messages = rows.filter((r) => r.kind === 'message');
    const out = new Map<string, Prepared>();
    /** Addresses to look up, by workspace and channel; profiles, by workspace. */
    const addresses = new Map<string, { ws: string; channel: string; list: string[] }>();
    const profiles = new Map<string, string[]>();
    for (const row of messages) {
      const address = await addressOf(tx, row);
      out.set(row.id, { address, suppression: null, subscriptions: null });
      if (address !== null) {
        const key = `${row.workspaceId} ${row.channel}`;
        const group = addresses.get(key) ?? { ws: row.workspaceId, channel: row.channel, list: [] };
        group.list.push(address);
        addresses.set(key, group);
      }
      if (row.content.transactional !== true) {
        const ids = profiles.get(row.workspaceId) ?? [];
        ids.push(row.profileId);
        profiles.set(row.workspaceId, ids);
      }
    }
    const suppressed = new Map<string, SuppressionRow>();
    for (const { ws, channel, list } of addresses.values())
      for (const [address, row] of await tx.suppressions.getMany(ws, channel, list))
        suppressed.set(`${ws} ${channel} ${address}`, row);
    const consent = new Map<string, Map<string, SubscriptionRow[]>>();
    for (const [ws, ids] of profiles) consent.set(ws, await tx.subscriptions.forProfiles(ws, ids));
    for (const row of messages) {
      const p = out.get(row.id)!;
      if (p.address !== null)
        p.suppression = suppressed.get(`${row.workspaceId} ${row.channel} ${p.address}`) ?? null;
      if (row.content.transactional !== true)
        p.subscriptions = consent.get(row.workspaceId)?.get(row.profileId) ?? [];
    }
    prepared.set(tx, out);
  };

  const decide = async (tx: Tx, message: MessageRow, now: number): Promise<PolicyDecision> => {
    if (message.kind !== 'message') return SEND;
    const ws = message.workspaceId;
    const { channel, content } = message;
    const transactional = content.transactional === true;
    const pre = prepared.get(tx)?.get(message.id);

    const address = pre ? pre.address : await addressOf(tx, message);
    if (address !== null) {
      const suppressed = pre ? pre.suppression : await tx.suppressions.get(ws, channel, address);
      if (suppressed)
        return { kind: 'skip', reason: `suppressed: ${address} (${suppressed.reason})` };
    }

    if (!transactional) {
      const rows = pre?.subscriptions ?? (await tx.subscriptions.forProfile(ws, message.profileId));
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
