/**
 * Forms over HTTP: the admin API (`/api/forms`, admin token) that keeps definitions and lists
 * submissions, and the public hosted page `/f/:token` of every form link — server-rendered HTML
 * (@waymark/web) that works without JavaScript on a phone. `GET` shows the form; a one-click
 * answer in `?q=&a=` submits the link at once when it answers the form's only (required) question
 * and the request looks like a person, else it is recorded as provisional (`HEAD` requests and
 * scanners never submit); `POST` (urlencoded) submits it: 422 with errors beside the fields, or
 * the thank-you page. A forged token, or a form that no longer exists, gets a 404 page and
 * records nothing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formNotFoundPage, formPage, formThanksPage } from '@waymark/web';
import { z } from 'zod';
import { openForm, submitForm, type FormPageResult } from '../app/forms-page.ts';
import {
  deleteForm,
  FormDefinition,
  getForm,
  listForms,
  listSubmissions,
  putForm,
  QUESTION_TYPES,
} from '../app/forms.ts';
import type { Hit } from '../app/tracking.ts';
import { TEXT_TYPES } from './body.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { named, OkSchema, page } from './schemas.ts';

const Millis = z.number().int().describe('epoch milliseconds');
const ById = z.object({ id: z.string().min(1) });

const FormSchema = named(
  z.object({ id: z.string(), definition: FormDefinition, createdAt: Millis, updatedAt: Millis }),
  'Form',
);

const SubmissionSchema = named(
  z.object({
    workspaceId: z.string(),
    profileId: z.string(),
    formId: z.string(),
    key: z.string().describe('m:<message id>, r:<run id> or p: the link the answers came through'),
    id: z.string(),
    status: z
      .enum(['provisional', 'submitted'])
      .describe('provisional: a one-click answer not confirmed on the page'),
    answers: z.record(z.string(), z.unknown()).describe('by question id'),
    messageId: z.string().nullable(),
    runId: z.string().nullable(),
    createdAt: Millis,
    updatedAt: Millis,
    submittedAt: Millis.nullable(),
  }),
  'FormSubmission',
);

/** A form definition as a JSON object, or as YAML/JSON text. */
const FormInput = z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
  error: 'expected a form definition: a JSON object, or YAML/JSON text',
});

/** What the page's form posts: one field per question id (repeated for multiple choice). */
const PageForm = z
  .record(z.string(), z.union([z.string(), z.array(z.string())]))
  .describe(
    `one field per question id: ${QUESTION_TYPES.join(', ')}; multiple_choice repeats the field`,
  );

const Token = z.object({ token: z.string().min(1) });

/** Answers a page with its status (the route table answers its success status otherwise). */
function sendPage(reply: FastifyReply, status: number, html: string): string {
  reply.hijack();
  reply.raw.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  reply.raw.end(reply.request.method === 'HEAD' ? undefined : html);
  return html;
}

/** What the machine-click heuristics look at. */
function hitOf(request: FastifyRequest): Hit {
  return { method: request.method, userAgent: request.headers['user-agent'] ?? '', ip: request.ip };
}

function render(reply: FastifyReply, result: FormPageResult): string {
  switch (result.kind) {
    case 'not_found':
      return sendPage(reply, 404, formNotFoundPage());
    case 'thanks':
      return sendPage(
        reply,
        200,
        formThanksPage({
          title: result.form.title,
          thanks: result.form.thanks,
          already: result.already,
        }),
      );
    case 'form':
      return sendPage(
        reply,
        result.status,
        formPage({
          title: result.form.title,
          intro: result.form.intro,
          questions: result.form.questions,
          submitLabel: result.form.submitLabel,
          values: result.values,
          errors: result.errors,
          notice: result.notice,
        }),
      );
  }
}

/** The fields of an urlencoded body (read as bytes by the form parser), repeated ones kept. */
function bodyFields(body: unknown): URLSearchParams {
  if (Buffer.isBuffer(body)) return new URLSearchParams(body.toString('utf8'));
  if (typeof body === 'string') return new URLSearchParams(body);
  const out = new URLSearchParams();
  if (body !== null && typeof body === 'object')
    for (const [k, v] of Object.entries(body))
      for (const one of [v].flat()) if (typeof one === 'string') out.append(k, one);
  return out;
}

