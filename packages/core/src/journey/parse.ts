// Journey documents as text: YAML 1.2 (JSON is YAML) or strict JSON, with syntax errors located
// by line and column; `loadJourney` parses and validates, and points issues at their source line.
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { validateJourney } from './validate.ts';
import type { ValidateOptions, ValidationIssue, ValidationResult } from './validate.ts';

/** The format of journey text; YAML when not given (which also reads JSON). */
export type JourneyTextFormat = 'yaml' | 'json';

/** The outcome of `parseJourneyText`: the plain value, or its syntax errors. */
export type ParseResult = { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] };

/** Options of `loadJourney`: the text's format and what the validator may assume. */
export interface LoadJourneyOptions extends ValidateOptions {
  format?: JourneyTextFormat | undefined;
}

interface Source {
  doc: Document.Parsed;
  lines: LineCounter;
}

type ParsedText =
  { ok: true; value: unknown; source?: Source } | { ok: false; issues: ValidationIssue[] };

/** Parses journey text to a plain value; syntax errors name their line and column. */
export function parseJourneyText(text: string, format?: JourneyTextFormat): ParseResult {
  const parsed = parseText(text, format);
  return parsed.ok ? { ok: true, value: parsed.value } : parsed;
}

/** Parses and validates journey text; issues carry the line and column they point at. */
export function loadJourney(text: string, opts: LoadJourneyOptions = {}): ValidationResult {
  const parsed = parseText(text, opts.format);
  if (!parsed.ok) return { ok: false, issues: parsed.issues, warnings: [] };
  const result = validateJourney(parsed.value, opts);
  const source = parsed.source;
  if (source === undefined) return result;
  const place = (list: ValidationIssue[]) => list.map((i) => locate(i, source));
  return result.ok
    ? { ...result, warnings: place(result.warnings) }
    : { ...result, issues: place(result.issues), warnings: place(result.warnings) };
}

function parseText(text: string, format: JourneyTextFormat | undefined): ParsedText {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.2',
    prettyErrors: false,
    uniqueKeys: true,
    lineCounter: lines,
  });
  const yamlIssues = doc.errors.map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    return syntaxIssue(line, col, error.message, error.code === 'DUPLICATE_KEY');
  });
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const { line, col } = lines.linePos(jsonErrorOffset(text));
      return { ok: false, issues: [syntaxIssue(line, col, jsonMessage(error), false)] };
    }
    // JSON.parse keeps the last of two equal keys silently; a duplicated node id would vanish.
    const duplicates = yamlIssues.filter((i) => i.code === 'duplicate_key');
    if (duplicates.length > 0) return { ok: false, issues: duplicates };
    return doc.errors.length === 0
      ? { ok: true, value, source: { doc, lines } }
      : { ok: true, value };
  }
  if (yamlIssues.length > 0) return { ok: false, issues: yamlIssues };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }), source: { doc, lines } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ path: '', code: 'syntax_error', message }] };
  }
}

function syntaxIssue(line: number, col: number, message: string, duplicate: boolean) {
  const issue: ValidationIssue = {
    path: '',
    code: duplicate ? 'duplicate_key' : 'syntax_error',
    message: `line ${line}, column ${col}: ${message}`,
    line,
    column: col,
  };
  if (duplicate) issue.hint = 'every key may appear once in a mapping; node ids must be unique';
  return issue;
}

/** Adds the source position of the deepest part of the issue's path that exists in the text. */
function locate(issue: ValidationIssue, source: Source): ValidationIssue {
  if (issue.line !== undefined) return issue;
  const segments = issue.path === '' ? [] : issue.path.split('.');
  let node: unknown = source.doc.contents;
  let offset = source.doc.contents?.range[0];
  let i = 0;
  while (i < segments.length) {
    let found = false;
    if (isMap(node)) {
      const map = node;
      // Node ids may contain dots: try the longest run of segments that names a key.
      for (let j = segments.length; j > i && !found; j--) {
        const key = segments.slice(i, j).join('.');
        const pair = map.items.find((p) => keyText(p.key) === key);
        if (pair) {
          node = pair.value;
          offset = rangeStart(pair.key) ?? rangeStart(pair.value) ?? offset;
          i = j;
          found = true;
        }
      }
    } else if (isSeq(node) && /^\d+$/.test(segments[i] ?? '')) {
      const item: unknown = node.items[Number(segments[i])];
      if (item !== undefined) {
        node = item;
        offset = rangeStart(item) ?? offset;
        i++;
        found = true;
      }
    }
    if (!found) break;
  }
  if (offset === undefined) return issue;
  const { line, col } = source.lines.linePos(offset);
  return { ...issue, line, column: col };
}

function keyText(key: unknown): string | undefined {
  if (typeof key === 'object' && key !== null && 'value' in key) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range: unknown = node.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

function jsonMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .trim();
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}

/** Offset of the first JSON syntax error (Node 20's JSON.parse does not always report one). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const expect = (ch: string) => (text[i] === ch ? i++ : fail());
  const string = () => {
    expect('"');
    while (i < text.length) {
      const ch = text[i] ?? '';
      if (ch === '"') return void i++;
      if (ch === '\\') {
        const esc = text[i + 1] ?? '';
        if ('"\\/bfnrt'.includes(esc) && esc !== '') i += 2;
        else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else return fail();
      } else if (ch < ' ') {
        return fail();
      } else i++;
    }
    fail();
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        space();
        if (ch === '{') {
          string();
          space();
          expect(':');
        }
        value();
        space();
        if (text[i] === ',') i++;
        else return void expect(close);
      }
    }
    if (ch === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    const match = number.exec(text);
    if (!match || match[0] === '' || match[0] === '-') fail();
    i = number.lastIndex;
  };
  try {
    value();
    space();
    return i < text.length ? i : text.length;
  } catch (error) {
    if (error instanceof JsonSyntaxAt) return error.offset;
    throw error;
  }
}
