/**
 * Ingestion: stores Segment calls as events of profiles, in one transaction per request.
 * Resolves identities (userId, anonymousId; email and phone traits are linked, never merged on),
 * merges an anonymous profile into the known one on identify/alias, deduplicates by messageId,
 * and corrects client clock skew. The worker applies stored events to journeys afterwards.
 */
import type { IdentityKind, IdentityRow, NewEvent, ProfileRow, Tx } from '../storage/store.ts';
import type { TraitChanges } from '@waymark/core';
import { EVENT_PARTITIONS, newId, partitionOf } from '../ids.ts';
import type { AppDeps } from './deps.ts';
import { correctedTimestamp, type SegmentCall } from './segment.ts';

/** What an ingestion stored. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
}

type Key = `${IdentityKind}:${string}`;
const key = (kind: IdentityKind, value: string): Key => `${kind}:${value}`;

/** Traits that are identities as well. */
const IDENTITY_TRAITS: Array<[IdentityKind, string]> = [
  ['email', 'email'],
  ['phone', 'phone'],
];

/** Stores calls for a workspace; returns how many were new and how many were repeats. */
export async function ingest(
  deps: AppDeps,
  workspaceId: string,
  calls: SegmentCall[],
): Promise<IngestResult> {
  let queue = groupCommits.get(deps.store);
  if (!queue) {
    queue = new GroupCommit(deps);
    groupCommits.set(deps.store, queue);
  }
  const result = await queue.submit({ workspaceId, calls, receivedAt: deps.clock.now() });
  if (result.accepted > 0) deps.notify('events');
  return result;
}

/** One request's calls, waiting for their transaction. */
interface Submission {
  workspaceId: string;
  calls: SegmentCall[];
  receivedAt: number;
}

/** Last-seen times are kept to this precision. */
const LAST_SEEN_GRANULARITY_MS = 60_000;

/** Most calls written in one transaction. */
const MAX_GROUP_CALLS = 5_000;

const groupCommits = new WeakMap<object, GroupCommit>();

/**
 * Group commit: requests that arrive while a transaction is being written wait and are written
 * together in the next one, so under load one commit (one fsync) carries many requests. Each
 * request is answered only after the commit that holds its calls. If a group's transaction fails,
 * its requests are retried one by one, so one request's failure is not another's.
 */
class GroupCommit {
  readonly #deps: AppDeps;
  #queue: Array<Submission & { done: (r: IngestResult) => void; fail: (e: unknown) => void }> = [];
  #running = 0;
  /** Transactions written at once: one on SQLite (a single writer), a few on PostgreSQL. */
  readonly #lanes: number;

  constructor(deps: AppDeps) {
    this.#deps = deps;
    this.#lanes = deps.store.capabilities.writeLanes;
  }

