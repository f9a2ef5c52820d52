/**
 * The hosted form pages (`/f/{token}`): the form itself, its thank-you page and the page of a link
 * that is not valid. Plain HTML that works without JavaScript and on a phone: every control has a
 * label, choice groups are fieldsets with a legend, ratings are radio buttons large enough to tap,
 * focus is always visible, and an error is written next to its field and tied to it with
 * `aria-describedby`.
 */
import { escapeHtml } from './html.ts';

/** Kinds of question a form page shows. */
export type FormQuestionType = 'choice' | 'multiple_choice' | 'rating' | 'nps' | 'text';

/** One question as the page shows it. */
export interface FormPageQuestion {
  id: string;
  type: FormQuestionType;
  label: string;
  /** The choices of `choice` and `multiple_choice` questions. */
  options?: ReadonlyArray<{ value: string; label: string }> | undefined;
  required: boolean;
}

/** What the form page shows. */
export interface FormPageData {
  title: string;
  intro?: string | undefined;
  questions: readonly FormPageQuestion[];
  /** The button's text; default `Send`. */
  submitLabel?: string | undefined;
  /** Values to show selected or filled in, by question id (a one-click answer, a re-shown POST). */
  values: Readonly<Record<string, string | readonly string[]>>;
  /** Error messages by question id, shown next to their fields. */
  errors: Readonly<Record<string, string>>;
  /** A line above the form (e.g. that a one-click answer was noted and awaits confirmation). */
  notice?: string | undefined;
}

/** What the thank-you page shows. */
export interface FormThanksData {
  title: string;
  /** The form's own thank-you text; default a short thanks. */
  thanks?: string | undefined;
  /** True when the answers had been received before (a second submission records nothing). */
  already: boolean;
}

const RATING_SCALES: Record<
  'rating' | 'nps',
  { from: number; to: number; low: string; high: string }
> = {
  rating: { from: 1, to: 5, low: '1 = very poor', high: '5 = excellent' },
  nps: { from: 0, to: 10, low: '0 = not at all likely', high: '10 = extremely likely' },
};

