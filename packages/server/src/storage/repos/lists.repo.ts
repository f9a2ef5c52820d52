/** Lists (audiences) and memberships. */
import { checkLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { insertMany, inList, keyChunks } from '../batch.ts';
import { type RepoContext } from '../dialect.ts';
import type { ListRepo, ListRow } from '../contracts/lists.ts';
import type { Page } from '../contracts/page.ts';

/** ListRepo over Kysely. */
export class KyselyListRepo implements ListRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  /** Creates the list, or renames it (its creation time is kept). */
  async upsert(row: ListRow): Promise<void> {
    await this.#insert(row, true);
  }

  async ensure(row: ListRow): Promise<void> {
    await this.#insert(row, false);
  }

  /** Inserts a list; on conflict renames it (`rename`) or leaves it as it is. */
  async #insert(row: ListRow, rename: boolean): Promise<void> {
    await this.#c.db
      .insertInto('lists')
      .values({
        workspace_id: row.workspaceId,
        id: row.id,
        name: row.name,
        created_at: row.createdAt,
      })
      .onConflict((oc) => {
        const target = oc.columns(['workspace_id', 'id']);
        return rename ? target.doUpdateSet({ name: row.name }) : target.doNothing();
      })
      .execute();
  }

  async list(workspaceId: string): Promise<ListRow[]> {
    const rows = await this.#c.db
      .selectFrom('lists')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
    }));
  }

  /** Adds a member; adding one already there keeps its first time. */
  async addMember(
    workspaceId: string,
    listId: string,
    profileId: string,
    at: number,
  ): Promise<void> {
    await this.#c.db
      .insertInto('list_members')
      .values({ workspace_id: workspaceId, profile_id: profileId, list_id: listId, added_at: at })
      .onConflict((oc) => oc.columns(['workspace_id', 'profile_id', 'list_id']).doNothing())
      .execute();
  }

  async removeMember(workspaceId: string, listId: string, profileId: string): Promise<void> {
    await this.#c.db
      .deleteFrom('list_members')
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', profileId)
      .where('list_id', '=', listId)
      .execute();
  }

  /** List ids per profile (sorted); profiles in no list are absent. */
  async membership(workspaceId: string, profileIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const part of keyChunks([...new Set(profileIds)], this.#c.dialect)) {
      const rows = await this.#c.db
        .selectFrom('list_members')
        .select(['profile_id', 'list_id'])
        .where('workspace_id', '=', workspaceId)
        .where(inList(this.#c.dialect, 'profile_id', part))
        .orderBy('profile_id')
        .orderBy('list_id')
        .execute();
      for (const r of rows) {
        const lists = out.get(r.profile_id);
        if (lists) lists.push(r.list_id);
        else out.set(r.profile_id, [r.list_id]);
      }
    }
    return out;
  }

  /** Member profile ids in id order. */
  async members(
    workspaceId: string,
    listId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<string>> {
    const limit = checkLimit(opts.limit);
    const after = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor, ['string'])[0];
    const rows = await this.#c.db
      .selectFrom('list_members')
      .select('profile_id')
      .where('workspace_id', '=', workspaceId)
      .where('list_id', '=', listId)
      .$if(after !== undefined, (q) => q.where('profile_id', '>', after ?? ''))
      .orderBy('profile_id')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((r) => r.profile_id);
    const last = items.at(-1);
    return { items, next: rows.length > limit && last !== undefined ? encodeCursor([last]) : null };
  }

  /** Moves memberships to the survivor; a list both were in keeps the survivor's membership. */
  async reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void> {
    const db = this.#c.db;
    const moved = await db
      .selectFrom('list_members')
      .select(['list_id', 'added_at'])
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', fromProfileId)
      .execute();
    await insertMany(
      this.#c,
      {
        table: 'list_members',
        columns: ['workspace_id', 'profile_id', 'list_id', 'added_at'],
        conflict: { target: ['workspace_id', 'profile_id', 'list_id'] },
      },
      moved.map((m) => ({
        workspace_id: workspaceId,
        profile_id: toProfileId,
        list_id: m.list_id,
        added_at: m.added_at,
      })),
    );
    await db
      .deleteFrom('list_members')
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', fromProfileId)
      .execute();
  }
}
