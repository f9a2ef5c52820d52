/** The audit log, per workspace, newest first. */
import { checkLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { readObject, toJson, type RepoContext } from '../dialect.ts';
import type { AuditRepo, AuditRow } from '../contracts/audit.ts';
import type { Page } from '../contracts/page.ts';

/** AuditRepo over Kysely. */
export class KyselyAuditRepo implements AuditRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  async append(row: AuditRow): Promise<void> {
    await this.#c.db
      .insertInto('audit_log')
      .values({
        workspace_id: row.workspaceId,
        id: row.id,
        at: row.at,
        actor_kind: row.actorKind,
        actor_id: row.actorId,
        actor_email: row.actorEmail,
        action: row.action,
        target: row.target,
        detail: toJson(row.detail),
      })
      .execute();
  }

  async list(
    workspaceId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<AuditRow>> {
    const limit = checkLimit(opts.limit);
    const after = opts.cursor === undefined ? null : decodeCursor(opts.cursor, ['string'])[0];
    const rows = await this.#c.db
      .selectFrom('audit_log')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .$if(after !== null, (q) => q.where('id', '<', after ?? ''))
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((r): AuditRow => ({
      workspaceId: r.workspace_id,
      id: r.id,
      at: Number(r.at),
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      actorEmail: r.actor_email,
      action: r.action,
      target: r.target,
      detail: readObject(this.#c.dialect, r.detail, 'audit_log.detail'),
    }));
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? encodeCursor([last.id]) : null };
  }
}
