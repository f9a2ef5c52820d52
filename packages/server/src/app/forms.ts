/**
 * Form definitions, kept per workspace (`PUT /api/forms/:id`, JSON or YAML): what a form asks and
 * how its definition is checked, with field-named errors. What a form link's recipient answers is
 * read in forms-answers.ts and recorded by the hosted page, forms-page.ts; the signed links
 * themselves are links/form.ts's.
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { AppError, type ErrorDetail } from '../errors.ts';
import type { FormRow, FormSubmissionRow, Page } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';

export type { FormSubmissionRow } from '../storage/store.ts';

/** Kinds of question. */
export const QUESTION_TYPES = ['choice', 'multiple_choice', 'rating', 'nps', 'text'] as const;

const ID_RULE = 'letters, digits, _ . : -; starts with a letter or digit; at most 128 characters';
const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, ID_RULE);

const Option = z
  .union([
    z.string().trim().min(1).max(200),
    z.strictObject({
      value: z.string().trim().min(1).max(200),
      label: z.string().trim().min(1).max(500),
    }),
  ])
  .transform((o) => (typeof o === 'string' ? { value: o, label: o } : o));

const Question = z.strictObject({
  id: Id,
  type: z.enum(QUESTION_TYPES),
  label: z.string().trim().min(1).max(500),
  options: z.array(Option).min(2).max(50).optional(),
  required: z.boolean().default(false),
});

/** A form definition as `PUT /api/forms/:id` takes it; options given as text become `{value,label}`. */
export const FormDefinition = z
  .strictObject({
    id: Id,
    title: z.string().trim().min(1).max(200),
    intro: z.string().trim().max(2_000).optional(),
    questions: z.array(Question).min(1).max(50),
    thanks: z.string().trim().max(2_000).optional(),
    submitLabel: z.string().trim().min(1).max(60).optional(),
  })
  .superRefine((form, ctx) => {
    const seen = new Set<string>();
    form.questions.forEach((q, i) => {
      if (seen.has(q.id))
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'id'],
          message: `question id "${q.id}" is used twice`,
        });
      seen.add(q.id);
      const choices = q.type === 'choice' || q.type === 'multiple_choice';
      if (choices && !q.options)
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'options'],
          message: `a ${q.type} question needs options (at least 2)`,
        });
      if (!choices && q.options)
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'options'],
          message: `a ${q.type} question takes no options`,
        });
      const values = new Set<string>();
      q.options?.forEach((o, j) => {
        if (values.has(o.value))
          ctx.addIssue({
            code: 'custom',
            path: ['questions', i, 'options', j],
            message: `option "${o.value}" is listed twice`,
          });
        values.add(o.value);
      });
    });
  });

/** A validated form definition. */
export type FormDefinition = z.output<typeof FormDefinition>;
/** One question of a form. */
export type FormQuestion = FormDefinition['questions'][number];

/** A stored form. */
export interface FormView {
  id: string;
  definition: FormDefinition;
  createdAt: number;
  updatedAt: number;
}

// ---------------------------------------------------------------------------------------------
// Definitions (admin API)

function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter(Boolean).join('.');
}

/** Validates a definition given as an object or as YAML/JSON text; throws `invalid_input`. */
export function parseFormDefinition(input: unknown): FormDefinition {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = parseYaml(input, { uniqueKeys: true });
    } catch (err) {
      const message = `not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`;
      throw new AppError('invalid_input', `body: ${message}`, [{ path: 'body', message }]);
    }
  }
  const parsed = FormDefinition.safeParse(raw);
  if (parsed.success) return parsed.data;
  const details: ErrorDetail[] = parsed.error.issues.map((i) => ({
    path: issuePath('body', i.path),
    message: i.message,
    code: i.code,
  }));
  throw new AppError(
    'invalid_input',
    `form is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

/** A stored form row as the API shows it. */
export function formView(row: FormRow): FormView {
  // Stored definitions were validated when written; parsing again keeps the type honest.
  return {
    id: row.id,
    definition: FormDefinition.parse(row.definition),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function noForm(id: string): AppError {
  return new AppError('not_found', `form ${id} not found`, [
    { path: 'id', message: 'no such form', hint: 'PUT /api/forms/<id> creates it' },
  ]);
}

/**
 * Creates or replaces a form. Links already sent keep working: answers are keyed by question id,
 * so questions kept keep their answers and removed ones are no longer asked.
 */
export async function putForm(
  deps: AppDeps,
  workspaceId: string,
  id: string,
  input: unknown,
): Promise<{ form: FormView; created: boolean }> {
  const definition = parseFormDefinition(input);
  if (definition.id !== id)
    throw new AppError(
      'invalid_input',
      `body.id: the form's id "${definition.id}" does not match the URL's "${id}"`,
      [
        {
          path: 'body.id',
          message: `expected "${id}"`,
          hint: 'PUT the form to /api/forms/<its id>',
        },
      ],
    );
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const existing = await tx.forms.get(workspaceId, id);
    const row: FormRow = {
      workspaceId,
      id,
      definition,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await tx.forms.upsert(row);
    return { form: formView(row), created: existing === null };
  });
}

/** A form by id; throws `not_found`. */
export async function getForm(deps: AppDeps, workspaceId: string, id: string): Promise<FormView> {
  const row = await deps.store.forms.get(workspaceId, id);
  if (!row) throw noForm(id);
  return formView(row);
}

/** The workspace's forms, in id order. */
export async function listForms(deps: AppDeps, workspaceId: string): Promise<FormView[]> {
  return (await deps.store.forms.list(workspaceId)).map(formView);
}

/** Removes a form (its links then show the not-valid page; submissions are kept). */
export async function deleteForm(deps: AppDeps, workspaceId: string, id: string): Promise<void> {
  if (!(await deps.store.forms.remove(workspaceId, id))) throw noForm(id);
}

/** A form's submissions (provisional and submitted), oldest first, a page at a time. */
export async function listSubmissions(
  deps: AppDeps,
  workspaceId: string,
  formId: string,
  opts: { limit: number; cursor?: string | undefined },
): Promise<Page<FormSubmissionRow>> {
  return deps.store.formSubmissions.list(workspaceId, formId, opts);
}
