/**
 * 009: outbox rows remember an attempt in flight. `attempt_at` is set, one statement for a group
 * of rows, just before the rows are handed to their provider, and cleared by the transaction that
 * records the provider's answer. A row claimed again with `attempt_at` set is one whose sender
 * died while the provider had it: it may or may not have gone out (runtime/delivery.ts decides,
 * per channel, to send it again or to hold it as `unknown`).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** Adds `messages.attempt_at`. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const type = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  await sql`alter table messages add column attempt_at ${type}`.execute(db);
}
