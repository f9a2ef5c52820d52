/**
 * Schema errors in words: zod's issues become `ValidationIssue`s that name the field, say what
 * was expected and what was found, and suggest the closest valid name. A node kind may word a
 * problem of its own fields its own way (`NodeKind.explain`).
 */
import type { core } from 'zod';
import { nodeKindNamed } from '../nodes/registry.ts';
import type { SchemaProblem } from '../nodes/kind.ts';
import { issue, type Path, type ValidationIssue } from './issues.ts';
import { Policies } from './policies.ts';
import { JourneyDocument } from './schema.ts';
import { Template } from './template.ts';
import { article, isRecord, rawType, show, suggest, valueAt } from './words.ts';

const CONDITION_FIELDS = new Set(['when', 'skipIf', 'where', 'audience', 'condition', 'not']);

/** A zod issue in words; `base` is where the parsed value sits in the document. */
export function fromZod(zodIssue: core.$ZodIssue, root: unknown, base: Path): ValidationIssue[] {
  const path = [...base, ...zodIssue.path];
  const value = valueAt(root, path);
  const last = String(path[path.length - 1] ?? '');
  // A missing field fails as a type or an enum mismatch; either way, say it is required.
  const missing = zodIssue.code === 'invalid_type' || zodIssue.code === 'invalid_value';
  if (missing && value === undefined) return [required(root, path)];
  switch (zodIssue.code) {
    case 'invalid_union':
      return fromUnion(zodIssue, root, path);
    case 'unrecognized_keys':
      return zodIssue.keys.map((key) => {
        const allowed = allowedFields(root, path);
        return issue(
          [...path, key],
          'unknown_field',
          `unknown field "${key}"${describeOwner(root, path)}`,
          allowed ? suggest(key, allowed, 'fields here') : undefined,
        );
      });
    case 'invalid_type':
      return [
        issue(path, 'invalid_type', `expected ${article(zodIssue.expected)}, got ${show(value)}`),
      ];
    case 'invalid_value': {
      const options = zodIssue.values.map((v) => JSON.stringify(v));
      const message =
        options.length === 1
          ? `expected ${options[0]}, got ${show(value)}`
          : `expected one of ${options.join(', ')}; got ${show(value)}`;
      const hint =
        typeof value === 'string' ? suggest(value, zodIssue.values.map(String)) : undefined;
      return [issue(path, 'invalid_value', message, hint)];
    }
    case 'invalid_key': {
      const detail = zodIssue.issues.map((i) => i.message).join('; ');
      return [issue(path, 'invalid_id', `invalid id "${last}": ${detail}`)];
    }
    case 'too_small':
    case 'too_big': {
      const own = explained(root, path, { kind: 'bound', value });
      if (own) return [own];
      return [issue(path, 'invalid_value', bound(zodIssue, value))];
    }
    case 'invalid_format':
      if (zodIssue.format === 'url') {
        return [issue(path, 'invalid_value', `expected a URL, got ${show(value)}`)];
      }
      return [issue(path, 'invalid_value', `${zodIssue.message}, got ${show(value)}`)];
    case 'custom':
      return [issue(path, 'invalid_value', `${zodIssue.message}, got ${show(value)}`)];
    default:
      return [issue(path, 'invalid_value', zodIssue.message)];
  }
}

/** A node kind's own words for a problem inside one of its nodes (`nodes.<id>.<field…>`). */
function explained(
  root: unknown,
  path: Path,
  problem: Omit<SchemaProblem, 'field'>,
): ValidationIssue | undefined {
  if (path[0] !== 'nodes' || path.length < 3) return undefined;
  const kind = nodeKindNamed(rawType(valueAt(root, path.slice(0, 2))));
  const own = kind?.explain?.({ ...problem, field: path.slice(2) });
  return own && issue(path, own.code, own.message, own.hint);
}

function required(root: unknown, path: Path): ValidationIssue {
  const field = String(path[path.length - 1] ?? '');
  const type =
    path[0] === 'nodes' && path.length === 3 ? rawType(valueAt(root, path.slice(0, 2))) : undefined;
  const own = explained(root, path, { kind: 'required', value: undefined });
  if (own) return own;
  const owner =
    type === undefined ? describeOwner(root, path.slice(0, -1)) : ` on ${article(type)} node`;
  return issue(path, 'required', `"${field}" is required${owner}`);
}

