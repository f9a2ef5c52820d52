/** Events: deduplicated inserts, per-partition pending queues, a profile's history. */
import { checkLimit } from '../cursor.ts';
import { insertMany, inList, keyChunks } from '../batch.ts';
import { readObject, toJson, type RepoContext } from '../dialect.ts';
import type { EventsTable } from '../schema.ts';
import type { EventRepo, EventRow, NewEvent } from '../contracts/events.ts';
import type { Selectable } from 'kysely';

/** Columns an insert writes. */
const EVENT_COLUMNS = [
  'workspace_id',
  'profile_id',
  'message_id',
  'type',
  'name',
  'properties',
  'context',
  'timestamp',
  'received_at',
  'processed_at',
  'partition',
] as const;

const keyOf = (e: NewEvent): string => `${e.workspaceId}\u0000${e.messageId}`;

/** EventRepo over Kysely. */
export class KyselyEventRepo implements EventRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<EventsTable>): EventRow {
    const d = this.#c.dialect;
    return {
      workspaceId: r.workspace_id,
      profileId: r.profile_id,
      seq: r.seq,
      messageId: r.message_id,
      type: r.type,
      name: r.name,
      properties: readObject(d, r.properties, 'events.properties'),
      context: readObject(d, r.context, 'events.context'),
      timestamp: r.timestamp,
      receivedAt: r.received_at,
      processedAt: r.processed_at,
      partition: r.partition,
    };
  }

  async insert(rows: NewEvent[]): Promise<EventRow[]> {
    const inserted = await insertMany<
      'events',
      { workspace_id: string; message_id: string; seq: number }
    >(
      this.#c,
      {
        table: 'events',
        columns: EVENT_COLUMNS,
        conflict: { target: ['workspace_id', 'message_id'] },
        returning: ['workspace_id', 'message_id', 'seq'],
      },
      rows.map((e) => ({
        workspace_id: e.workspaceId,
        profile_id: e.profileId,
        message_id: e.messageId,
        type: e.type,
        name: e.name,
        properties: toJson(e.properties),
        context: toJson(e.context),
        timestamp: e.timestamp,
        received_at: e.receivedAt,
        processed_at: null,
        partition: e.partition,
      })),
    );
    // Rebuilt from the input (of rows sharing a key, the first was inserted): no JSON re-read.
    const byKey = new Map<string, NewEvent>();
    for (const e of rows) if (!byKey.has(keyOf(e))) byKey.set(keyOf(e), e);
    const out: EventRow[] = [];
    for (const r of inserted) {
      const e = byKey.get(`${r.workspace_id}\u0000${r.message_id}`);
      if (e) out.push({ ...e, seq: r.seq, processedAt: null });
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async pending(partitions: number[], limit: number): Promise<EventRow[]> {
    checkLimit(limit);
    const db = this.#c.db;
    // One ordered index range per partition (events_pending), merged by seq: the cost follows
    // `limit`, not the backlog of the partitions.
    const branch = (p: number, i: number) =>
      db
        .selectFrom(
          db
            .selectFrom('events')
            .selectAll()
            .where('partition', '=', p)
            .where('processed_at', 'is', null)
            .orderBy('seq')
            .limit(limit)
            .as(`p${i}`),
        )
        .selectAll();
    const [first, ...rest] = [...new Set(partitions)].map(branch);
    if (!first) return [];
    const union = rest.reduce((q, b) => q.unionAll(b), first);
    const rows = await db
      .selectFrom(union.as('pending'))
      .selectAll()
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => this.#toRow(r));
  }

  async markProcessed(
    workspaceId: string,
    events: ReadonlyArray<Pick<EventRow, 'seq' | 'partition'>>,
    at: number,
  ): Promise<void> {
    // Found through events_pending (partition, seq), which holds only unprocessed rows.
    for (const part of keyChunks(events, this.#c.dialect)) {
      const partitions = [...new Set(part.map((e) => e.partition))];
      await this.#c.db
        .updateTable('events')
        .set({ processed_at: at })
        .where('workspace_id', '=', workspaceId)
        .where('processed_at', 'is', null)
        .where(inList(this.#c.dialect, 'partition', partitions, 'bigint'))
        .where(
          inList(
            this.#c.dialect,
            'seq',
            part.map((e) => e.seq),
            'bigint',
          ),
        )
        .execute();
    }
  }

  async listForProfile(
    workspaceId: string,
    profileId: string,
    opts: { limit: number; beforeSeq?: number | undefined },
  ): Promise<EventRow[]> {
    const before = opts.beforeSeq;
    const rows = await this.#c.db
      .selectFrom('events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', profileId)
      .$if(before !== undefined, (q) => q.where('seq', '<', before ?? 0))
      .orderBy('seq', 'desc')
      .limit(checkLimit(opts.limit))
      .execute();
    return rows.map((r) => this.#toRow(r));
  }

  async reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void> {
    await this.#c.db
      .updateTable('events')
      .set({ profile_id: toProfileId })
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', fromProfileId)
      .execute();
  }
}
