/**
 * 007: outbox rows keep their rendered content as `json` on PostgreSQL, not `jsonb`. An email's
 * content is its whole rendered HTML: `jsonb` decomposed it on every insert and rebuilt the text
 * on every claim that read it back — work for nothing, since no query looks inside it. SQLite
 * stores text either way.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.ts';

/** Stores message content as json (PostgreSQL only). */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`alter table messages alter column content type json using content::json`.execute(db);
}