/** Form routes: the admin API and the hosted page. */
export const formRoutes: AnyRoute[] = [
  defineRoute({
    id: 'putForm',
    method: 'PUT',
    url: '/api/forms/:id',
    auth: 'admin',
    role: 'editor',
    tag: 'forms',
    summary: 'Create or replace a form (JSON, or YAML text)',
    description:
      'Answers are keyed by question id: links already sent keep working after an edit. ' +
      'Errors name the field (`body.questions.1.options`).',
    params: ById,
    body: FormInput,
    bodyDoc: {
      'application/json': FormDefinition,
      ...Object.fromEntries(
        TEXT_TYPES.map((type) => [type, z.string().describe('the form as YAML or JSON')]),
      ),
    },
    response: z.object({ form: FormSchema, created: z.boolean() }),
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, params, body }) {
      return putForm(deps, workspaceId, params.id, body);
    },
  }),
  defineRoute({
    id: 'listForms',
    method: 'GET',
    url: '/api/forms',
    auth: 'admin',
    role: 'viewer',
    tag: 'forms',
    summary: 'List forms',
    response: z.object({ items: z.array(FormSchema) }),
    async handler({ deps, workspaceId }) {
      return { items: await listForms(deps, workspaceId) };
    },
  }),
  defineRoute({
    id: 'getForm',
    method: 'GET',
    url: '/api/forms/:id',
    auth: 'admin',
    role: 'viewer',
    tag: 'forms',
    summary: 'A form',
    params: ById,
    response: z.object({ form: FormSchema }),
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      return { form: await getForm(deps, workspaceId, params.id) };
    },
  }),
  defineRoute({
    id: 'deleteForm',
    method: 'DELETE',
    url: '/api/forms/:id',
    auth: 'admin',
    role: 'editor',
    tag: 'forms',
    summary: 'Delete a form: its links then show a not-valid page; submissions are kept',
    params: ById,
    response: OkSchema,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      await deleteForm(deps, workspaceId, params.id);
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'listFormSubmissions',
    method: 'GET',
    url: '/api/forms/:id/submissions',
    auth: 'admin',
    role: 'viewer',
    tag: 'forms',
    summary: "A form's submissions (provisional and submitted), oldest first",
    params: ById,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().min(1).optional(),
    }),
    response: page(SubmissionSchema),
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, params, query }) {
      return listSubmissions(deps, workspaceId, params.id, query);
    },
  }),
  defineRoute({
    id: 'formPage',
    method: 'GET',
    url: '/f/:token',
    auth: 'none',
    tag: 'forms',
    summary: 'The hosted page of a form link (HTML)',
    description:
      'With `q` and `a` (a one-click answer from a message): the answer is checked (422 when it ' +
      "is out of range). When it answers the form's only question, or its only required one, and " +
      'the request looks like a person (not HEAD, not a scanner user agent, not within 10 s of ' +
      'the send), the link is submitted at once (`form_submitted`, `oneClick: true`) and the page ' +
      'offers the other questions; otherwise the answer is recorded as provisional and shown ' +
      'selected. A submitted link shows the thank-you page; a forged one a 404 page.',
    params: Token,
    query: z.object({
      q: z.string().min(1).optional().describe('question id of a one-click answer'),
      a: z.string().optional().describe('the one-click answer'),
    }),
    response: z.string(),
    produces: 'text/html; charset=utf-8',
    errors: ['not_found'],
    async handler({ deps, params, query, request, reply }) {
      const oneClick =
        query.q !== undefined ? { question: query.q, value: query.a ?? '' } : undefined;
      return render(reply, await openForm(deps, params.token, { oneClick, hit: hitOf(request) }));
    },
  }),
  defineRoute({
    id: 'submitForm',
    method: 'POST',
    url: '/f/:token',
    auth: 'none',
    tag: 'forms',
    summary: 'Submit a form from its hosted page (urlencoded)',
    description:
      'Recorded once per link: a submission row and a `form_submitted` event of the profile ' +
      '(`form`, `answers`, `score` for a single rating/NPS question, `message`, `run`). 422 ' +
      're-renders the page with the errors beside the fields and records nothing; a link already ' +
      'submitted records nothing and gets the thank-you page (except, once, answers to the ' +
      'questions a one-click submission left out: a `form_updated` event); a forged one a 404 page.',
    params: Token,
    bodyDoc: {
      'application/x-www-form-urlencoded': PageForm,
      'multipart/form-data': PageForm,
    },
    response: z.string(),
    produces: 'text/html; charset=utf-8',
    errors: ['not_found'],
    async handler({ deps, params, request, reply }) {
      const fields = bodyFields(request.body);
      return render(reply, await submitForm(deps, params.token, (name) => fields.getAll(name)));
    },
  }),
];
