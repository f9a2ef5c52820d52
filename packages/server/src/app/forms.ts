/**
 * Forms and surveys: definitions kept per workspace (`PUT /api/forms/:id`, JSON or YAML), the
 * signed per-recipient links messages carry (`{{ 'feedback' | form_url }}`), and what the hosted
 * page does with them: show the form (prefilled from a one-click answer, which is recorded as
 * provisional), validate a submission, and record it once — a submission row and a
 * `form_submitted` event of the profile in one transaction, which the worker then applies to
 * triggers and waiting runs like any event.
 *
 * One-click submission: when the link answers the form's only question, or its only required
 * one, a person's click (not a link scanner's: `classifyClick` of app/tracking.ts) submits at once
 * and the page then offers the other, optional questions; answering them later writes one
 * `form_updated` event with those answers (the submission row keeps what was submitted).
 *
 * A link's token says who answers which form through which message and run; a second submission
 * through the same link records nothing and is shown the thank-you page.
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { AppError, type ErrorDetail } from '../errors.ts';
import { EVENT_PARTITIONS, newId, partitionOf } from '../ids.ts';
import type { Secrets } from '../secrets.ts';
import type { FormRow, FormSubmissionRow, Page } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';
import { classifyClick, type Hit, type Verdict } from './tracking.ts';

export type { FormSubmissionRow } from '../storage/store.ts';

/** Purpose of form link tokens (`Secrets.sign('form', payload)`). */
export const FORM_TOKEN_PURPOSE = 'form';

/** Name of the event a submission becomes. */
export const FORM_SUBMITTED_EVENT = 'form_submitted';

/** Name of the event of answers added after a one-click submission (once per link). */
export const FORM_UPDATED_EVENT = 'form_updated';

/** Kinds of question. */
export const QUESTION_TYPES = ['choice', 'multiple_choice', 'rating', 'nps', 'text'] as const;

/** Longest text answer kept. */
export const MAX_TEXT_ANSWER = 5_000;

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

/** What a form link's token carries (short keys: the token is in every message). */
export interface FormToken {
  /** Workspace. */
  w: string;
  /** Profile. */
  p: string;
  /** Form id. */
  f: string;
  /** The message the link was in. */
  m?: string | undefined;
  /** The run that sent it. */
  r?: string | undefined;
}

/** Who a form link is for. */
export interface FormLinkTarget {
  workspaceId: string;
  profileId: string;
  formId: string;
  messageId?: string | undefined;
  runId?: string | undefined;
}

/** A one-click answer carried by a link (`?q=score&a=4`). */
export interface OneClickAnswer {
  question: string;
  value: string;
}

/**
 * The signed link of a form for one recipient: `{publicUrl}/f/{token}`, with `?q=…&a=…` for a
 * one-click answer.
 */
export function formUrl(
  publicUrl: string,
  secrets: Secrets,
  target: FormLinkTarget,
  answer?: OneClickAnswer,
): string {
  const payload: FormToken = { w: target.workspaceId, p: target.profileId, f: target.formId };
  if (target.messageId) payload.m = target.messageId;
  if (target.runId) payload.r = target.runId;
  const base = `${publicUrl.replace(/\/+$/, '')}/f/${secrets.sign(FORM_TOKEN_PURPOSE, payload)}`;
  if (!answer) return base;
  const query = new URLSearchParams({ q: answer.question, a: answer.value });
  return `${base}?${query.toString()}`;
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

function view(row: FormRow): FormView {
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
    return { form: view(row), created: existing === null };
  });
}

/** A form by id; throws `not_found`. */
export async function getForm(deps: AppDeps, workspaceId: string, id: string): Promise<FormView> {
  const row = await deps.store.forms.get(workspaceId, id);
  if (!row) throw noForm(id);
  return view(row);
}

