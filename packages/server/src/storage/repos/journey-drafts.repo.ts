/** Journey drafts per (workspace, journey), saved on the revision they were made on. */
import type { Selectable } from 'kysely';
import { readObject, toJson, type RepoContext } from '../dialect.ts';
import type { JourneyDraftsTable } from '../schema.ts';
import type {
  DraftLayout,
  JourneyDraftRepo,
  JourneyDraftRow,
} from '../contracts/journey-drafts.ts';

/** JourneyDraftRepo over Kysely. */
export class KyselyJourneyDraftRepo implements JourneyDraftRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<JourneyDraftsTable>): JourneyDraftRow {
    return {
      workspaceId: r.workspace_id,
      journeyId: r.journey_id,
      document: readObject(this.#c.dialect, r.document, 'journey_drafts.document'),
      layout: readObject(this.#c.dialect, r.layout, 'journey_drafts.layout') as DraftLayout,
      revision: Number(r.revision),
      updatedAt: Number(r.updated_at),
      updatedBy: r.updated_by,
    };
  }

  async get(workspaceId: string, journeyId: string): Promise<JourneyDraftRow | null> {
    const r = await this.#c.db
      .selectFrom('journey_drafts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  async list(workspaceId: string): Promise<JourneyDraftRow[]> {
    const rows = await this.#c.db
      .selectFrom('journey_drafts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('journey_id')
      .execute();
    return rows.map((r) => this.#toRow(r));
  }

  async save(
    row: Omit<JourneyDraftRow, 'revision'> & { baseRevision: number },
  ): Promise<JourneyDraftRow | null> {
    const revision = row.baseRevision + 1;
    const values = {
      document: toJson(row.document),
      layout: toJson(row.layout),
      revision,
      updated_at: row.updatedAt,
      updated_by: row.updatedBy,
    };
    // One statement either way, so two saves on the same revision cannot both succeed.
    const written =
      row.baseRevision === 0
        ? await this.#c.db
            .insertInto('journey_drafts')
            .values({ workspace_id: row.workspaceId, journey_id: row.journeyId, ...values })
            .onConflict((oc) => oc.columns(['workspace_id', 'journey_id']).doNothing())
            .executeTakeFirst()
            .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0n))
        : await this.#c.db
            .updateTable('journey_drafts')
            .set(values)
            .where('workspace_id', '=', row.workspaceId)
            .where('journey_id', '=', row.journeyId)
            .where('revision', '=', row.baseRevision)
            .executeTakeFirst()
            .then((r) => Number(r.numUpdatedRows));
    if (written === 0) return null;
    const { baseRevision: _base, ...rest } = row;
    return { ...rest, revision };
  }

  async remove(workspaceId: string, journeyId: string): Promise<boolean> {
    const r = await this.#c.db
      .deleteFrom('journey_drafts')
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
