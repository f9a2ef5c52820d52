/** Channel provider configurations, one per (workspace, channel). */
import type { Selectable } from 'kysely';
import { readObject, toJson, type RepoContext } from '../dialect.ts';
import type { ChannelConfigsTable } from '../schema.ts';
import type { ChannelConfigRepo, ChannelConfigRow } from '../contracts/channel-configs.ts';

/** ChannelConfigRepo over Kysely. */
export class KyselyChannelConfigRepo implements ChannelConfigRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<ChannelConfigsTable>): ChannelConfigRow {
    return {
      workspaceId: r.workspace_id,
      channel: r.channel,
      provider: r.provider,
      settings: readObject(this.#c.dialect, r.settings, 'channel_configs.settings'),
      secrets: r.secrets,
      updatedAt: r.updated_at,
    };
  }

  /** In channel order. */
  async list(workspaceId: string): Promise<ChannelConfigRow[]> {
    const rows = await this.#c.db
      .selectFrom('channel_configs')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('channel')
      .execute();
    return rows.map((r) => this.#toRow(r));
  }

  async get(workspaceId: string, channel: string): Promise<ChannelConfigRow | null> {
    const r = await this.#c.db
      .selectFrom('channel_configs')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', channel)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  async upsert(row: ChannelConfigRow): Promise<void> {
    const values = {
      provider: row.provider,
      settings: toJson(row.settings),
      secrets: row.secrets,
      updated_at: row.updatedAt,
    };
    await this.#c.db
      .insertInto('channel_configs')
      .values({ workspace_id: row.workspaceId, channel: row.channel, ...values })
      .onConflict((oc) => oc.columns(['workspace_id', 'channel']).doUpdateSet(values))
      .execute();
  }

  async remove(workspaceId: string, channel: string): Promise<boolean> {
    const r = await this.#c.db
      .deleteFrom('channel_configs')
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', channel)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
