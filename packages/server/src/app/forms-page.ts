/**
 * The hosted page of form links (`{{ 'feedback' | form_url }}`, signed by links/form.ts): what it
 * does with a link: show the form (prefilled from a one-click answer, which is recorded as
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
import { EVENT_PARTITIONS, newId, partitionOf } from '../ids.ts';
import { readFormToken, type FormToken, type OneClickAnswer } from '../links/index.ts';
import type { FormSubmissionRow } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';
import { pageValues, readAnswer, readAnswers, scoreOf, type Answer } from './forms-answers.ts';
import { formView, type FormDefinition, type FormQuestion } from './forms.ts';
import { classifyClick, type Hit, type Verdict } from './tracking.ts';

/** Name of the event a submission becomes. */
export const FORM_SUBMITTED_EVENT = 'form_submitted';

/** Name of the event of answers added after a one-click submission (once per link). */
export const FORM_UPDATED_EVENT = 'form_updated';

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

/** The submission key of a link: its message, else its run, else the profile. */
function submissionKey(t: FormToken): string {
  return t.m ? `m:${t.m}` : t.r ? `r:${t.r}` : 'p';
}

async function openLink(deps: AppDeps, token: string): Promise<OpenLink | null> {
  const t = readFormToken(deps.secrets, token);
  if (!t) return null;
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
  return { token: t, profileId: profile.id, form: formView(row).definition, key: submissionKey(t) };
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
