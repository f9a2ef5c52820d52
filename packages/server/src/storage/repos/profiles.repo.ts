/** Profiles, their identities, and the merge helpers (relink). */
import { sql, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import { checkLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { chunks, insertMany, inList, keyChunks, updateMany } from '../batch.ts';
import { readObject, toJson, type RepoContext } from '../dialect.ts';
import type { ProfilesTable } from '../schema.ts';
import type { Page } from '../contracts/page.ts';
import type { PersonalizationRow } from '../contracts/personalization.ts';
import type { IdentityKind, IdentityRow, ProfileRepo, ProfileRow } from '../contracts/profiles.ts';
import { personalizationById, personalizationByIdentity } from './personalization.repo.ts';

/** Longest chain of merges followed by `resolve` (a longer one means a cycle). */
const MAX_MERGE_HOPS = 32;

/** The key of an identity in the map `resolve` returns. */
const identityKey = (kind: IdentityKind, value: string): string => `${kind}:${value}`;

/** ProfileRepo over Kysely. */
export class KyselyProfileRepo implements ProfileRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<ProfilesTable>): ProfileRow {
    return {
      workspaceId: r.workspace_id,
      id: r.id,
      traits: readObject(this.#c.dialect, r.traits, 'profiles.traits'),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastSeenAt: r.last_seen_at,
      mergedInto: r.merged_into,
    };
  }

  async get(workspaceId: string, id: string): Promise<ProfileRow | null> {
    const r = await this.#c.db
      .selectFrom('profiles')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  async getMany(workspaceId: string, ids: string[]): Promise<ProfileRow[]> {
    const out: ProfileRow[] = [];
    for (const part of keyChunks([...new Set(ids)], this.#c.dialect)) {
      const rows = await this.#c.db
        .selectFrom('profiles')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where(inList(this.#c.dialect, 'id', part))
        .execute();
      for (const r of rows) out.push(this.#toRow(r));
    }
    return out;
  }

  async resolve(
    workspaceId: string,
    identities: Array<{ kind: IdentityKind; value: string }>,
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    /** PostgreSQL: the found profiles known to be merged; SQLite: unknown (null). */
    const merged: Set<string> | null = this.#c.dialect.name === 'postgres' ? new Set() : null;
    // One `kind = ? and value in (...)` per kind: a row-value IN list of thousands of tuples is
    // planned as a long OR chain on PostgreSQL (tens of milliseconds per batch).
    const byKind = new Map<IdentityKind, Set<string>>();
    for (const i of identities) {
      const values = byKind.get(i.kind) ?? new Set<string>();
      values.add(i.value);
      byKind.set(i.kind, values);
    }
    for (const [kind, values] of byKind) {
      for (const part of keyChunks([...values], this.#c.dialect)) {
        if (this.#c.dialect.name === 'postgres') {
          // One index lookup per value, in this order whatever the planner estimates: on a table
          // not analyzed yet `(workspace_id, kind)` looks like one row, and a semi-join then
          // reads the whole kind (100,000 identities: half a second).
          // The profile's merged_into comes along, so the merge chain is only followed for
          // profiles that were merged (rare), not looked up for every identity.
          const { rows } = await sql<{
            kind: IdentityKind;
            value: string;
            profile_id: string;
            merged_into: string | null;
          }>`
            select i.kind, i.value, i.profile_id, p.merged_into
            from unnest(${part}::text[]) as k (value)
            cross join lateral (
              select kind, value, profile_id from identities
              where workspace_id = ${workspaceId} and kind = ${kind} and value = k.value limit 1
            ) as i
            left join lateral (
              select merged_into from profiles
              where workspace_id = ${workspaceId} and id = i.profile_id limit 1
            ) as p on true`.execute(this.#c.db);
          for (const r of rows) {
            found.set(identityKey(r.kind, r.value), r.profile_id);
            if (r.merged_into !== null) merged?.add(r.profile_id);
          }
          continue;
        }
        const rows = await this.#c.db
          .selectFrom('identities')
          .select(['kind', 'value', 'profile_id'])
          .where('workspace_id', '=', workspaceId)
          .where('kind', '=', kind)
          .where(inList(this.#c.dialect, 'value', part))
          .execute();
        for (const r of rows) found.set(identityKey(r.kind, r.value), r.profile_id);
      }
    }
    const candidates = merged ?? new Set(found.values());
    if (candidates.size === 0) return found;
    const survivors = await this.#survivors(workspaceId, candidates);
    for (const [key, id] of found) found.set(key, survivors.get(id) ?? id);
    return found;
  }

  /** Follows `merged_into` from each id to the profile that survived; ids not merged are absent. */
  async #survivors(workspaceId: string, ids: Set<string>): Promise<Map<string, string>> {
    const next = new Map<string, string>();
    let frontier = [...ids];
    for (let hop = 0; frontier.length > 0 && hop < MAX_MERGE_HOPS; hop += 1) {
      const merged: string[] = [];
      for (const part of keyChunks(frontier, this.#c.dialect)) {
        const rows = await this.#c.db
          .selectFrom('profiles')
          .select(['id', 'merged_into'])
          .where('workspace_id', '=', workspaceId)
          .where(inList(this.#c.dialect, 'id', part))
          .where('merged_into', 'is not', null)
          .execute();
        for (const r of rows) {
          if (r.merged_into === null || next.has(r.id)) continue;
          next.set(r.id, r.merged_into);
          merged.push(r.merged_into);
        }
      }
      frontier = merged;
    }
    const out = new Map<string, string>();
    for (const id of ids) {
      let at = id;
      for (let hop = 0; hop < MAX_MERGE_HOPS; hop += 1) {
        const to = next.get(at);
        if (to === undefined) break;
        at = to;
      }
      if (at !== id) out.set(id, at);
    }
    return out;
  }

  async personalization(
    workspaceId: string,
    identity: { kind: IdentityKind; value: string },
  ): Promise<PersonalizationRow | null> {
    const found = await personalizationByIdentity(this.#c, workspaceId, identity);
    if (found.mergedInto === null || found.row === null) return found.row;
    // Rare: an identity still on a merged-away profile. Follow the merge chain to the survivor.
    const merged = found.row.profileId;
    const survivor = (await this.#survivors(workspaceId, new Set([merged]))).get(merged);
    return survivor ? personalizationById(this.#c, workspaceId, survivor) : found.row;
  }

  async identities(workspaceId: string, profileId: string): Promise<IdentityRow[]> {
    const rows = await this.#c.db
      .selectFrom('identities')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', profileId)
      .orderBy('kind')
      .orderBy('value')
      .execute();
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      kind: r.kind,
      value: r.value,
      profileId: r.profile_id,
    }));
  }

  async insert(rows: ProfileRow[]): Promise<void> {
    await insertMany(
      this.#c,
      {
        table: 'profiles',
        columns: [
          'workspace_id',
          'id',
          'traits',
          'created_at',
          'updated_at',
          'last_seen_at',
          'merged_into',
        ],
      },
      rows.map((p) => ({
        workspace_id: p.workspaceId,
        id: p.id,
        traits: toJson(p.traits),
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        last_seen_at: p.lastSeenAt,
        merged_into: p.mergedInto,
      })),
    );
  }

  async link(rows: IdentityRow[]): Promise<void> {
    await insertMany(
      this.#c,
      {
        table: 'identities',
        columns: ['workspace_id', 'kind', 'value', 'profile_id'],
        conflict: { target: ['workspace_id', 'kind', 'value'] },
      },
      rows.map((i) => ({
        workspace_id: i.workspaceId,
        kind: i.kind,
        value: i.value,
        profile_id: i.profileId,
      })),
    );
  }

  async relink(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void> {
    await this.#c.db
      .updateTable('identities')
      .set({ profile_id: toProfileId })
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', fromProfileId)
      .execute();
  }

  async update(
    workspaceId: string,
    id: string,
    patch: Partial<Pick<ProfileRow, 'traits' | 'updatedAt' | 'lastSeenAt' | 'mergedInto'>>,
  ): Promise<void> {
    const set: Updateable<ProfilesTable> = {};
    if (patch.traits !== undefined) set.traits = toJson(patch.traits);
    if (patch.updatedAt !== undefined) set.updated_at = patch.updatedAt;
    if (patch.lastSeenAt !== undefined) set.last_seen_at = patch.lastSeenAt;
    if (patch.mergedInto !== undefined) set.merged_into = patch.mergedInto;
    if (Object.keys(set).length === 0) return;
    await this.#c.db
      .updateTable('profiles')
      .set(set)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async touch(
    rows: Array<Pick<ProfileRow, 'workspaceId' | 'id' | 'lastSeenAt'>>,
    granularityMs: number,
  ): Promise<void> {
    const touched = rows.filter((r) => r.lastSeenAt !== null);
    if (touched.length === 0) return;
    // The stored time is compared in SQL: nothing is read, and rows seen lately are not written.
    const apply = (from: RawBuilder<unknown>) => sql`
      with v (workspace_id, id, seen) as (${from})
      update profiles set last_seen_at = v.seen
      from v
      where profiles.workspace_id = v.workspace_id and profiles.id = v.id
        and (profiles.last_seen_at is null or profiles.last_seen_at <= v.seen - ${granularityMs})
    `;
    if (this.#c.dialect.name === 'postgres') {
      const doc = JSON.stringify(touched.map((r) => [r.workspaceId, r.id, r.lastSeenAt]));
      await apply(
        sql`select r->>0, r->>1, (r->>2)::bigint from json_array_elements(${doc}::json) as r`,
      ).execute(this.#c.db);
      return;
    }
    for (const part of chunks(touched, 3, this.#c.dialect)) {
      const rows = part.map((r) => sql`(${r.workspaceId}, ${r.id}, ${r.lastSeenAt})`);
      await apply(sql`values ${sql.join(rows)}`).execute(this.#c.db);
    }
  }

  async updateMany(
    rows: Array<Pick<ProfileRow, 'workspaceId' | 'id' | 'traits' | 'updatedAt' | 'lastSeenAt'>>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await updateMany(
      this.#c,
      {
        table: 'profiles',
        key: ['workspace_id', 'id'],
        set: [
          ['traits', 'jsonb'],
          ['updated_at', 'bigint'],
          ['last_seen_at', 'bigint'],
        ],
      },
      rows.map((r) => ({
        workspace_id: r.workspaceId,
        id: r.id,
        traits: toJson(r.traits),
        updated_at: r.updatedAt,
        last_seen_at: r.lastSeenAt,
      })),
    );
  }

  async list(
    workspaceId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<ProfileRow>> {
    const limit = checkLimit(opts.limit);
    const after = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor, ['string'])[0];
    const rows = await this.#c.db
      .selectFrom('profiles')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .$if(after !== undefined, (q) => q.where('id', '>', after ?? ''))
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((r) => this.#toRow(r));
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? encodeCursor([last.id]) : null };
  }
}
