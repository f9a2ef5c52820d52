/** Suppressed addresses per (workspace, channel, address). */
import type { Selectable } from 'kysely';
import { inList, keyChunks } from '../batch.ts';
import { checkLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { type RepoContext } from '../dialect.ts';
import type { SuppressionsTable } from '../schema.ts';
import type { Page } from '../contracts/page.ts';
import type { SuppressionRepo, SuppressionRow } from '../contracts/suppressions.ts';

const toRow = (r: Selectable<SuppressionsTable>): SuppressionRow => ({
  workspaceId: r.workspace_id,
  channel: r.channel,
  address: r.address,
  reason: r.reason,
  detail: r.detail,
  createdAt: r.created_at,
});

/** SuppressionRepo over Kysely. */
export class KyselySuppressionRepo implements SuppressionRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  async get(workspaceId: string, channel: string, address: string): Promise<SuppressionRow | null> {
    const r = await this.#c.db
      .selectFrom('suppressions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', channel)
      .where('address', '=', address)
      .executeTakeFirst();
    return r ? toRow(r) : null;
  }

  async getMany(
    workspaceId: string,
    channel: string,
    addresses: readonly string[],
  ): Promise<Map<string, SuppressionRow>> {
    const out = new Map<string, SuppressionRow>();
    for (const part of keyChunks([...new Set(addresses)], this.#c.dialect)) {
      const rows = await this.#c.db
        .selectFrom('suppressions')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('channel', '=', channel)
        .where(inList(this.#c.dialect, 'address', part))
        .execute();
      for (const r of rows) out.set(r.address, toRow(r));
    }
    return out;
  }

  /** The first suppression of an address keeps its reason and time. */
  async add(row: SuppressionRow): Promise<void> {
    await this.#c.db
      .insertInto('suppressions')
      .values({
        workspace_id: row.workspaceId,
        channel: row.channel,
        address: row.address,
        reason: row.reason,
        detail: row.detail,
        created_at: row.createdAt,
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'address']).doNothing())
      .execute();
  }

  async remove(workspaceId: string, channel: string, address: string): Promise<boolean> {
    const r = await this.#c.db
      .deleteFrom('suppressions')
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', channel)
      .where('address', '=', address)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** In (channel, address) order, the primary key's; the cursor is the last (channel, address). */
  async list(
    workspaceId: string,
    opts: { limit: number; cursor?: string | undefined; channel?: string | undefined },
  ): Promise<Page<SuppressionRow>> {
    const limit = checkLimit(opts.limit);
    const after =
      opts.cursor === undefined ? null : decodeCursor(opts.cursor, ['string', 'string']);
    const { channel } = opts;
    const rows = await this.#c.db
      .selectFrom('suppressions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .$if(channel !== undefined, (q) => q.where('channel', '=', channel ?? ''))
      .$if(after !== null, (q) =>
        q.where((eb) =>
          eb.or([
            eb('channel', '>', after?.[0] ?? ''),
            eb.and([eb('channel', '=', after?.[0] ?? ''), eb('address', '>', after?.[1] ?? '')]),
          ]),
        ),
      )
      .orderBy('channel')
      .orderBy('address')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(toRow);
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last ? encodeCursor([last.channel, last.address]) : null,
    };
  }
}