  submit(s: Submission): Promise<IngestResult> {
    return new Promise((done, fail) => {
      this.#queue.push({ ...s, done, fail });
      if (this.#running < this.#lanes) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running += 1;
    try {
      while (this.#queue.length > 0) {
        // Let requests whose bytes have already arrived reach the queue first: with a
        // synchronous embedded store a transaction never yields to I/O, so without this each
        // request would get a commit of its own.
        await new Promise<void>((resolve) => setImmediate(resolve));
        let size = 0;
        let n = 0;
        while (
          n < this.#queue.length &&
          (n === 0 || size + this.#queue[n]!.calls.length <= MAX_GROUP_CALLS)
        ) {
          size += this.#queue[n]!.calls.length;
          n += 1;
        }
        const group = this.#queue.splice(0, n);
        if (group.length === 0) continue;
        try {
          const results = await this.#deps.store.transaction((tx) => writeGroup(tx, group));
          group.forEach((g, i) => g.done(results[i]!));
        } catch (err) {
          if (group.length === 1) group[0]!.fail(err);
          else {
            for (const g of group) {
              await this.#deps.store
                .transaction((tx) => writeGroup(tx, [g]))
                .then((r) => g.done(r[0]!), g.fail);
            }
          }
        }
      }
    } finally {
      this.#running -= 1;
    }
  }
}

/** Writes submissions in the caller's transaction; returns each one's counts. */
async function writeGroup(tx: Tx, group: Submission[]): Promise<IngestResult[]> {
  const events: NewEvent[] = [];
  // Which submission each stored event came from (of calls sharing a messageId, the first is kept).
  const owner = new Map<string, number>();
  const byWorkspace = new Map<string, number[]>();
  group.forEach((g, i) =>
    byWorkspace.set(g.workspaceId, [...(byWorkspace.get(g.workspaceId) ?? []), i]),
  );
  for (const [workspaceId, members] of byWorkspace) {
    const now = Math.max(...members.map((i) => group[i]!.receivedAt));
    const session = new IdentitySession(tx, workspaceId, now);
    await session.preload(members.flatMap((i) => group[i]!.calls));
    const mine: NewEvent[] = [];
    for (const i of members) {
      const { calls, receivedAt } = group[i]!;
      for (const call of calls) {
        const profileId = await session.profileFor(call);
        const timestamp = correctedTimestamp(call, receivedAt);
        const changes =
          call.type === 'identify' && call.traits
            ? session.setTraits(profileId, call.traits)
            : null;
        session.touch(profileId, timestamp);
        const event: NewEvent = {
          workspaceId,
          profileId,
          messageId: call.messageId ?? newId(receivedAt),
          type: call.type,
          name: call.name,
          properties: call.type === 'identify' ? { ...(call.traits ?? {}) } : call.properties,
          // What an identify changed, so segment triggers can tell entry from staying in.
          context: changes ? { ...call.context, waymark: changes } : call.context,
          timestamp,
          receivedAt,
          partition: partitionOf(profileId, EVENT_PARTITIONS),
        };
        mine.push(event);
        const k = `${workspaceId}\u0000${event.messageId}`;
        if (!owner.has(k)) owner.set(k, i);
      }
    }
    // A retried call (same messageId) is stored once; re-applying its identical traits is harmless.
    const lost = await session.flush();
    for (const e of mine) {
      const into = lost.get(e.profileId);
      if (into)
        Object.assign(e, { profileId: into, partition: partitionOf(into, EVENT_PARTITIONS) });
    }
    events.push(...mine);
  }
  const inserted = await tx.events.insert(events);
  const results = group.map((g) => ({ accepted: 0, duplicates: g.calls.length }));
  for (const row of inserted) {
    const i = owner.get(`${row.workspaceId}\u0000${row.messageId}`);
    if (i === undefined) continue;
    results[i]!.accepted += 1;
    results[i]!.duplicates -= 1;
  }
  return results;
}

/** Identity resolution for one request: reads once, writes once. */
class IdentitySession {
  readonly #tx: Tx;
  readonly #ws: string;
  readonly #now: number;
  readonly #ids = new Map<Key, string>();
  readonly #profiles = new Map<string, ProfileRow>();
  readonly #created = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #links: IdentityRow[] = [];
  readonly #known = new Set<string>();
  /** Last-seen times of profiles not read (plain events), written by `touch` at flush. */
  readonly #touches = new Map<string, number>();

  constructor(tx: Tx, workspaceId: string, now: number) {
    this.#tx = tx;
    this.#ws = workspaceId;
    this.#now = now;
  }

  async preload(calls: SegmentCall[]): Promise<void> {
    const wanted: Array<{ kind: IdentityKind; value: string }> = [];
    for (const c of calls) {
      if (c.userId) wanted.push({ kind: 'userId', value: c.userId });
      if (c.anonymousId) wanted.push({ kind: 'anonymousId', value: c.anonymousId });
      if (c.previousId)
        wanted.push(
          { kind: 'userId', value: c.previousId },
          { kind: 'anonymousId', value: c.previousId },
        );
    }
    const found = await this.#tx.profiles.resolve(this.#ws, wanted);
    for (const [k, id] of found) this.#ids.set(k as Key, id);
    // Profiles are read only where traits may change or profiles may merge (identify, alias, a
    // call naming both a userId and an anonymousId); for any other call the profile's last-seen
    // time is moved without reading it (`touch`).
    const full = new Set<string>();
    for (const c of calls) {
      if (c.type !== 'identify' && c.type !== 'alias' && !(c.userId && c.anonymousId)) continue;
      const keys: Key[] = [];
      if (c.userId) keys.push(key('userId', c.userId));
      if (c.anonymousId) keys.push(key('anonymousId', c.anonymousId));
      if (c.previousId) keys.push(key('userId', c.previousId), key('anonymousId', c.previousId));
      for (const k of keys) {
        const id = found.get(k);
        if (id) full.add(id);
      }
    }
    if (full.size)
      for (const p of await this.#tx.profiles.getMany(this.#ws, [...full]))
        this.#profiles.set(p.id, p);
    for (const [k, id] of found) if (k.startsWith('userId:')) this.#known.add(id);
  }

  async profileFor(call: SegmentCall): Promise<string> {
    const byUser = call.userId ? this.#ids.get(key('userId', call.userId)) : undefined;
    const byAnon = call.anonymousId
      ? this.#ids.get(key('anonymousId', call.anonymousId))
      : undefined;
    let profileId = byUser ?? byAnon;
    if (byUser && byAnon && byUser !== byAnon && !this.#known.has(byAnon)) {
      await this.merge(byAnon, byUser);
      profileId = byUser;
    }
    if (call.type === 'alias' && call.previousId && call.userId) {
      const previous =
        this.#ids.get(key('userId', call.previousId)) ??
        this.#ids.get(key('anonymousId', call.previousId));
      if (previous && profileId && previous !== profileId) await this.merge(previous, profileId);
      profileId ??= previous;
    }
    profileId ??= this.create();
    if (call.userId) this.link('userId', call.userId, profileId);
    if (call.anonymousId) this.link('anonymousId', call.anonymousId, profileId);
    if (call.userId) this.#known.add(profileId);
    return profileId;
  }

  /** Merges traits; returns the previous values of the traits that changed (`added`: new ones). */
  setTraits(profileId: string, traits: Record<string, unknown>): TraitChanges {
    const p = this.#profile(profileId);
    const changes: TraitChanges = { previous: {}, added: [] };
    for (const [k, v] of Object.entries(traits)) {
      if (!(k in p.traits)) changes.added.push(k);
      else if (JSON.stringify(p.traits[k]) !== JSON.stringify(v)) changes.previous[k] = p.traits[k];
    }
    p.traits = { ...p.traits, ...traits };
    p.updatedAt = this.#now;
    this.#dirty.add(profileId);
    for (const [kind, trait] of IDENTITY_TRAITS) {
      const v = traits[trait];
      if (typeof v === 'string' && v.trim())
        this.link(kind, kind === 'email' ? v.trim().toLowerCase() : v.trim(), profileId);
    }
    return changes;
  }

  /**
   * Records activity. Last-seen is kept to the minute: a profile's row is rewritten at most once a
   * minute by its events, not for every event (inactivity is measured in days).
   */
  touch(profileId: string, at: number): void {
    const p = this.#profiles.get(profileId);
    if (!p) {
      // Not read: the store compares and writes (`flush`).
      this.#touches.set(profileId, Math.max(at, this.#touches.get(profileId) ?? at));
      return;
    }
    if (p.lastSeenAt === null || at >= p.lastSeenAt + LAST_SEEN_GRANULARITY_MS) {
      p.lastSeenAt = at;
      this.#dirty.add(profileId);
    }
  }

  /**
   * Writes new profiles, identity links and changed profiles. Returns new profiles that lost a
   * race: a concurrent request linked the same userId/anonymousId to a profile of its own first
   * (our link was skipped on conflict), so ours folds into that one and its events go there.
   */
  async flush(): Promise<Map<string, string>> {
    const created = [...this.#created].map((id) => this.#profile(id));
    if (created.length) await this.#tx.profiles.insert(created);
    if (this.#links.length) {
      this.#links.sort((a, b) => (a.kind + a.value < b.kind + b.value ? -1 : 1));
      await this.#tx.profiles.link(this.#links);
    }
    const lost = await this.#racesLost();
    for (const [from, into] of lost) {
      const [winner] = await this.#tx.profiles.getMany(this.#ws, [into]);
      if (!winner) continue;
      const ours = this.#profile(from);
      this.#profiles.set(into, {
        ...winner,
        traits: { ...winner.traits, ...ours.traits },
        lastSeenAt: Math.max(winner.lastSeenAt ?? 0, ours.lastSeenAt ?? 0) || null,
        updatedAt: this.#now,
      });
      this.#dirty.add(into);
      await this.#tx.profiles.relink(this.#ws, from, into);
      await this.#tx.profiles.update(this.#ws, from, { mergedInto: into, updatedAt: this.#now });
      this.#created.delete(from);
    }
    // Written in id order, as links are, so concurrent transactions lock rows in one order.
    const changed = [...this.#dirty]
      .filter((id) => !this.#created.has(id))
      .sort()
      .map((id) => this.#profile(id));
    if (changed.length) await this.#tx.profiles.updateMany(changed);
    if (this.#touches.size) {
      const touched = [...this.#touches]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([id, lastSeenAt]) => ({ workspaceId: this.#ws, id, lastSeenAt }));
      await this.#tx.profiles.touch(touched, LAST_SEEN_GRANULARITY_MS);
    }
    return lost;
  }

  async #racesLost(): Promise<Map<string, string>> {
    const mine = this.#links.filter(
      (l) => this.#created.has(l.profileId) && (l.kind === 'userId' || l.kind === 'anonymousId'),
    );
    const lost = new Map<string, string>();
    if (mine.length === 0) return lost;
    const owners = await this.#tx.profiles.resolve(this.#ws, mine);
    for (const l of mine) {
      const owner = owners.get(key(l.kind, l.value));
      if (owner && owner !== l.profileId) lost.set(l.profileId, owner);
    }
    return lost;
  }

  create(): string {
    const id = newId(this.#now);
    this.#profiles.set(id, {
      workspaceId: this.#ws,
      id,
      traits: {},
      createdAt: this.#now,
      updatedAt: this.#now,
      lastSeenAt: null,
      mergedInto: null,
    });
    this.#created.add(id);
    return id;
  }

  link(kind: IdentityKind, value: string, profileId: string): void {
    const k = key(kind, value);
    const existing = this.#ids.get(k);
    // The first link wins: re-pointing an identity happens only through an explicit merge.
    if (existing) return;
    this.#ids.set(k, profileId);
    this.#links.push({ workspaceId: this.#ws, kind, value, profileId });
  }

  /** Moves everything of `from` to `into`; the survivor's traits win. */
  async merge(from: string, into: string): Promise<void> {
    const loser = this.#profile(from);
    const survivor = this.#profile(into);
    survivor.traits = { ...loser.traits, ...survivor.traits };
    survivor.lastSeenAt = Math.max(loser.lastSeenAt ?? 0, survivor.lastSeenAt ?? 0) || null;
    survivor.updatedAt = this.#now;
    this.#dirty.add(into);
    // Pending links and ids pointing at the loser now point at the survivor.
    for (const [k, id] of this.#ids) if (id === from) this.#ids.set(k, into);
    for (const link of this.#links) if (link.profileId === from) link.profileId = into;
    if (this.#created.has(from)) {
      this.#created.delete(from);
      this.#profiles.delete(from);
      return;
    }
    await this.#tx.profiles.relink(this.#ws, from, into);
    await this.#tx.events.reassign(this.#ws, from, into);
    await this.#tx.runs.reassign(this.#ws, from, into);
    await this.#tx.lists.reassign(this.#ws, from, into);
    await this.#tx.subscriptions.reassign(this.#ws, from, into);
    await this.#tx.profiles.update(this.#ws, from, { mergedInto: into, updatedAt: this.#now });
    this.#dirty.delete(from);
  }

  #profile(id: string): ProfileRow {
    const p = this.#profiles.get(id);
    if (!p) throw new Error(`profile ${id} not loaded`);
    return p;
  }
}
