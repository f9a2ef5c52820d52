/** Users, memberships and personal API tokens (tokens stored as SHA-256 hashes). */
import type { RepoContext } from '../dialect.ts';
import type { UsersTable, UserTokensTable } from '../schema-access.ts';
import type {
  MemberRole,
  MembershipRow,
  UserRepo,
  UserRow,
  UserTokenRow,
} from '../contracts/users.ts';

const toUser = (r: UsersTable): UserRow => ({
  id: r.id,
  email: r.email,
  name: r.name,
  passwordHash: r.password_hash,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toToken = (r: UserTokensTable): UserTokenRow => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  hash: r.hash,
  createdAt: Number(r.created_at),
});

/** UserRepo over Kysely. */
export class KyselyUserRepo implements UserRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  async create(row: UserRow): Promise<void> {
    await this.#c.db
      .insertInto('users')
      .values({
        id: row.id,
        email: row.email.toLowerCase(),
        name: row.name,
        password_hash: row.passwordHash,
        created_at: row.createdAt,
        updated_at: row.updatedAt,
      })
      .execute();
  }

  async get(id: string): Promise<UserRow | null> {
    const r = await this.#c.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async getByEmail(email: string): Promise<UserRow | null> {
    const r = await this.#c.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async count(): Promise<number> {
    const r = await this.#c.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async setPassword(id: string, passwordHash: string, at: number): Promise<void> {
    await this.#c.db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  async setMembership(row: MembershipRow): Promise<void> {
    await this.#c.db
      .insertInto('memberships')
      .values({
        workspace_id: row.workspaceId,
        user_id: row.userId,
        role: row.role,
        created_at: row.createdAt,
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role: row.role }))
      .execute();
  }

  async removeMembership(workspaceId: string, userId: string): Promise<boolean> {
    const r = await this.#c.db
      .deleteFrom('memberships')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async membership(workspaceId: string, userId: string): Promise<MembershipRow | null> {
    const r = await this.#c.db
      .selectFrom('memberships')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r
      ? {
          workspaceId: r.workspace_id,
          userId: r.user_id,
          role: r.role,
          createdAt: Number(r.created_at),
        }
      : null;
  }

  async memberships(userId: string): Promise<MembershipRow[]> {
    const rows = await this.#c.db
      .selectFrom('memberships')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('workspace_id')
      .execute();
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      userId: r.user_id,
      role: r.role,
      createdAt: Number(r.created_at),
    }));
  }

  async members(workspaceId: string): Promise<Array<{ user: UserRow; role: MemberRole }>> {
    const rows = await this.#c.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .selectAll('u')
      .select('m.role')
      .where('m.workspace_id', '=', workspaceId)
      .orderBy('u.email')
      .execute();
    return rows.map((r) => ({ user: toUser(r), role: r.role }));
  }

  async countRole(workspaceId: string, role: MemberRole): Promise<number> {
    const r = await this.#c.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('role', '=', role)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async addToken(row: UserTokenRow): Promise<void> {
    await this.#c.db
      .insertInto('user_tokens')
      .values({
        id: row.id,
        user_id: row.userId,
        name: row.name,
        hash: row.hash,
        created_at: row.createdAt,
      })
      .execute();
  }

  async tokens(userId: string): Promise<UserTokenRow[]> {
    const rows = await this.#c.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toToken);
  }

  async findToken(hash: string): Promise<UserTokenRow | null> {
    const r = await this.#c.db
      .selectFrom('user_tokens')
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst();
    return r ? toToken(r) : null;
  }

  async removeToken(userId: string, id: string): Promise<boolean> {
    const r = await this.#c.db
      .deleteFrom('user_tokens')
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
