/**
 * Form definitions and the answers submitted through them.
 * Part of the storage contract (../store.ts); implemented by ../repos/forms.repo.ts.
 */
import type { Page } from './page.ts';

/** A form definition (validated by app/forms.ts; opaque JSON here). */
export interface FormRow {
  workspaceId: string;
  id: string;
  definition: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/**
 * A profile's answers to a form through one link: `key` names the link's message (`m:<id>`), else
 * its run (`r:<id>`), else `p` (the profile). `provisional` holds a one-click answer not yet
 * confirmed; `submitted` is final and never changes again.
 */
export interface FormSubmissionRow {
  workspaceId: string;
  profileId: string;
  formId: string;
  key: string;
  id: string;
  status: 'provisional' | 'submitted';
  /** Answers by question id. */
  answers: Record<string, unknown>;
  messageId: string | null;
  runId: string | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
}

/** Form definitions. */
export interface FormRepo {
  get(workspaceId: string, id: string): Promise<FormRow | null>;
  /** In id order. */
  list(workspaceId: string): Promise<FormRow[]>;
  /** Inserts or replaces the definition of (workspace, id); `createdAt` of an existing row stays. */
  upsert(row: FormRow): Promise<void>;
  /** True when a row was removed. */
  remove(workspaceId: string, id: string): Promise<boolean>;
}

/** Submissions of forms. */
export interface FormSubmissionRepo {
  get(
    workspaceId: string,
    profileId: string,
    formId: string,
    key: string,
  ): Promise<FormSubmissionRow | null>;
  /**
   * Records a provisional row: inserts it, or replaces the answers of a provisional one; a
   * submitted row is left as it is. Returns the row as stored.
   */
  saveProvisional(row: FormSubmissionRow): Promise<FormSubmissionRow>;
  /**
   * Makes the row submitted: inserts it, or turns a provisional one into it (keeping its id and
   * `createdAt`). False, changing nothing, when it was already submitted.
   */
  submit(row: FormSubmissionRow): Promise<boolean>;
  /** A form's submissions (both statuses) in id order, a page at a time; by index. */
  list(
    workspaceId: string,
    formId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<FormSubmissionRow>>;
}