/** The workspace's forms, in id order. */
export async function listForms(deps: AppDeps, workspaceId: string): Promise<FormView[]> {
  return (await deps.store.forms.list(workspaceId)).map(view);
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

// ---------------------------------------------------------------------------------------------
// Answers

/** An answer as stored: a choice, the choices, a score, or text. */
export type Answer = string | string[] | number;

/** Answers read from a page (or a one-click link) and the problems, by question id. */
export interface ReadAnswers {
  answers: Record<string, Answer>;
  errors: Record<string, string>;
}

/** Reads one question's raw values; returns the answer, an error, or nothing (unanswered). */
function readAnswer(
  q: FormQuestion,
  raw: readonly string[],
): { answer: Answer } | { error: string } | null {
  const values = raw.map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) return null;
  switch (q.type) {
    case 'text': {
      const text = raw.join('\n').trim();
      return text.length > MAX_TEXT_ANSWER
        ? { error: `Keep it under ${MAX_TEXT_ANSWER} characters.` }
        : { answer: text };
    }
    case 'choice': {
      const allowed = new Set(q.options?.map((o) => o.value));
      if (values.length > 1) return { error: 'Choose only one of the options.' };
      return allowed.has(values[0]!)
        ? { answer: values[0]! }
        : { error: 'Choose one of the options.' };
    }
    case 'multiple_choice': {
      const allowed = new Set(q.options?.map((o) => o.value));
      if (values.some((v) => !allowed.has(v))) return { error: 'Choose among the options.' };
      // In the form's order, once each.
      return { answer: (q.options ?? []).map((o) => o.value).filter((v) => values.includes(v)) };
    }
    case 'rating':
    case 'nps': {
      const [from, to] = q.type === 'rating' ? [1, 5] : [0, 10];
      const n = values.length === 1 && /^\d{1,2}$/.test(values[0]!) ? Number(values[0]) : NaN;
      return Number.isInteger(n) && n >= from && n <= to
        ? { answer: n }
        : { error: `Choose a number from ${from} to ${to}.` };
    }
  }
}

/** Reads and checks the answers to a form: required questions, options, ranges. */
export function readAnswers(
  form: FormDefinition,
  values: (questionId: string) => readonly string[],
): ReadAnswers {
  const out: ReadAnswers = { answers: {}, errors: {} };
  for (const q of form.questions) {
    const read = readAnswer(q, values(q.id));
    if (read === null) {
      if (q.required)
        out.errors[q.id] =
          q.type === 'text' ? 'Please answer this question.' : 'Please choose an answer.';
    } else if ('error' in read) out.errors[q.id] = read.error;
    else out.answers[q.id] = read.answer;
  }
  return out;
}

/** The score of a form with exactly one rating or NPS question, when answered. */
function scoreOf(form: FormDefinition, answers: Record<string, Answer>): number | undefined {
  const scored = form.questions.filter((q) => q.type === 'rating' || q.type === 'nps');
  const only = scored.length === 1 ? answers[scored[0]!.id] : undefined;
  return typeof only === 'number' ? only : undefined;
}