function fromUnion(
  zodIssue: core.$ZodIssueInvalidUnion,
  root: unknown,
  path: PropertyKey[],
): ValidationIssue[] {
  if (zodIssue.discriminator !== undefined && zodIssue.errors.length === 0) {
    const key = zodIssue.discriminator;
    const at = path[path.length - 1] === key ? path : [...path, key];
    const options = 'options' in zodIssue ? (zodIssue.options ?? []).map(String) : [];
    const got = valueAt(root, at);
    const what = at[0] === 'nodes' ? 'node' : String(at[at.length - 2] ?? 'value');
    if (got === undefined) {
      return [issue(at, 'required', `a ${what} needs "${key}": one of ${options.join(', ')}`)];
    }
    return [
      issue(
        at,
        'unknown_type',
        `unknown ${what} ${key} ${show(got)}; valid ${key}s: ${options.join(', ')}`,
        typeof got === 'string' ? suggest(got, options) : undefined,
      ),
    ];
  }
  const value = valueAt(root, path);
  const best = bestBranch(zodIssue.errors, value);
  if (best) return best.flatMap((i) => fromZod(i, root, path));
  const last = String(path[path.length - 1] ?? '');
  const parent = String(path[path.length - 2] ?? '');
  if (CONDITION_FIELDS.has(last) || parent === 'all' || parent === 'any') {
    return [
      issue(
        path,
        'invalid_condition',
        `not a condition: ${show(value)}`,
        'a condition is one of {all: [...]}, {any: [...]}, {not: ...}, {field, op, value}, ' +
          '{inList}, {notInList}, {event, where?, within?, count?}, {reply: {...}}, {outcome: {node, is}}',
      ),
    ];
  }
  const expected = zodIssue.errors.flatMap((b) =>
    b.flatMap((i) => (i.code === 'invalid_type' && i.path.length === 0 ? [i.expected] : [])),
  );
  const message =
    expected.length > 0
      ? `expected ${expected.map(article).join(' or ')}, got ${show(value)}`
      : `${show(value)} matches none of the accepted forms`;
  return [issue(path, 'invalid_value', message)];
}

/** The union branch the value was evidently meant to be, judged by its keys; undefined if none. */
function bestBranch(branches: core.$ZodIssue[][], value: unknown): core.$ZodIssue[] | undefined {
  if (!isRecord(value) || Object.keys(value).length === 0) return undefined;
  const foreign = (i: core.$ZodIssue): boolean =>
    i.path.length === 0 &&
    (i.code === 'unrecognized_keys' ||
      i.code === 'invalid_type' ||
      i.code === 'invalid_value' ||
      (i.code === 'invalid_union' && bestBranch(i.errors, value) === undefined));
  const candidates = branches.filter((b) => b.length > 0 && !b.some(foreign));
  return candidates.sort((a, b) => a.length - b.length)[0];
}

function allowedFields(root: unknown, path: Path): string[] | undefined {
  if (path.length === 0) return Object.keys(JourneyDocument.shape);
  if (path.length === 1 && path[0] === 'policies') return Object.keys(Policies.shape);
  if (path.length === 2 && path[0] === 'templates') return Object.keys(Template.shape);
  if (path.length === 2 && path[0] === 'nodes') {
    const kind = nodeKindNamed(rawType(valueAt(root, path)));
    if (kind) return Object.keys(kind.schema.shape);
  }
  return undefined;
}

function describeOwner(root: unknown, path: Path): string {
  if (path.length === 0) return ' in the journey document';
  if (path[0] === 'nodes' && path.length === 2) {
    const type = rawType(valueAt(root, path));
    return type === undefined ? '' : ` on ${article(type)} node`;
  }
  return '';
}

function bound(zodIssue: core.$ZodIssueTooSmall | core.$ZodIssueTooBig, value: unknown): string {
  const small = zodIssue.code === 'too_small';
  const limit = Number(small ? zodIssue.minimum : zodIssue.maximum);
  if (zodIssue.origin === 'array') {
    return small
      ? `needs at least ${limit} item${limit === 1 ? '' : 's'}`
      : `allows at most ${limit} item${limit === 1 ? '' : 's'}`;
  }
  if (zodIssue.origin === 'string') {
    return small && limit === 1 ? 'must not be empty' : zodIssue.message;
  }
  const inclusive = zodIssue.inclusive !== false;
  const relation = small
    ? inclusive
      ? 'at least'
      : 'greater than'
    : inclusive
      ? 'at most'
      : 'less than';
  return `must be ${relation} ${limit}, got ${show(value)}`;
}
