/** The outbox: idempotent inserts, leased claims, updates, listing, provider ids, cap counts. */
import { sql, type Selectable, type Updateable } from 'kysely';
import { checkLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { insertMany, pickInserted, updateMany } from '../batch.ts';
import { readObject, toJson, type CastType, type RepoContext } from '../dialect.ts';
import { HAS_PROVIDER_ID } from '../migrations/002-channels.ts';
import type { MessagesTable } from '../schema.ts';
import { heldKey, type MessageRepo, type MessageRow } from '../contracts/messages.ts';
import type { Page } from '../contracts/page.ts';

/** Rows a claim may take; spelled exactly as in the `messages_due` partial index. */
const CLAIMABLE = sql<boolean>`status in ('pending', 'sending')`;

/** Columns an insert writes. */
const MESSAGE_COLUMNS = [
  'workspace_id',
  'profile_id',
  'id',
  'idempotency_key',
  'run_id',
  'journey_id',
  'version',
  'node_id',
  'kind',
  'channel',
  'recipient',
  'template',
  'content',
  'status',
  'attempts',
  'available_at',
  'lease_until',
  'provider_message_id',
  'error',
  'created_at',
  'updated_at',
  'sent_at',
] as const;

/** Columns `recordResults` writes, with the casts PostgreSQL needs. */
const RESULT_COLUMNS: ReadonlyArray<
  readonly [column: keyof MessagesTable & string, cast?: CastType]
> = [
  ['status'],
  ['attempts', 'integer'],
  ['available_at', 'bigint'],
  ['lease_until', 'bigint'],
  ['provider_message_id'],
  ['error'],
  ['updated_at', 'bigint'],
  ['sent_at', 'bigint'],
  ['content', 'json'],
  ['attempt_at', 'bigint'],
];

/** Rows an `extendLeases` statement matches at most (4 parameters each). */
const LEASE_CHUNK = 500;

/** MessageRepo over Kysely. */
export class KyselyMessageRepo implements MessageRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<MessagesTable>): MessageRow {
    return {
      workspaceId: r.workspace_id,
      profileId: r.profile_id,
      id: r.id,
      idempotencyKey: r.idempotency_key,
      runId: r.run_id,
      journeyId: r.journey_id,
      ...(r.version !== null ? { version: r.version } : {}),
      nodeId: r.node_id,
      kind: r.kind,
      channel: r.channel,
      recipient: r.recipient,
      template: r.template,
      content: readObject(this.#c.dialect, r.content, 'messages.content'),
      status: r.status,
      attempts: r.attempts,
      availableAt: r.available_at,
      leaseUntil: r.lease_until,
      providerMessageId: r.provider_message_id,
      error: r.error,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      sentAt: r.sent_at,
      ...(r.attempt_at !== null && r.attempt_at !== undefined ? { attemptAt: r.attempt_at } : {}),
    };
  }