/** Stored answers as the page's values (questions the form no longer has are left out). */
function pageValues(
  form: FormDefinition,
  answers: Record<string, unknown>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const q of form.questions) {
    const a = answers[q.id];
    if (Array.isArray(a)) out[q.id] = a.map(String);
    else if (typeof a === 'string' || typeof a === 'number') out[q.id] = String(a);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The hosted page

/** What the hosted page shows. */
export type FormPageResult =
  | { kind: 'not_found' }
  | { kind: 'thanks'; form: FormDefinition; already: boolean }
  | {
      kind: 'form';
      /** 200, or 422 when answers were refused. */
      status: 200 | 422;
      form: FormDefinition;
      values: Record<string, string | string[]>;
      errors: Record<string, string>;
      notice?: string | undefined;
    };

/** The link's token, form and (surviving) profile, or null when any is missing or forged. */
interface OpenLink {
  token: FormToken;
  profileId: string;
  form: FormDefinition;
  key: string;
}

const TokenPayload = z.object({
  w: z.string().min(1),
  p: z.string().min(1),
  f: z.string().min(1),
  m: z.string().min(1).optional(),
  r: z.string().min(1).optional(),
});

/** The submission key of a link: its message, else its run, else the profile. */
function submissionKey(t: FormToken): string {
  return t.m ? `m:${t.m}` : t.r ? `r:${t.r}` : 'p';
}

async function openLink(deps: AppDeps, token: string): Promise<OpenLink | null> {
  const parsed = TokenPayload.safeParse(deps.secrets.verify(FORM_TOKEN_PURPOSE, token));
  if (!parsed.success) return null;
  const t = parsed.data;
  const [row, owner] = await Promise.all([
    deps.store.forms.get(t.w, t.f),
    deps.store.profiles.get(t.w, t.p),
  ]);
  if (!row || !owner) return null;
  // A profile merged since the message was sent answers as the profile it was merged into.
  let profile = owner;
  for (let hops = 0; profile.mergedInto && hops < 8; hops += 1) {
    const next = await deps.store.profiles.get(t.w, profile.mergedInto);
    if (!next) break;
    profile = next;
  }
  return { token: t, profileId: profile.id, form: view(row).definition, key: submissionKey(t) };
}

const ONE_CLICK_NOTICE =
  'Your answer is noted. Press the button below to send it, with anything you want to add.';

const FOLLOW_UP_INTRO = 'Your answer is recorded. Anything to add? These questions are optional.';

/**
 * The question a one-click link may submit on its own: the form's only question, else its only
 * required one; undefined when the form has several required questions (or none among several).
 */
export function oneClickQuestion(form: FormDefinition): FormQuestion | undefined {
  if (form.questions.length === 1) return form.questions[0];
  const required = form.questions.filter((q) => q.required);
  return required.length === 1 ? required[0] : undefined;
}

/** Whether a one-click hit came from a machine: the email click heuristics (app/tracking.ts). */
async function clickVerdict(deps: AppDeps, link: OpenLink, hit: Hit): Promise<Verdict> {
  const message = link.token.m ? await deps.store.messages.get(link.token.w, link.token.m) : null;
  return classifyClick({
    hit,
    now: deps.clock.now(),
    sentAt: message?.sentAt ?? null,
    link: 0,
    recent: [],
  });
}

/**
 * Records a submission once: the row (a provisional one becomes it) and the `form_submitted` event
 * in one transaction. False when the link had already been submitted (nothing written).
 */
async function recordSubmission(
  deps: AppDeps,
  link: OpenLink,
  a: { answers: Record<string, Answer>; oneClick: boolean },
): Promise<boolean> {
  const { answers, oneClick } = a;
  const { token: t, form } = link;
  const now = deps.clock.now();
  const id = newId(now);
  const score = scoreOf(form, answers);
  const recorded = await deps.store.transaction(async (tx) => {
    const won = await tx.formSubmissions.submit({
      workspaceId: t.w,
      profileId: link.profileId,
      formId: t.f,
      key: link.key,
      id,
      status: 'submitted',
      answers,
      messageId: t.m ?? null,
      runId: t.r ?? null,
      createdAt: now,
      updatedAt: now,
      submittedAt: now,
    });
    if (!won) return false;
    const stored = await tx.formSubmissions.get(t.w, link.profileId, t.f, link.key);
    await tx.events.insert([
      {
        workspaceId: t.w,
        profileId: link.profileId,
        // Deterministic: even a submission that raced past the row check is one event.
        messageId: `form:${t.f}:${link.profileId}:${link.key}`,
        type: 'track',
        name: FORM_SUBMITTED_EVENT,
        properties: {
          form: t.f,
          answers,
          ...(score !== undefined ? { score } : {}),
          ...(t.m ? { message: t.m } : {}),
          ...(t.r ? { run: t.r } : {}),
          submission: stored?.id ?? id,
          ...(oneClick ? { oneClick: true } : {}),
        },
        context: { source: 'form' },
        timestamp: now,
        receivedAt: now,
        partition: partitionOf(link.profileId, EVENT_PARTITIONS),
      },
    ]);
    await tx.profiles.update(t.w, link.profileId, { lastSeenAt: now });
    return true;
  });
  if (recorded) deps.notify('events');
  return recorded;
}

/** The questions a submitted link may still answer: those of the form its answers left out. */
function unanswered(form: FormDefinition, answers: Record<string, unknown>): FormQuestion[] {
  return form.questions.filter((q) => answers[q.id] === undefined);
}

/**
 * What the page shows after a one-click submission: the thank-you text and the form's other
 * questions, all optional, when there are any; else the thank-you page.
 */
function followUp(
  form: FormDefinition,
  answers: Record<string, unknown>,
  shown: { errors: Record<string, string>; values: Record<string, string | string[]> } = {
    errors: {},
    values: {},
  },
): FormPageResult {
  const { errors, values } = shown;
  const rest = unanswered(form, answers).map((q) => ({ ...q, required: false }));
  if (rest.length === 0) return { kind: 'thanks', form, already: false };
  return {
    kind: 'form',
    status: Object.keys(errors).length ? 422 : 200,
    form: { ...form, intro: FOLLOW_UP_INTRO, questions: rest },
    values,
    errors,
    notice: form.thanks ?? 'Thank you for your answer.',
  };
}

/**
 * `GET /f/{token}`: the form, prefilled with what the link answered before. A submitted link
 * shows the thank-you page. With a one-click answer (`?q=score&a=4`) the answer is checked (422
 * when out of range), then:
 * - when it answers the form's only question, or its only required one (`oneClickQuestion`), and
 *   the hit looks like a person (`classifyClick`: not a HEAD, a scanner's user agent, or a click
 *   within seconds of the send), the link is submitted at once — the row and one
 *   `form_submitted` event (`oneClick: true`) — and the page offers the other questions;
 * - otherwise it is recorded as provisional (no event) and shown selected, to be sent with the
 *   page's button.
 */
export async function openForm(
  deps: AppDeps,
  token: string,
  opts: { oneClick?: OneClickAnswer | undefined; hit: Hit },
): Promise<FormPageResult> {
  const { oneClick, hit } = opts;
  const link = await openLink(deps, token);
  if (!link) return { kind: 'not_found' };
  const { token: t, form } = link;
  const existing = await deps.store.formSubmissions.get(t.w, link.profileId, t.f, link.key);
  if (existing?.status === 'submitted') return { kind: 'thanks', form, already: true };
  const values = pageValues(form, existing?.answers ?? {});
  if (!oneClick) return { kind: 'form', status: 200, form, values, errors: {} };

  const q = form.questions.find((x) => x.id === oneClick.question);
  const read = q ? readAnswer(q, [oneClick.value]) : null;
  if (!q || read === null || 'error' in read) {
    const errors: Record<string, string> = q
      ? { [q.id]: read && 'error' in read ? read.error : 'Please choose an answer.' }
      : {};
    const notice = q ? undefined : 'This link asked a question the form no longer has.';
    return { kind: 'form', status: q ? 422 : 200, form, values, errors, notice };
  }
  const answers = { ...(existing?.answers ?? {}), [q.id]: read.answer };

  if (oneClickQuestion(form)?.id === q.id && !(await clickVerdict(deps, link, hit)).machine) {
    // Earlier provisional answers stand only for questions the form still has.
    const kept = pageValues(form, answers);
    const final = readAnswers(form, (id) => [kept[id] ?? []].flat()).answers;
    if (!(await recordSubmission(deps, link, { answers: final, oneClick: true })))
      return { kind: 'thanks', form, already: true };
    return followUp(form, final);
  }

  const now = deps.clock.now();
  const stored = await deps.store.formSubmissions.saveProvisional({
    workspaceId: t.w,
    profileId: link.profileId,
    formId: t.f,
    key: link.key,
    id: newId(now),
    status: 'provisional',
    answers,
    messageId: t.m ?? null,
    runId: t.r ?? null,
    createdAt: now,
    updatedAt: now,
    submittedAt: null,
  });
  if (stored.status === 'submitted') return { kind: 'thanks', form, already: true };
  return {
    kind: 'form',
    status: 200,
    form,
    values: pageValues(form, stored.answers),
    errors: {},
    notice: ONE_CLICK_NOTICE,
  };
}

/**
 * Answers posted to a link already submitted, of a form a one-click link can submit: the
 * questions the submission left unanswered are read (422 with the errors, nothing recorded) and
 * written once per link as a `form_updated` event (`form`, `answers` — only the added ones —,
 * `submission`, `message`, `run`). Answers to questions already answered are ignored: a
 * submission never changes. Nothing to add, or added before: the thank-you page (`already`).
 */
async function addAnswers(
  deps: AppDeps,
  link: OpenLink,
  a: { submitted: FormSubmissionRow; fields: (name: string) => readonly string[] },
): Promise<FormPageResult> {
  const { submitted, fields } = a;
  const { token: t, form } = link;
  const added: Record<string, Answer> = {};
  const errors: Record<string, string> = {};
  const values: Record<string, string | string[]> = {};
  for (const q of unanswered(form, submitted.answers)) {
    const raw = fields(q.id);
    if (raw.length) values[q.id] = q.type === 'multiple_choice' ? [...raw] : raw.join('\n');
    const read = readAnswer(q, raw);
    if (read === null) continue;
    if ('error' in read) errors[q.id] = read.error;
    else added[q.id] = read.answer;
  }
  if (Object.keys(errors).length > 0) return followUp(form, submitted.answers, { errors, values });
  if (Object.keys(added).length === 0) return { kind: 'thanks', form, already: true };
  const now = deps.clock.now();
  const inserted = await deps.store.events.insert([
    {
      workspaceId: t.w,
      profileId: link.profileId,
      // Deterministic: one follow-up per link, however often the page is sent.
      messageId: `form-update:${t.f}:${link.profileId}:${link.key}`,
      type: 'track',
      name: FORM_UPDATED_EVENT,
      properties: {
        form: t.f,
        answers: added,
        ...(t.m ? { message: t.m } : {}),
        ...(t.r ? { run: t.r } : {}),
        submission: submitted.id,
      },
      context: { source: 'form' },
      timestamp: now,
      receivedAt: now,
      partition: partitionOf(link.profileId, EVENT_PARTITIONS),
    },
  ]);
  if (inserted.length === 0) return { kind: 'thanks', form, already: true };
  deps.notify('events');
  return { kind: 'thanks', form, already: false };
}

/**
 * `POST /f/{token}`: checks the answers (422 with the errors beside the fields, nothing recorded)
 * and records them once: the submission row and a `form_submitted` event of the profile in one
 * transaction. A link already submitted records nothing and gets the thank-you page — except the
 * follow-up of a form a one-click link can submit (`addAnswers`).
 */
export async function submitForm(
  deps: AppDeps,
  token: string,
  fields: (name: string) => readonly string[],
): Promise<FormPageResult> {
  const link = await openLink(deps, token);
  if (!link) return { kind: 'not_found' };
  const { token: t, form } = link;
  const existing = await deps.store.formSubmissions.get(t.w, link.profileId, t.f, link.key);
  if (existing?.status === 'submitted')
    return oneClickQuestion(form)
      ? addAnswers(deps, link, { submitted: existing, fields })
      : { kind: 'thanks', form, already: true };
  const { answers, errors } = readAnswers(form, fields);
  if (Object.keys(errors).length > 0) {
    const values: Record<string, string | string[]> = {};
    for (const q of form.questions) {
      const raw = fields(q.id);
      if (raw.length) values[q.id] = q.type === 'multiple_choice' ? [...raw] : raw.join('\n');
    }
    return { kind: 'form', status: 422, form, values, errors };
  }
  const recorded = await recordSubmission(deps, link, { answers, oneClick: false });
  return { kind: 'thanks', form, already: !recorded };
}
