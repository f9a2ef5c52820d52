/**
 * Reading a raw journey document defensively (the semantic checks run even where the schema
 * rejected a part) and saying what was found in words: `"a list"`, `an integer`, "did you mean".
 */
import type { Path } from './issues.ts';

/** Whether a value is a plain object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `type` of a raw node or trigger, when it is a string. */
export function rawType(node: unknown): string | undefined {
  return isRecord(node) && typeof node['type'] === 'string' ? node['type'] : undefined;
}

/** The value at a path of a raw document; undefined where the path leads nowhere. */
export function valueAt(root: unknown, path: Path): unknown {
  let at: unknown = root;
  for (const key of path) {
    if (Array.isArray(at) && typeof key === 'number') at = at[key];
    else if (isRecord(at) && typeof key === 'string') at = at[key];
    else return undefined;
  }
  return at;
}

/** A value in words, for messages: a string quoted, a list or an object by what it is. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** A type name with its article: `an integer`, `a list`, `a mapping (object)`. */
export function article(expected: string): string {
  if (expected === 'object') return 'a mapping (object)';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** "did you mean …?" for a close match, else a list of what exists (when `listName` is given). */
export function suggest(got: string, options: string[], listName?: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = distance(got.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(got.length / 3))) {
    return `did you mean "${best}"?`;
  }
  if (listName === undefined || options.length === 0) return undefined;
  return `${listName}: ${options.join(', ')}`;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
