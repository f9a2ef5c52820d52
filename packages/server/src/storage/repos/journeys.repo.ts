/** Journeys and their immutable versions. */
import { JourneyDocument } from '@waymark/core';
import type { Selectable } from 'kysely';
import { readObject, toJson, type RepoContext } from '../dialect.ts';
import { parseStored } from '../stored-json.ts';
import type { JourneysTable, JourneyVersionsTable } from '../schema.ts';
import type { JourneyRepo, JourneyRow, JourneyVersionRow } from '../contracts/journeys.ts';

const toJourney = (r: Selectable<JourneysTable>): JourneyRow => ({
  workspaceId: r.workspace_id,
  id: r.id,
  name: r.name,
  publishedVersion: r.published_version,
  latestVersion: r.latest_version,
  triggerType: r.trigger_type,
  triggerEvent: r.trigger_event,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** JourneyRepo over Kysely. */
export class KyselyJourneyRepo implements JourneyRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toVersion(r: Selectable<JourneyVersionsTable>): JourneyVersionRow {
    // Parsed with core's schema, not cast: a stored document is checked like one sent to the API.
    const column = 'journey_versions.definition';
    const definition = readObject(this.#c.dialect, r.definition, column);
    return {
      workspaceId: r.workspace_id,
      journeyId: r.journey_id,
      version: r.version,
      definition: parseStored(JourneyDocument, definition, column),
      createdAt: r.created_at,
      publishedAt: r.published_at,
    };
  }

  async get(workspaceId: string, id: string): Promise<JourneyRow | null> {
    const r = await this.#c.db
      .selectFrom('journeys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toJourney(r) : null;
  }

  async list(workspaceId: string): Promise<JourneyRow[]> {
    const rows = await this.#c.db
      .selectFrom('journeys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute();
    return rows.map(toJourney);
  }

  async live(
    workspaceId: string,
    filter: { triggerType?: string | undefined; triggerEvent?: string | undefined },
  ): Promise<JourneyRow[]> {
    const { triggerType, triggerEvent } = filter;
    const rows = await this.#c.db
      .selectFrom('journeys')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('status', '=', 'live')
      .where('published_version', 'is not', null)
      .$if(triggerType !== undefined, (q) => q.where('trigger_type', '=', triggerType ?? ''))
      .$if(triggerEvent !== undefined, (q) => q.where('trigger_event', '=', triggerEvent ?? ''))
      .orderBy('id')
      .execute();
    return rows.map(toJourney);
  }

  async upsert(row: JourneyRow): Promise<void> {
    const values = {
      workspace_id: row.workspaceId,
      id: row.id,
      name: row.name,
      published_version: row.publishedVersion,
      latest_version: row.latestVersion,
      trigger_type: row.triggerType,
      trigger_event: row.triggerEvent,
      status: row.status,
      created_at: row.createdAt,
      updated_at: row.updatedAt,
    };
    await this.#c.db
      .insertInto('journeys')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'id']).doUpdateSet({
          name: values.name,
          published_version: values.published_version,
          latest_version: values.latest_version,
          trigger_type: values.trigger_type,
          trigger_event: values.trigger_event,
          status: values.status,
          updated_at: values.updated_at,
        }),
      )
      .execute();
  }

  async addVersion(row: JourneyVersionRow): Promise<void> {
    await this.#c.db
      .insertInto('journey_versions')
      .values({
        workspace_id: row.workspaceId,
        journey_id: row.journeyId,
        version: row.version,
        definition: toJson(row.definition),
        created_at: row.createdAt,
        published_at: row.publishedAt,
      })
      .execute();
  }

  async markPublished(
    workspaceId: string,
    journeyId: string,
    version: number,
    at: number,
  ): Promise<void> {
    await this.#c.db
      .updateTable('journey_versions')
      .set({ published_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .where('version', '=', version)
      .where('published_at', 'is', null)
      .execute();
  }

  async getVersion(
    workspaceId: string,
    journeyId: string,
    version: number,
  ): Promise<JourneyVersionRow | null> {
    const r = await this.#c.db
      .selectFrom('journey_versions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .where('version', '=', version)
      .executeTakeFirst();
    return r ? this.#toVersion(r) : null;
  }

  async listVersions(workspaceId: string, journeyId: string): Promise<JourneyVersionRow[]> {
    const rows = await this.#c.db
      .selectFrom('journey_versions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('journey_id', '=', journeyId)
      .orderBy('version')
      .execute();
    return rows.map((r) => this.#toVersion(r));
  }
}
