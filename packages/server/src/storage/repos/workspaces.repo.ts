/** Workspaces and their API keys (stored as SHA-256 hashes). */
import type { RepoContext } from '../dialect.ts';
import type { WorkspacesTable } from '../schema.ts';
import type { KeyKind, WorkspaceRepo, WorkspaceRow } from '../contracts/workspaces.ts';

const toRow = (r: WorkspacesTable): WorkspaceRow => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  createdAt: r.created_at,
});

/** WorkspaceRepo over Kysely. */
export class KyselyWorkspaceRepo implements WorkspaceRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  async create(row: WorkspaceRow): Promise<void> {
    await this.#c.db
      .insertInto('workspaces')
      .values({ id: row.id, name: row.name, timezone: row.timezone, created_at: row.createdAt })
      .execute();
  }

  async get(id: string): Promise<WorkspaceRow | null> {
    const r = await this.#c.db
      .selectFrom('workspaces')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toRow(r) : null;
  }

  async list(): Promise<WorkspaceRow[]> {
    const rows = await this.#c.db
      .selectFrom('workspaces')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  async addKey(key: {
    workspaceId: string;
    kind: KeyKind;
    hash: string;
    createdAt: number;
  }): Promise<void> {
    await this.#c.db
      .insertInto('api_keys')
      .values({
        workspace_id: key.workspaceId,
        kind: key.kind,
        hash: key.hash,
        created_at: key.createdAt,
      })
      .execute();
  }

  async findByKey(kind: KeyKind, hash: string): Promise<string | null> {
    const r = await this.#c.db
      .selectFrom('api_keys')
      .select('workspace_id')
      .where('kind', '=', kind)
      .where('hash', '=', hash)
      .executeTakeFirst();
    return r?.workspace_id ?? null;
  }

  async countKeys(workspaceId: string, kind: KeyKind): Promise<number> {
    const r = await this.#c.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
