/**
 * Renders message templates at enqueue time with LiquidJS against the run's scope (profile,
 * trigger event, run, message, unsubscribe link). Variables are strict: a missing one is an error
 * naming it, so a message is never sent half-rendered. The seed articles' `[[[customer_name]]]`
 * placeholders are accepted too.
 *
 * Email: `html` starting with `<mjml` is compiled by MJML once per distinct source (cached, with
 * the Liquid tags kept intact), then only Liquid runs per recipient; without a `body` the text
 * part is made from the rendered HTML. `date` and `money` filters format in the recipient's time
 * zone and locale.
 */
import {
  normaliseTemplateText,
  parseDateValue,
  type JourneyDefinition,
  type Template,
} from '@waymark/core';
import { compile as compileHtmlToText } from 'html-to-text';
import { Liquid, type Template as LiquidTemplate } from 'liquidjs';
import { DateTime } from 'luxon';
import { rewriteTextLinks, trackEmailHtml, type EmailTracking } from '../links/index.ts';

/** Variables a template can use, and who it is for. */
export interface RenderScope {
  profile: { id: string; traits: Record<string, unknown> };
  trigger: { name: string; properties: Record<string, unknown> } | null;
  run: { id: string; journeyId: string; variant?: string | undefined };
  /** The message being rendered (`{{ message.id }}`), when there is one. */
  message?: { id: string } | undefined;
  /** The signed one-click unsubscribe link (`{{ unsubscribe_url }}`), when known. */
  unsubscribeUrl?: string | undefined;
  /** Makes the recipient's signed form links (`{{ 'feedback' | form_url }}`), when known. */
  formUrl?: FormLinker | undefined;
  /**
   * Open pixel and click redirects for an email's HTML, or click redirects for the links of a
   * text whose template asks for them (links/rewrite.ts); absent: none.
   */
  tracking?: Pick<EmailTracking, 'publicUrl' | 'secrets' | 'workspaceId' | 'messageId'> | undefined;
  /** The recipient's IANA time zone (`date` filter). */
  timezone: string;
  /** The recipient's locale (BCP 47; `date` and `money`); default `en-US`. */
  locale?: string | undefined;
  /** Render time (epoch ms): what `'now'` means to the `date` filter. */
  now: number;
}

/**
 * Makes a recipient's link to a form, optionally answering one question (`?q=score&a=4`): what
 * the `form_url` filter calls.
 */
export type FormLinker = (formId: string, answer?: { question: string; value: string }) => string;

/** Rendered content of a message. */
export interface RenderedContent {
  subject?: string;
  /** The text (SMS body, email text part). */
  body: string;
  html?: string;
  /** Email sender and Reply-To chosen by the journey (template, then `policies.email`). */
  from?: string;
  replyTo?: string;
}

