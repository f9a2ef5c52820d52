/**
 * The profiles an engine batch works on (`engine.ts`): loaded once per batch with their list
 * memberships, shown to the evaluator as facts, changed by the steps' commands (traits, lists),
 * and written back at the end of the batch, after which the instance's profile-change bus
 * (`profile-changes.ts`) hears which profiles changed.
 */
import type { ProfileFact } from '@waymark/core';
import type { ProfileRow, Tx } from '../storage/store.ts';
import type { ProfileChanges } from './profile-changes.ts';
import { profileZone } from './recipient-zone.ts';

/** A profile as a batch holds it. */
export interface ProfileState {
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

/** A list membership a command changed. */
interface Membership {
  ws: string;
  list: string;
  profile: string;
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

/** The profiles of one batch and the changes to write with it. */
export class BatchProfiles {
  readonly #tx: Tx;
  readonly #now: number;
  readonly #workspaceZone: (workspaceId: string) => Promise<string>;
  readonly #profiles = new Map<string, ProfileState>();
  readonly #listAdds: Membership[] = [];
  readonly #listRemoves: Membership[] = [];

  constructor(a: { tx: Tx; now: number; workspaceZone: (workspaceId: string) => Promise<string> }) {
    this.#tx = a.tx;
    this.#now = a.now;
    this.#workspaceZone = a.workspaceZone;
  }

  /** Loads profiles and their list memberships in two queries. */
  async preload(workspaceId: string, profileIds: string[]): Promise<void> {
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

  /** A profile, loaded when the batch has not yet; throws when it does not exist. */
  async get(workspaceId: string, profileId: string): Promise<ProfileState> {
    const k = `${workspaceId}:${profileId}`;
    if (!this.#profiles.has(k)) await this.preload(workspaceId, [profileId]);
    const p = this.#profiles.get(k);
    if (!p) throw new Error(`profile ${profileId} not found in workspace ${workspaceId}`);
    return p;
  }

  /** A profile the batch has loaded already, without loading it. */
  loaded(workspaceId: string, profileId: string): ProfileState | undefined {
    return this.#profiles.get(`${workspaceId}:${profileId}`);
  }

  /** The profile as the evaluator sees it. */
  async fact(workspaceId: string, profileId: string): Promise<ProfileFact> {
    const p = await this.get(workspaceId, profileId);
    const workspaceZone = await this.#workspaceZone(workspaceId);
    if (p.zone?.traits !== p.row.traits)
      p.zone = { traits: p.row.traits, value: profileZone(p.row.traits, workspaceZone) };
    return toProfileFact(p.row, p.lists, workspaceZone, p.zone.value);
  }

  /** Replaces a profile's traits (written at flush). */
  async setTraits(
    workspaceId: string,
    profileId: string,
    traits: (current: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<void> {
    const p = await this.get(workspaceId, profileId);
    p.row = { ...p.row, traits: traits(p.row.traits), updatedAt: this.#now };
    p.dirty = true;
  }

  /** Adds a profile to a list or removes it (written at flush). */
  async changeList(
    workspaceId: string,
    profileId: string,
    change: { list: string; action: 'add' | 'remove' },
  ): Promise<void> {
    const p = await this.get(workspaceId, profileId);
    const entry = { ws: workspaceId, list: change.list, profile: profileId };
    if (change.action === 'add') {
      p.lists.add(change.list);
      this.#listAdds.push(entry);
    } else {
      p.lists.delete(change.list);
      this.#listRemoves.push(entry);
    }
  }

  /** Writes the changed profiles and memberships in the batch's transaction. */
  async flush(): Promise<void> {
    const tx = this.#tx;
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
  }

  /** Tells the bus which profiles this batch changed (traits or lists). */
  announce(bus: ProfileChanges): void {
    if (!bus.heard) return;
    const changed = new Map<string, Set<string>>();
    const add = (ws: string, id: string) => changed.set(ws, (changed.get(ws) ?? new Set()).add(id));
    for (const p of this.#profiles.values()) if (p.dirty) add(p.row.workspaceId, p.row.id);
    for (const m of [...this.#listAdds, ...this.#listRemoves]) add(m.ws, m.profile);
    for (const [ws, ids] of changed) bus.announce(ws, [...ids]);
  }
}