function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 18px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 1.5rem auto; padding: 0 1rem; color: #1d2330; }
  fieldset { border: 0; padding: 0; margin: 1.5rem 0; }
  legend, .question > label { font-weight: 600; padding: 0; margin-bottom: .4rem; display: block; }
  .option { display: flex; align-items: center; min-height: 48px; gap: .6rem; padding: 0 .3rem; }
  .option input { width: 1.4rem; height: 1.4rem; margin: 0; flex: none; }
  .scale { display: flex; flex-wrap: wrap; gap: .4rem; }
  .scale label { position: relative; }
  .scale input { position: absolute; opacity: 0; width: 100%; height: 100%; margin: 0; }
  .scale span { display: flex; align-items: center; justify-content: center; min-width: 48px; min-height: 48px; border: 2px solid #8a94a6; border-radius: 8px; }
  .scale input:checked + span { background: #2557d6; border-color: #2557d6; color: #fff; }
  .scale input:focus-visible + span { outline: 3px solid #f5a623; outline-offset: 2px; }
  .hint { color: #4a5568; font-size: .9em; margin: .3rem 0 0; }
  textarea { font: inherit; width: 100%; box-sizing: border-box; min-height: 6rem; padding: .5rem; border: 2px solid #8a94a6; border-radius: 6px; }
  .req { font-weight: 400; color: #4a5568; }
  .error { color: #b42318; font-weight: 600; margin: .3rem 0 0; }
  .invalid textarea, .invalid .scale span { border-color: #b42318; }
  .notice { background: #eef4ff; border-left: 4px solid #2557d6; padding: .6rem .8rem; }
  .errors { background: #fef3f2; border-left: 4px solid #b42318; padding: .6rem .8rem; }
  button { font: inherit; min-height: 48px; padding: .7rem 1.6rem; border: 0; border-radius: 6px; background: #2557d6; color: #fff; }
  button:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function valuesOf(v: string | readonly string[] | undefined): readonly string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

const required = (q: FormPageQuestion): string =>
  q.required ? ' <span class="req">(required)</span>' : '';

/** The id of a question's first control: where the error summary's link leads. */
function firstControl(q: FormPageQuestion): string {
  switch (q.type) {
    case 'text':
      return `q-${q.id}`;
    case 'rating':
      return `q-${q.id}-1`;
    default:
      return `q-${q.id}-0`;
  }
}

function errorLine(q: FormPageQuestion, error: string | undefined): string {
  return error ? `<p class="error" id="q-${escapeHtml(q.id)}-error">${escapeHtml(error)}</p>` : '';
}

/** `aria-describedby` and `aria-invalid` of a field with an error. */
function describedBy(q: FormPageQuestion, error: string | undefined, hint?: string): string {
  const ids = [hint, error ? `q-${q.id}-error` : undefined].filter(Boolean).join(' ');
  return (
    (ids ? ` aria-describedby="${escapeHtml(ids)}"` : '') + (error ? ' aria-invalid="true"' : '')
  );
}

function question(q: FormPageQuestion, data: FormPageData): string {
  const error = data.errors[q.id];
  const chosen = new Set(valuesOf(data.values[q.id]));
  const id = escapeHtml(q.id);
  const name = escapeHtml(q.id);
  const label = `${escapeHtml(q.label)}${required(q)}`;
  const cls = `question${error ? ' invalid' : ''}`;
  const req = q.required ? ' required' : '';
  switch (q.type) {
    case 'text':
      return `<div class="${cls}">
<label for="q-${id}">${label}</label>
<textarea id="q-${id}" name="${name}" rows="4"${req}${describedBy(q, error)}>${escapeHtml(
        [...chosen][0] ?? '',
      )}</textarea>
${errorLine(q, error)}</div>`;
    case 'choice':
    case 'multiple_choice': {
      const type = q.type === 'choice' ? 'radio' : 'checkbox';
      const options = (q.options ?? [])
        .map(
          (o, i) =>
            `<label class="option" for="q-${id}-${i}"><input type="${type}" id="q-${id}-${i}" name="${name}" value="${escapeHtml(o.value)}"${chosen.has(o.value) ? ' checked' : ''}${type === 'radio' ? req : ''}> ${escapeHtml(o.label)}</label>`,
        )
        .join('\n');
      return `<fieldset class="${cls}"${describedBy(q, error)}>
<legend>${label}</legend>
${q.type === 'multiple_choice' ? '<p class="hint">Choose all that apply.</p>\n' : ''}${options}
${errorLine(q, error)}</fieldset>`;
    }
    case 'rating':
    case 'nps': {
      const scale = RATING_SCALES[q.type];
      const hint = `q-${q.id}-hint`;
      const buttons: string[] = [];
      for (let n = scale.from; n <= scale.to; n += 1) {
        const v = String(n);
        buttons.push(
          `<label for="q-${id}-${v}"><input type="radio" id="q-${id}-${v}" name="${name}" value="${v}"${chosen.has(v) ? ' checked' : ''}${req}><span>${v}</span></label>`,
        );
      }
      return `<fieldset class="${cls}"${describedBy(q, error, hint)}>
<legend>${label}</legend>
<div class="scale">
${buttons.join('\n')}
</div>
<p class="hint" id="${escapeHtml(hint)}">${scale.low}, ${scale.high}</p>
${errorLine(q, error)}</fieldset>`;
    }
  }
}

/** Renders the form page as a complete HTML document (a form that POSTs to the same address). */
export function formPage(data: FormPageData): string {
  const errorCount = Object.keys(data.errors).length;
  const summary = errorCount
    ? `<div class="errors" role="alert"><p>${errorCount === 1 ? 'One answer needs' : `${errorCount} answers need`} your attention:</p><ul>${data.questions
        .filter((q) => data.errors[q.id])
        .map(
          (q) =>
            `<li><a href="#${escapeHtml(firstControl(q))}">${escapeHtml(q.label)}</a>: ${escapeHtml(data.errors[q.id] ?? '')}</li>`,
        )
        .join('')}</ul></div>\n`
    : '';
  const notice = data.notice
    ? `<p class="notice" role="status">${escapeHtml(data.notice)}</p>\n`
    : '';
  const intro = data.intro ? `<p>${escapeHtml(data.intro)}</p>\n` : '';
  return shell(
    `${errorCount ? 'Error: ' : ''}${data.title}`,
    `<h1>${escapeHtml(data.title)}</h1>
${intro}${notice}${summary}<form method="post" novalidate>
${data.questions.map((q) => question(q, data)).join('\n')}
<button type="submit">${escapeHtml(data.submitLabel ?? 'Send')}</button>
</form>`,
  );
}

/** Renders the thank-you page shown after a submission (and to a second one). */
export function formThanksPage(data: FormThanksData): string {
  const text = data.thanks ?? 'Thank you for your answers.';
  const already = data.already
    ? '<p>We had already received your answers from this link; nothing was changed.</p>'
    : '';
  return shell(
    data.title,
    `<h1>${escapeHtml(data.title)}</h1>
<p role="status">${escapeHtml(text)}</p>
${already}`,
  );
}

/** Renders the page of a form link that is forged, incomplete, or whose form no longer exists. */
export function formNotFoundPage(): string {
  return shell(
    'Link not valid',
    '<h1>This link is not valid</h1><p>It may be incomplete, or the form is no longer available: open it again from the message you received.</p>',
  );
}
