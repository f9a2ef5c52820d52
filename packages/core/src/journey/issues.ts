/**
 * Validation issues: what one problem of a journey document looks like, how the checks report
 * them (`Sink`), and how the validator sorts and de-duplicates them. A leaf module, so that the
 * migrations, the schema-error wording and every kind's checks can report without a cycle.
 */
/** One problem found in a journey document, located by a dotted path (`nodes.wait-open.onTimeout`). */
export interface ValidationIssue {
  /** Dotted path of the field; `""` for the whole document. */
  path: string;
  /** The node id when the problem is inside `nodes.<id>`. */
  node?: string;
  /** Stable machine-readable code, e.g. `unknown_target`. */
  code: string;
  /** What is wrong, for a person. */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** 1-based line in the source text, when the document was loaded from text (`loadJourney`). */
  line?: number;
  /** 1-based column in the source text, with `line`. */
  column?: number;
}

/** What the validator may assume about the workspace around the document. */
export interface ValidateOptions {
  /** Workspace templates a send or alert may use besides the document's own. */
  knownTemplates?: Iterable<string>;
  /** Channels configured in the workspace; every channel of the schema when absent. */
  knownChannels?: Iterable<string>;
}

/** Where the checks put what they find: errors fail the document, warnings do not. */
export interface Sink {
  error(i: ValidationIssue): void;
  warn(i: ValidationIssue): void;
}

/** A path inside the document, as zod reports it. */
export type Path = readonly PropertyKey[];

/** An issue at a path (a dotted string, or zod's path, from which the node is read). */
export function issue(
  path: Path | string,
  code: string,
  message: string,
  hint?: string,
): ValidationIssue {
  const text = typeof path === 'string' ? path : path.map(String).join('.');
  const out: ValidationIssue = { path: text, code, message };
  // String paths come from the semantic checks, which name the node through `nodeIssue`.
  if (typeof path !== 'string' && path[0] === 'nodes' && path.length >= 2)
    out.node = String(path[1]);
  if (hint !== undefined) out.hint = hint;
  return out;
}

/** An issue inside `nodes.<id>` (`field` `""` for the node itself). */
export function nodeIssue(id: string, field: string, code: string, message: string, hint?: string) {
  const out = issue(field === '' ? `nodes.${id}` : `nodes.${id}.${field}`, code, message, hint);
  out.node = id;
  return out;
}

function comparePaths(a: string, b: string): number {
  const x = a === '' ? [] : a.split('.');
  const y = b === '' ? [] : b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p === q) continue;
    if (/^\d+$/.test(p) && /^\d+$/.test(q)) return Number(p) - Number(q);
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** Issues in document order: by path (list indexes numerically), then code, then message. */
export function sortIssues(list: ValidationIssue[]): ValidationIssue[] {
  return [...list].sort(
    (a, b) =>
      comparePaths(a.path, b.path) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** Drops repeats of the same issue (one mistake seen by two checks). */
export function dedupe(list: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return list.filter((i) => {
    const key = `${i.path}\u0000${i.code}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
