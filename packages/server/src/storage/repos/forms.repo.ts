/** Form definitions per (workspace, id) and their submissions per (profile, form, key). */
import type { Selectable } from 'kysely';
import { checkLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import { readObject, toJson, type RepoContext } from '../dialect.ts';
import type { FormSubmissionsTable, FormsTable } from '../schema.ts';
import type {
  FormRepo,
  FormRow,
  FormSubmissionRepo,
  FormSubmissionRow,
} from '../contracts/forms.ts';
import type { Page } from '../contracts/page.ts';

/** FormRepo over Kysely. */
export class KyselyFormRepo implements FormRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<FormsTable>): FormRow {
    return {
      workspaceId: r.workspace_id,
      id: r.id,
      definition: readObject(this.#c.dialect, r.definition, 'forms.definition'),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async get(workspaceId: string, id: string): Promise<FormRow | null> {
    const r = await this.#c.db
      .selectFrom('forms')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  async list(workspaceId: string): Promise<FormRow[]> {
    const rows = await this.#c.db
      .selectFrom('forms')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute();
    return rows.map((r) => this.#toRow(r));
  }

  async upsert(row: FormRow): Promise<void> {
    const values = { definition: toJson(row.definition), updated_at: row.updatedAt };
    await this.#c.db
      .insertInto('forms')
      .values({ workspace_id: row.workspaceId, id: row.id, created_at: row.createdAt, ...values })
      .onConflict((oc) => oc.columns(['workspace_id', 'id']).doUpdateSet(values))
      .execute();
  }

  async remove(workspaceId: string, id: string): Promise<boolean> {
    const r = await this.#c.db
      .deleteFrom('forms')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}

/** FormSubmissionRepo over Kysely. */
export class KyselyFormSubmissionRepo implements FormSubmissionRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  #toRow(r: Selectable<FormSubmissionsTable>): FormSubmissionRow {
    return {
      workspaceId: r.workspace_id,
      profileId: r.profile_id,
      formId: r.form_id,
      key: r.key,
      id: r.id,
      status: r.status,
      answers: readObject(this.#c.dialect, r.answers, 'form_submissions.answers'),
      messageId: r.message_id,
      runId: r.run_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      submittedAt: r.submitted_at,
    };
  }

  #values(row: FormSubmissionRow) {
    return {
      workspace_id: row.workspaceId,
      profile_id: row.profileId,
      form_id: row.formId,
      key: row.key,
      id: row.id,
      status: row.status,
      answers: toJson(row.answers),
      message_id: row.messageId,
      run_id: row.runId,
      created_at: row.createdAt,
      updated_at: row.updatedAt,
      submitted_at: row.submittedAt,
    };
  }

  async get(
    workspaceId: string,
    profileId: string,
    formId: string,
    key: string,
  ): Promise<FormSubmissionRow | null> {
    const r = await this.#c.db
      .selectFrom('form_submissions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('profile_id', '=', profileId)
      .where('form_id', '=', formId)
      .where('key', '=', key)
      .executeTakeFirst();
    return r ? this.#toRow(r) : null;
  }

  async saveProvisional(row: FormSubmissionRow): Promise<FormSubmissionRow> {
    const values = this.#values({ ...row, status: 'provisional', submittedAt: null });
    await this.#c.db
      .insertInto('form_submissions')
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'profile_id', 'form_id', 'key'])
          .doUpdateSet({ answers: values.answers, updated_at: values.updated_at })
          .where('form_submissions.status', '=', 'provisional'),
      )
      .execute();
    const stored = await this.get(row.workspaceId, row.profileId, row.formId, row.key);
    if (!stored) throw new Error('form submission vanished after its upsert');
    return stored;
  }

  async submit(row: FormSubmissionRow): Promise<boolean> {
    const values = this.#values({ ...row, status: 'submitted' });
    // The conditional update leaves a submitted row alone: only one submission ever becomes final.
    const r = await this.#c.db
      .insertInto('form_submissions')
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'profile_id', 'form_id', 'key'])
          .doUpdateSet({
            status: 'submitted',
            answers: values.answers,
            message_id: values.message_id,
            run_id: values.run_id,
            updated_at: values.updated_at,
            submitted_at: values.submitted_at,
          })
          .where('form_submissions.status', '=', 'provisional'),
      )
      .executeTakeFirst();
    return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async list(
    workspaceId: string,
    formId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<FormSubmissionRow>> {
    const limit = checkLimit(opts.limit);
    const after = opts.cursor === undefined ? null : decodeCursor(opts.cursor, ['string'])[0];
    const rows = await this.#c.db
      .selectFrom('form_submissions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('form_id', '=', formId)
      .$if(after !== null, (q) => q.where('id', '>', after ?? ''))
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map((r) => this.#toRow(r));
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? encodeCursor([last.id]) : null };
  }
}