/** A template that cannot be rendered for this recipient: which field and why. */
export class RenderError extends Error {
  /** `subject`, `body`, `html`, or `template` when the template itself is missing. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'RenderError';
    this.field = field;
  }
}

const DEFAULT_LOCALE = 'en-US';
/** Key of the render-time globals that carry the recipient's zone and locale to filters. */
const RECIPIENT = '__waymark_recipient';
const CACHE_LIMIT = 2_000;

interface Recipient {
  timezone: string;
  locale: string;
  now: number;
  formUrl?: FormLinker | undefined;
}

function recipientOf(context: { globals: unknown }): Recipient {
  const globals = context.globals as Record<string, unknown> | undefined;
  const r = globals?.[RECIPIENT] as Recipient | undefined;
  return r ?? { timezone: 'UTC', locale: DEFAULT_LOCALE, now: Date.now() };
}

// `date` presets, formatted in the recipient's locale.
const DATE_PRESETS: Record<string, Intl.DateTimeFormatOptions> = {
  short: DateTime.DATE_SHORT,
  medium: DateTime.DATE_MED,
  long: DateTime.DATE_FULL,
  full: DateTime.DATE_HUGE,
  time: DateTime.TIME_SIMPLE,
  datetime_short: DateTime.DATETIME_SHORT,
  datetime: DateTime.DATETIME_MED,
  datetime_long: DateTime.DATETIME_FULL,
};

// strftime directives (LiquidJS/Shopify style) as Luxon tokens.
const STRFTIME: Record<string, string> = {
  a: 'ccc',
  A: 'cccc',
  b: 'LLL',
  B: 'LLLL',
  d: 'dd',
  e: 'd',
  H: 'HH',
  I: 'hh',
  j: 'ooo',
  m: 'MM',
  M: 'mm',
  p: 'a',
  S: 'ss',
  y: 'yy',
  Y: 'yyyy',
  z: 'ZZZ',
  Z: 'ZZZZ',
};

function strftime(dt: DateTime, format: string): string {
  return format.replace(/%([%a-zA-Z])/g, (whole, d: string) => {
    if (d === '%') return '%';
    const token = STRFTIME[d];
    return token === undefined ? whole : dt.toFormat(token);
  });
}

/**
 * `{{ value | date: format }}` in the recipient's zone and locale. `format`: a preset (`short`,
 * `medium` (default), `long`, `full`, `time`, `datetime_short`, `datetime`, `datetime_long`),
 * `iso`, a strftime string (`%d %B %Y`), or Luxon tokens (`cccc d LLLL`). Values: ISO text, a
 * date (`2026-03-05`, midnight local), epoch milliseconds, a Date, or `now`.
 */
function dateFilter(this: { context: { globals: unknown } }, value: unknown, format?: unknown) {
  const r = recipientOf(this.context);
  let ms: number | null;
  if (value instanceof Date) ms = value.getTime();
  else if (value === 'now' || value === 'today') ms = r.now;
  else ms = parseDateValue(value, r.timezone);
  if (ms === null || !Number.isFinite(ms))
    throw new Error(`date: cannot read ${JSON.stringify(value)} as a date`);
  const dt = DateTime.fromMillis(ms, { zone: r.timezone, locale: r.locale });
  const f = format === undefined || format === null ? 'medium' : String(format);
  if (f === 'iso') return dt.toISO() ?? '';
  const preset = DATE_PRESETS[f];
  if (preset) return dt.toLocaleString(preset);
  return f.includes('%') ? strftime(dt, f) : dt.toFormat(f);
}

/** `{{ amount | money: 'EUR' }}`: a currency amount in the recipient's locale (Intl). */
function moneyFilter(this: { context: { globals: unknown } }, value: unknown, currency?: unknown) {
  const r = recipientOf(this.context);
  const amount = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof amount !== 'number' || !Number.isFinite(amount))
    throw new Error(`money: ${JSON.stringify(value)} is not an amount`);
  if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))
    throw new Error(`money: give a currency code, e.g. money: 'EUR' (got ${String(currency)})`);
  return new Intl.NumberFormat(r.locale, {
    style: 'currency',
    currency: currency.toUpperCase(),
  }).format(amount);
}

/**
 * `{{ 'feedback' | form_url }}`: the recipient's signed link to the form `feedback`;
 * `{{ 'survey' | form_url: 'score', 4 }}` also answers question `score` with 4 (one-click).
 */
function formUrlFilter(
  this: { context: { globals: unknown } },
  form: unknown,
  question?: unknown,
  answer?: unknown,
) {
  const make = recipientOf(this.context).formUrl;
  if (typeof form !== 'string' || form === '')
    throw new Error(`form_url: give a form id, e.g. {{ 'feedback' | form_url }}`);
  if (!make) throw new Error('form_url: form links are not available here');
  if (question === undefined || question === null) return make(form);
  const value = typeof answer === 'number' || typeof answer === 'string' ? String(answer) : '';
  if (typeof question !== 'string' || question === '' || value === '')
    throw new Error(
      `form_url: a one-click link names a question and an answer, e.g. form_url: 'score', 4`,
    );
  return make(form, { question, value });
}

function makeLiquid(escapeHtml: boolean): Liquid {
  const l = new Liquid({
    strictFilters: true,
    strictVariables: true,
    // `{% if profile.traits.vip %}` and `| default:` may test a variable that is absent.
    lenientIf: true,
    ...(escapeHtml ? { outputEscape: 'escape' as const } : {}),
  });
  l.registerFilter('date', dateFilter);
  l.registerFilter('money', moneyFilter);
  l.registerFilter('form_url', formUrlFilter);
  return l;
}

// Text (subject, body, SMS) is not escaped; HTML output is (use `| raw` for trusted markup).
const textLiquid = makeLiquid(false);
const htmlLiquid = makeLiquid(true);

/** A small insertion-ordered cache: the oldest entry goes first when it is full. */
function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

const parsedText = new Map<string, LiquidTemplate[]>();
const parsedHtml = new Map<string, LiquidTemplate[]>();

function parsed(html: boolean, source: string): LiquidTemplate[] {
  const cache = html ? parsedHtml : parsedText;
  const hit = cache.get(source);
  if (hit) return hit;
  return remember(cache, source, (html ? htmlLiquid : textLiquid).parse(source));
}

