/** Consent: subscription rows per (workspace, profile, channel, topic). */
import { inList, insertMany, keyChunks } from '../batch.ts';
import { type RepoContext } from '../dialect.ts';
import type { SubscriptionRepo, SubscriptionRow } from '../contracts/subscriptions.ts';

/** Columns a write sets. */
const SUBSCRIPTION_COLUMNS = [
  'workspace_id',
  'profile_id',
  'channel',
  'topic',
  'status',
  'source',
  'updated_at',
] as const;

/** SubscriptionRepo over Kysely. */
export class KyselySubscriptionRepo implements SubscriptionRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  /** In (channel, topic) order, by the primary key. */
  async forProfile(workspaceId: string, profileId: string): Promise<SubscriptionRow[]> {
    return (await this.forProfiles(workspaceId, [profileId])).get(profileId) ?? [];
  }

  async forProfiles(
    workspaceId: string,
    profileIds: readonly string[],
  ): Promise<Map<string, SubscriptionRow[]>> {
    const out = new Map<string, SubscriptionRow[]>();
    for (const part of keyChunks([...new Set(profileIds)], this.#c.dialect)) {
      const rows = await this.#c.db
        .selectFrom('subscriptions')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where(inList(this.#c.dialect, 'profile_id', part))
        .orderBy('profile_id')
        .orderBy('channel')
        .orderBy('topic')
        .execute();
      for (const r of rows) {
        const list = out.get(r.profile_id) ?? [];
        list.push({
          workspaceId: r.workspace_id,
          profileId: r.profile_id,
          channel: r.channel,
          topic: r.topic,
          status: r.status,
          source: r.source,
          updatedAt: r.updated_at,
        });
        out.set(r.profile_id, list);
      }
    }
    return out;
  }

  /** Of several rows with the same key in one call, the last wins. */
  async set(rows: SubscriptionRow[]): Promise<void> {
    const byKey = new Map<string, SubscriptionRow>();
    for (const r of rows) {
      byKey.set([r.workspaceId, r.profileId, r.channel, r.topic].join('\u0000'), r);
    }
    await insertMany(
      this.#c,
      {
        table: 'subscriptions',
        columns: SUBSCRIPTION_COLUMNS,
        conflict: {
          target: ['workspace_id', 'profile_id', 'channel', 'topic'],
          update: ['status', 'source', 'updated_at'],
        },
      },
      [...byKey.values()].map((r) => ({
        workspace_id: r.workspaceId,
        profile_id: r.profileId,
        channel: r.channel,
        topic: r.topic,
        status: r.status,
        source: r.source,
        updated_at: r.updatedAt,
      })),
    );
  }

  /**
   * Moves a merged profile's rows to the survivor, in two statements; where both have a row for
   * the same channel and topic, the survivor's is kept.
   */
  async reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void> {
    if (fromProfileId === toProfileId) return;
    const db = this.#c.db;
    await db
      .insertInto('subscriptions')
      .columns([...SUBSCRIPTION_COLUMNS])
      .expression(
        db
          .selectFrom('subscriptions')
          .select((eb) => [
            'workspace_id',
            eb.val(toProfileId).as('profile_id'),
            'channel',
            'topic',
            'status',
            'source',
            'updated_at',
          ])
          .where('workspace_id', '=', workspaceId)
          .where('profile_id', '=', fromProfileId),
      )
      // Of two decisions on the same channel and topic, the more recent stands (a newer
      // unsubscribe on the merged-away profile is not lost); on a tie the survivor's.
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'profile_id', 'channel', 'topic'])
          .doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            source: eb.ref('excluded.source'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .where(({ eb, ref }) =>
            eb(ref('excluded.updated_at'), '>', ref('subscriptions.updated_at')),
          ),
      )
      .execute();
    await db
      .deleteFrom('subscriptions')
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', fromProfileId)
      .execute();
  }
}