  async insert(rows: MessageRow[]): Promise<MessageRow[]> {
    const kept = await insertMany<'messages', { workspace_id: string; idempotency_key: string }>(
      this.#c,
      {
        table: 'messages',
        columns: MESSAGE_COLUMNS,
        conflict: { target: ['workspace_id', 'idempotency_key'] },
        returning: ['workspace_id', 'idempotency_key'],
      },
      rows.map((m) => ({
        workspace_id: m.workspaceId,
        profile_id: m.profileId,
        id: m.id,
        idempotency_key: m.idempotencyKey,
        run_id: m.runId,
        journey_id: m.journeyId,
        version: m.version ?? null,
        node_id: m.nodeId,
        kind: m.kind,
        channel: m.channel,
        recipient: m.recipient,
        template: m.template,
        content: toJson(m.content),
        status: m.status,
        attempts: m.attempts,
        available_at: m.availableAt,
        lease_until: m.leaseUntil,
        provider_message_id: m.providerMessageId,
        error: m.error,
        created_at: m.createdAt,
        updated_at: m.updatedAt,
        sent_at: m.sentAt,
      })),
    );
    return pickInserted(rows, kept);
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<MessageRow[]> {
    const db = this.#c.db;
    // A claimed row's `available_at` moves to its lease's end: rows in flight leave the due range
    // of `messages_due`, so a claim reads only what it takes (not every row being sent first),
    // and a row whose sender died comes back into the range when its lease runs out.
    const due = db
      .selectFrom('messages')
      .select(['workspace_id', 'profile_id', 'id'])
      .where('available_at', '<=', now)
      .where(CLAIMABLE)
      .where((eb) => eb.or([eb('status', '=', 'pending'), eb('lease_until', '<=', now)]))
      .orderBy('available_at')
      .limit(checkLimit(limit))
      .$if(this.#c.dialect.capabilities.rowLocks, (q) => q.forUpdate().skipLocked())
      .$asTuple('workspace_id', 'profile_id', 'id');
    const rows = await db
      .updateTable('messages')
      .set({
        status: 'sending',
        lease_until: now + leaseMs,
        available_at: now + leaseMs,
        updated_at: now,
      })
      .where((eb) => eb(eb.refTuple('workspace_id', 'profile_id', 'id'), 'in', due))
      .returningAll()
      .execute();
    return rows
      .map((r) => this.#toRow(r))
      .sort((a, b) => a.availableAt - b.availableAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async update(
    workspaceId: string,
    id: string,
    patch: Partial<
      Pick<
        MessageRow,
        | 'status'
        | 'attempts'
        | 'availableAt'
        | 'leaseUntil'
        | 'providerMessageId'
        | 'error'
        | 'updatedAt'
        | 'sentAt'
        | 'content'
        | 'recipient'
        | 'attemptAt'
      >
    >,
  ): Promise<void> {
    const set: Updateable<MessagesTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.attempts !== undefined) set.attempts = patch.attempts;
    if (patch.availableAt !== undefined) set.available_at = patch.availableAt;
    if (patch.leaseUntil !== undefined) set.lease_until = patch.leaseUntil;
    if (patch.providerMessageId !== undefined) set.provider_message_id = patch.providerMessageId;
    if (patch.error !== undefined) set.error = patch.error;
    if (patch.updatedAt !== undefined) set.updated_at = patch.updatedAt;
    if (patch.sentAt !== undefined) set.sent_at = patch.sentAt;
    if (patch.content !== undefined) set.content = toJson(patch.content);
    if (patch.recipient !== undefined) set.recipient = patch.recipient;
    if (patch.attemptAt !== undefined) set.attempt_at = patch.attemptAt;
    if (Object.keys(set).length === 0) return;
    await this.#c.db
      .updateTable('messages')
      .set(set)
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async recordResults(rows: MessageRow[], contentChanged?: ReadonlySet<string>): Promise<void> {
    // Of several results for one row, the last is written.
    const last = [...new Map(rows.map((m) => [`${m.workspaceId}\u0000${m.id}`, m])).values()];
    const values = (m: MessageRow) => ({
      workspace_id: m.workspaceId,
      profile_id: m.profileId,
      id: m.id,
      status: m.status,
      attempts: m.attempts,
      available_at: m.availableAt,
      lease_until: m.leaseUntil,
      provider_message_id: m.providerMessageId,
      error: m.error,
      updated_at: m.updatedAt,
      sent_at: m.sentAt,
      content: toJson(m.content),
      attempt_at: m.attemptAt ?? null,
    });
    const key = ['workspace_id', 'profile_id', 'id'] as const;
    // An email's content is its whole rendered HTML: written again only when a result changed it.
    const withContent = contentChanged ? last.filter((m) => contentChanged.has(m.id)) : last;
    const without = contentChanged ? last.filter((m) => !contentChanged.has(m.id)) : [];
    if (withContent.length)
      await updateMany(
        this.#c,
        { table: 'messages', key, set: RESULT_COLUMNS },
        withContent.map(values),
      );
    if (without.length)
      await updateMany(
        this.#c,
        { table: 'messages', key, set: RESULT_COLUMNS.filter(([c]) => c !== 'content') },
        without.map((m) => {
          const { content: _content, ...rest } = values(m);
          return rest;
        }),
      );
  }

  async extendLeases(
    rows: ReadonlyArray<Pick<MessageRow, 'workspaceId' | 'profileId' | 'id' | 'leaseUntil'>>,
    a: { leaseUntil: number; now: number; attemptAt?: number | undefined },
  ): Promise<Set<string>> {
    const updated = new Set<string>();
    const held = rows.filter((r) => r.leaseUntil !== null);
    for (let i = 0; i < held.length; i += LEASE_CHUNK) {
      const part = held.slice(i, i + LEASE_CHUNK);
      const out = await this.#c.db
        .updateTable('messages')
        .set({
          lease_until: a.leaseUntil,
          available_at: a.leaseUntil,
          updated_at: a.now,
          ...(a.attemptAt !== undefined ? { attempt_at: a.attemptAt } : {}),
        })
        .where(sql<boolean>`status = 'sending'`)
        .where((eb) =>
          eb(
            eb.refTuple('workspace_id', 'profile_id', 'id', 'lease_until'),
            'in',
            part.map((r) => eb.tuple(r.workspaceId, r.profileId, r.id, r.leaseUntil!)),
          ),
        )
        .returning(['workspace_id', 'id'])
        .execute();
      for (const r of out) updated.add(heldKey(r.workspace_id, r.id));
    }
    return updated;
  }

  async get(workspaceId: string, id: string): Promise<MessageRow | null> {
    const r = await this.#c.db
      .selectFrom('messages')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  async getByKey(workspaceId: string, idempotencyKey: string): Promise<MessageRow | null> {
    const r = await this.#c.db
      .selectFrom('messages')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  /** Newest first (created_at, then id, descending). */
  async list(
    workspaceId: string,
    opts: {
      limit: number;
      cursor?: string | undefined;
      channel?: string | undefined;
      profileId?: string | undefined;
      runId?: string | undefined;
    },
  ): Promise<Page<MessageRow>> {
    const limit = checkLimit(opts.limit);
    const after =
      opts.cursor === undefined ? null : decodeCursor(opts.cursor, ['number', 'string']);
    const { channel, profileId, runId } = opts;
    const rows = await this.#c.db
      .selectFrom('messages')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .$if(channel !== undefined, (q) => q.where('channel', '=', channel ?? ''))
      .$if(profileId !== undefined, (q) => q.where('profile_id', '=', profileId ?? ''))
      .$if(runId !== undefined, (q) => q.where('run_id', '=', runId ?? ''))
      .$if(after !== null, (q) =>
        q.where((eb) =>
          eb.or([
            eb('created_at', '<', after?.[0] ?? 0),
            eb.and([eb('created_at', '=', after?.[0] ?? 0), eb('id', '<', after?.[1] ?? '')]),
          ]),
        ),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((r) => this.#toRow(r));
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
    };
  }

  async nextAvailable(): Promise<number | null> {
    const db = this.#c.db;
    // The first entry of `messages_due`: a pending row's time, or an in-flight row's lease end.
    const pending = await db
      .selectFrom('messages')
      .select('available_at')
      .where(CLAIMABLE)
      .orderBy('available_at')
      .limit(1)
      .executeTakeFirst();
    const leased = await db
      .selectFrom('messages')
      .select('lease_until')
      .where(sql<boolean>`status = 'sending'`)
      .where('lease_until', 'is not', null)
      .orderBy('lease_until')
      .limit(1)
      .executeTakeFirst();
    const times = [pending?.available_at, leased?.lease_until].filter(
      (t): t is number => typeof t === 'number',
    );
    return times.length ? Math.min(...times) : null;
  }

  /** Through the `messages_provider` partial index (its predicate repeated). */
  async getByProviderId(
    workspaceId: string,
    providerMessageId: string,
  ): Promise<MessageRow | null> {
    const r = await this.#c.db
      .selectFrom('messages')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('provider_message_id', '=', providerMessageId)
      .where(HAS_PROVIDER_ID)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  /** A range read of the `messages_sent` index: (workspace, profile, channel, sent_at >= since). */
  async countSent(a: {
    workspaceId: string;
    profileId: string;
    channel: string;
    since: number;
    journeyId?: string | undefined;
  }): Promise<number> {
    const { journeyId } = a;
    const r = await this.#c.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('workspace_id', '=', a.workspaceId)
      .where('profile_id', '=', a.profileId)
      .where('channel', '=', a.channel)
      .where('sent_at', '>=', a.since)
      .where('status', 'in', ['sent', 'delivered'])
      .$if(journeyId !== undefined, (q) => q.where('journey_id', '=', journeyId ?? ''))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