// MJML must not see Liquid: it rewrites some of it (`'%d'` in a filter argument became `'NaN'`).
// Each tag is swapped for a placeholder of letters and digits, and put back after compiling.
const LIQUID_TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const compiledMjml = new Map<string, Promise<string>>();
/** Markup or styles that keep white space as written (then MJML's output is left as it is). */
const KEEPS_WHITESPACE = /<(?:pre|textarea)\b|white-space\s*:\s*(?:pre|break-spaces)/i;

async function compileMjml(source: string): Promise<string> {
  const tags: string[] = [];
  const nonce = Math.random().toString(36).slice(2, 8);
  const shielded = source.replace(LIQUID_TAG, (tag) => `wmlq${nonce}x${tags.push(tag) - 1}x`);
  // Loaded on first use: MJML and its dependencies weigh ~50 MB of memory, needless until then.
  const { default: mjml2html } = await import('mjml');
  const result = await mjml2html(shielded, { validationLevel: 'soft', keepComments: false });
  if (result.errors.length > 0)
    throw new Error(`MJML: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  // MJML indents its output for people to read; a quarter of the bytes every recipient's email
  // carries (and that are encoded, sent and stored). Leading white space on a line collapses into
  // the line break anyway, except where white space is kept as written.
  const html = KEEPS_WHITESPACE.test(result.html)
    ? result.html
    : result.html.replace(/\n[ \t]+/g, '\n');
  return html.replace(
    new RegExp(`wmlq${nonce}x(\\d+)x`, 'g'),
    (_m, i: string) => tags[Number(i)] ?? '',
  );
}

/** True when template HTML is MJML source (`<mjml>…`). */
export function isMjml(html: string): boolean {
  return html.trimStart().startsWith('<mjml');
}

/** The HTML with Liquid of a template: MJML compiled once per distinct source, else as written. */
export async function templateHtml(html: string): Promise<string> {
  const source = normaliseTemplateText(html);
  if (!isMjml(source)) return source;
  let pending = compiledMjml.get(source);
  if (!pending) {
    pending = remember(compiledMjml, source, compileMjml(source));
    // A failed compile is not cached: the next render reports it afresh.
    pending.catch(() => compiledMjml.delete(source));
  }
  return pending;
}

const htmlToText = compileHtmlToText({
  wordwrap: 100,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'block' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
  ],
});

/** The plain-text part of an email made from its final HTML (links kept as `text [url]`). */
export function textFromHtml(html: string): string {
  return htmlToText(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The plain-text part as a Liquid template, made ONCE per HTML template (html-to-text costs more
 * than the rest of rendering an email): the Liquid tags are shielded, the HTML converted, the tags
 * put back. Rendering it with the recipient's data gives what converting their rendered HTML would
 * (up to line wrapping and runs of white space inside values). Null when conversion would not keep
 * every `{% %}` tag, in order (a tag in `<head>`, in an image's address…): then each message's
 * text is made from its HTML, as before. Output tags (`{{ }}`) that vanish vanish harmlessly.
 */
const textTemplates = new Map<string, LiquidTemplate[] | null>();

function textTemplateOf(htmlSource: string): LiquidTemplate[] | null {
  const hit = textTemplates.get(htmlSource);
  if (hit !== undefined) return hit;
  const tags: string[] = [];
  const nonce = Math.random().toString(36).slice(2, 8);
  const shielded = htmlSource.replace(LIQUID_TAG, (tag) => `wmtx${nonce}x${tags.push(tag) - 1}x`);
  const text = textFromHtml(shielded);
  const seen: number[] = [];
  const restored = text.replace(new RegExp(`wmtx${nonce}x(\\d+)x`, 'g'), (_m, i: string) => {
    seen.push(Number(i));
    return tags[Number(i)] ?? '';
  });
  const controls = (list: number[]): string =>
    list.filter((i) => tags[i]?.startsWith('{%')).join(',');
  const allControls = controls(tags.map((_t, i) => i));
  let template: LiquidTemplate[] | null = null;
  if (controls(seen) === allControls && new Set(seen).size === seen.length) {
    try {
      template = textLiquid.parse(restored);
    } catch {
      template = null;
    }
  }
  return remember(textTemplates, htmlSource, template);
}

/** The recipient's locale from the profile's `locale` trait (`pt_PT` → `pt-PT`), if valid. */
export function recipientLocale(traits: Record<string, unknown>): string {
  const raw = traits.locale;
  if (typeof raw !== 'string' || raw.trim() === '') return DEFAULT_LOCALE;
  try {
    return Intl.getCanonicalLocales(raw.trim().replace(/_/g, '-'))[0] ?? DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

function liquidScope(scope: RenderScope): Record<string, unknown> {
  return {
    profile: scope.profile,
    event: scope.trigger,
    trigger: scope.trigger,
    run: scope.run,
    ...(scope.message ? { message: scope.message } : {}),
    ...(scope.unsubscribeUrl !== undefined ? { unsubscribe_url: scope.unsubscribeUrl } : {}),
  };
}

function renderField(
  field: string,
  templates: LiquidTemplate[],
  html: boolean,
  scope: RenderScope,
): string {
  const recipient: Recipient = {
    timezone: scope.timezone,
    locale: scope.locale ?? DEFAULT_LOCALE,
    now: scope.now,
    formUrl: scope.formUrl,
  };
  try {
    return (html ? htmlLiquid : textLiquid).renderSync(templates, liquidScope(scope), {
      globals: { [RECIPIENT]: recipient },
    }) as string;
  } catch (err) {
    throw new RenderError(field, `${field}: ${messageOf(err)}`);
  }
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // LiquidJS appends the source excerpt on new lines; the first line says it all.
  return text.split('\n')[0]!.replace(/^(?:RenderError|UndefinedVariableError): /, '');
}

function parseField(field: string, text: string, html: boolean): LiquidTemplate[] {
  try {
    return parsed(html, normaliseTemplateText(text));
  } catch (err) {
    throw new RenderError(field, `${field}: ${messageOf(err)}`);
  }
}

/**
 * Renders a template (of the journey or given inline, e.g. a preview of an edit) for one
 * recipient; throws `RenderError` naming the field when a variable is missing or a filter fails.
 */
export async function renderTemplateContent(
  definition: JourneyDefinition,
  template: Template,
  scope: RenderScope,
): Promise<RenderedContent> {
  // The subject first: the cheapest field to fail on.
  const subject =
    template.subject === undefined
      ? undefined
      : renderField('subject', parseField('subject', template.subject, false), false, scope);
  let html: string | undefined;
  let source: string | undefined;
  if (template.html !== undefined) {
    try {
      source = await templateHtml(template.html);
    } catch (err) {
      throw new RenderError('html', `html: ${messageOf(err)}`);
    }
    html = renderField('html', parseField('html', source, true), true, scope);
  }
  let body: string;
  if (template.body !== undefined)
    body = renderField('body', parseField('body', template.body, false), false, scope);
  else if (html !== undefined) {
    const text = textTemplateOf(source!);
    body = text
      ? renderField('body', text, false, scope)
          .replace(/\n{3,}/g, '\n\n')
          .trim()
      : textFromHtml(html);
  } else throw new RenderError('body', 'body: the template has neither body nor html');
  // Open pixel and click redirects in the HTML only: the text part keeps readable links.
  // A message without HTML (an SMS) tracks the links of its text only when its template says so.
  if (html === undefined && scope.tracking && template.tracking?.clicks === true)
    body = rewriteTextLinks(body, { ...scope.tracking, unsubscribeUrl: scope.unsubscribeUrl });
  if (html !== undefined && scope.tracking) {
    const policy = definition.policies.tracking;
    html = trackEmailHtml(html, {
      ...scope.tracking,
      opens: template.tracking?.opens ?? policy?.opens ?? true,
      clicks: template.tracking?.clicks ?? policy?.clicks ?? true,
      unsubscribeUrl: scope.unsubscribeUrl,
    });
  }
  const out: RenderedContent = { body };
  if (subject !== undefined) out.subject = subject;
  if (html !== undefined) out.html = html;
  const from = template.from ?? definition.policies.email?.from;
  const replyTo = template.replyTo ?? definition.policies.email?.replyTo;
  if (from !== undefined) out.from = from;
  if (replyTo !== undefined) out.replyTo = replyTo;
  return out;
}

/** Renders a template of the journey; throws `RenderError` when it is missing or fails. */
export async function renderTemplate(
  definition: JourneyDefinition,
  templateId: string,
  scope: RenderScope,
): Promise<RenderedContent> {
  const template: Template | undefined = definition.templates[templateId];
  if (!template)
    throw new RenderError(
      'template',
      `template "${templateId}" is not defined in journey ${definition.id}`,
    );
  return renderTemplateContent(definition, template, scope);
}
