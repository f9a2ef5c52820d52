/**
 * 002: channels and consent. Provider configurations per workspace and channel, subscriptions
 * (consent per profile, channel and topic), suppressed addresses; tasks get `escalated_at` (the
 * overdue escalation goes out once); messages get the indexes of provider-id lookups (status
 * callbacks, bounces) and of frequency-cap counts. Partial-index predicates are spelled with
 * literals that the repos repeat textually (SQLite matches them textually).
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';
import { SQLITE_STATS as INITIAL_STATS, seedSqliteStats } from './001-initial.ts';

/** Tasks the overdue escalation may still pick: the `tasks_overdue` index predicate. */
export const TASK_ESCALATABLE = sql<boolean>`status in ('open', 'claimed') and escalated_at is null`;

/** Messages a provider knows: the `messages_provider` index predicate. */
export const HAS_PROVIDER_ID = sql<boolean>`provider_message_id is not null`;

/** Adds channel configs, subscriptions, suppressions, task escalation and message indexes. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const ms = pg ? 'bigint' : 'integer';
  const json = pg ? 'jsonb' : 'text';
  // SQLite tables are STRICT, as in 001.
  const table = <N extends string>(name: N): CreateTableBuilder<N, never> => {
    const t = db.schema.createTable(name);
    return pg ? t : t.modifyEnd(sql`strict`);
  };

  await db.schema.alterTable('tasks').addColumn('escalated_at', ms).execute();
  await db.schema
    .createIndex('tasks_overdue')
    .on('tasks')
    .column('due_at')
    .where(TASK_ESCALATABLE)
    .execute();

  await db.schema
    .createIndex('messages_provider')
    .on('messages')
    .columns(['workspace_id', 'provider_message_id'])
    .where(HAS_PROVIDER_ID)
    .execute();
  await db.schema
    .createIndex('messages_sent')
    .on('messages')
    .columns(['workspace_id', 'profile_id', 'channel', 'sent_at'])
    .execute();

  await table('channel_configs')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('settings', json, (c) => c.notNull())
    .addColumn('secrets', 'text')
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_configs_pk', ['workspace_id', 'channel'])
    .execute();

  // Profile-owned: keyed by (workspace_id, profile_id, ...) like every profile's table.
  await table('subscriptions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('subscriptions_pk', ['workspace_id', 'profile_id', 'channel', 'topic'])
    .execute();

  await table('suppressions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('suppressions_pk', ['workspace_id', 'channel', 'address'])
    .execute();

  if (!pg) await seedSqliteStats(db, { ...INITIAL_STATS, ...SQLITE_STATS });
}

/**
 * Planner statistics of the indexes this migration adds, in the form of 001's (which describe a
 * large store where `workspace_id` selects nothing). Few tasks are overdue and not escalated at
 * once; a provider id names one message; a profile has a handful of messages per channel.
 */
const SQLITE_STATS: Readonly<Record<string, string>> = {
  'tasks(due_at)': '1000 2',
  'messages(workspace_id,provider_message_id)': '900000 900000 1',
  'messages(workspace_id,profile_id,channel,sent_at)': '1000000 1000000 2 1 1',
  'channel_configs(workspace_id,channel)': '600 600 1',
  'subscriptions(workspace_id,profile_id,channel,topic)': '2000000 2000000 2 1 1',
  'suppressions(workspace_id,channel,address)': '100000 100000 50000 1',
};
