/**
 * The answers to a form: reading what a page (or a one-click link) sent for each question — a
 * choice, the choices, a score, or text — and refusing what is missing, out of range or not an
 * option, with a message for the field.
 */
import type { FormDefinition, FormQuestion } from './forms.ts';

/** Longest text answer kept. */
export const MAX_TEXT_ANSWER = 5_000;

/** An answer as stored: a choice, the choices, a score, or text. */
export type Answer = string | string[] | number;

/** Answers read from a page (or a one-click link) and the problems, by question id. */
export interface ReadAnswers {
  answers: Record<string, Answer>;
  errors: Record<string, string>;
}

/** Reads one question's raw values; returns the answer, an error, or nothing (unanswered). */
export function readAnswer(
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
export function scoreOf(form: FormDefinition, answers: Record<string, Answer>): number | undefined {
  const scored = form.questions.filter((q) => q.type === 'rating' || q.type === 'nps');
  const only = scored.length === 1 ? answers[scored[0]!.id] : undefined;
  return typeof only === 'number' ? only : undefined;
}

/** Stored answers as the page's values (questions the form no longer has are left out). */
export function pageValues(
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
