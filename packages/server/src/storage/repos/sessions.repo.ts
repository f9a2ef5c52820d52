/** Sessions and one-time links (by the SHA-256 hash of their secret), and failed sign-ins. */
import type { RepoContext } from '../dialect.ts';
import type { SessionsTable, SetupTokensTable } from '../schema-access.ts';
import type { SessionRepo, SessionRow, SetupTokenRow } from '../contracts/sessions.ts';

const toSession = (r: SessionsTable): SessionRow => ({
  idHash: r.id_hash,
  userId: r.user_id,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  renewedAt: Number(r.renewed_at),
});

const toSetupToken = (r: SetupTokensTable): SetupTokenRow => ({
  hash: r.hash,
  kind: r.kind,
  userId: r.user_id,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  usedAt: r.used_at === null ? null : Number(r.used_at),
});

/** SessionRepo over Kysely. */
export class KyselySessionRepo implements SessionRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  async create(row: SessionRow): Promise<void> {
    await this.#c.db
      .insertInto('sessions')
      .values({
        id_hash: row.idHash,
        user_id: row.userId,
        created_at: row.createdAt,
        expires_at: row.expiresAt,
        renewed_at: row.renewedAt,
      })
      .execute();
  }

  async get(idHash: string): Promise<SessionRow | null> {
    const r = await this.#c.db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    return r ? toSession(r) : null;
  }

  async renew(idHash: string, expiresAt: number, renewedAt: number): Promise<void> {
    await this.#c.db
      .updateTable('sessions')
      .set({ expires_at: expiresAt, renewed_at: renewedAt })
      .where('id_hash', '=', idHash)
      .execute();
  }

  async remove(idHash: string): Promise<void> {
    await this.#c.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async removeForUser(userId: string, keep?: string): Promise<number> {
    const r = await this.#c.db
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .$if(keep !== undefined, (q) => q.where('id_hash', '<>', keep ?? ''))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async addSetupToken(row: SetupTokenRow): Promise<void> {
    await this.#c.db
      .insertInto('setup_tokens')
      .values({
        hash: row.hash,
        kind: row.kind,
        user_id: row.userId,
        created_at: row.createdAt,
        expires_at: row.expiresAt,
        used_at: row.usedAt,
      })
      .execute();
  }

  async getSetupToken(hash: string): Promise<SetupTokenRow | null> {
    const r = await this.#c.db
      .selectFrom('setup_tokens')
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst();
    return r ? toSetupToken(r) : null;
  }

  async useSetupToken(hash: string, at: number): Promise<boolean> {
    const r = await this.#c.db
      .updateTable('setup_tokens')
      .set({ used_at: at })
      .where('hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async addSignInFailure(keys: readonly string[], at: number): Promise<void> {
    if (keys.length === 0) return;
    await this.#c.db
      .insertInto('sign_in_failures')
      .values(keys.map((key) => ({ key, at })))
      .execute();
  }

  async signInFailures(
    key: string,
    since: number,
  ): Promise<{ count: number; oldest: number | null }> {
    const r = await this.#c.db
      .selectFrom('sign_in_failures')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
      .where('key', '=', key)
      .where('at', '>=', since)
      .executeTakeFirstOrThrow();
    return { count: Number(r.n), oldest: r.oldest === null ? null : Number(r.oldest) };
  }

  async clearSignInFailures(key: string): Promise<void> {
    await this.#c.db.deleteFrom('sign_in_failures').where('key', '=', key).execute();
  }

  async pruneSignInFailures(before: number): Promise<number> {
    const r = await this.#c.db
      .deleteFrom('sign_in_failures')
      .where('at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
