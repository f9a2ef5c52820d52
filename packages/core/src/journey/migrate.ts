// Journey document migrations: an ordered registry of `from -> to` steps that bring a document
// written by an older Waymark up to `CURRENT_SCHEMA_VERSION` before it is validated.
import { CURRENT_SCHEMA_VERSION } from './schema.ts';
import type { ValidationIssue } from './issues.ts';
import { isRecord } from './words.ts';

/** One step of the registry: turns a document of version `from` into one of version `to`. */
export interface Migration {
  from: number;
  to: number;
  /** One line saying what changes, shown in `applied`. */
  describe: string;
  /**
   * Returns the migrated document; must not mutate its argument. `schemaVersion` is set to `to`
   * by `migrateDocument`. Throws a `MigrationError` when the document cannot be migrated.
   */
  up(doc: Record<string, unknown>): Record<string, unknown>;
}

/** A document a migration cannot handle; becomes a `ValidationIssue`. */
export class MigrationError extends Error {
  /** Issue code, e.g. `duplicate_node_id`. */
  readonly code: string;
  /** Dotted path of the offending field. */
  readonly path: string;
  /** What to do about it. */
  readonly hint: string | undefined;

  constructor(args: { code: string; path: string; message: string; hint?: string }) {
    super(args.message);
    this.name = 'MigrationError';
    this.code = args.code;
    this.path = args.path;
    this.hint = args.hint;
  }
}

/**
 * Version 0: documents written before `schemaVersion` existed. Their `nodes` is an array of
 * `{ id, ...node }` and the first node is the entry; version 1 keys nodes by id and names the
 * entry in `start`.
 */
const v0ToV1: Migration = {
  from: 0,
  to: 1,
  describe: 'nodes array -> nodes keyed by id, first node -> start',
  up(doc) {
    const list = doc['nodes'];
    if (!Array.isArray(list)) {
      throw new MigrationError({
        code: 'missing_schema_version',
        path: 'schemaVersion',
        message: 'the document has no schemaVersion',
        hint: `add "schemaVersion: ${CURRENT_SCHEMA_VERSION}" at the top`,
      });
    }
    if (list.length === 0) {
      throw new MigrationError({
        code: 'required',
        path: 'nodes',
        message: 'a journey needs at least one node',
      });
    }
    const nodes: Record<string, unknown> = {};
    list.forEach((item: unknown, index) => {
      const id = isRecord(item) ? item['id'] : undefined;
      if (typeof id !== 'string' || id === '') {
        throw new MigrationError({
          code: 'required',
          path: `nodes.${index}.id`,
          message: 'every node of a version-0 document needs a string "id"',
        });
      }
      if (Object.hasOwn(nodes, id)) {
        throw new MigrationError({
          code: 'duplicate_node_id',
          path: `nodes.${index}.id`,
          message: `node id "${id}" is used twice`,
          hint: 'give every node its own id',
        });
      }
      const { id: _id, ...node } = item as Record<string, unknown>;
      nodes[id] = node;
    });
    const first = Object.keys(nodes)[0];
    return { ...doc, start: doc['start'] ?? first, nodes };
  },
};

/** Every migration, oldest first. Add a step here whenever `CURRENT_SCHEMA_VERSION` goes up. */
export const MIGRATIONS: readonly Migration[] = [v0ToV1];

/** What `migrateDocument` did: the migrated document and the steps applied, or why it could not. */
export type MigrationResult =
  | { ok: true; doc: Record<string, unknown>; applied: string[] }
  | { ok: false; doc: unknown; applied: string[]; issues: ValidationIssue[] };

/**
 * Brings a document up to `target` (default: this build's version) by applying the registry's
 * steps in order. A missing `schemaVersion` means version 0.
 */
export function migrateDocument(
  doc: unknown,
  migrations: readonly Migration[] = MIGRATIONS,
  target: number = CURRENT_SCHEMA_VERSION,
): MigrationResult {
  const fail = (issue: ValidationIssue, applied: string[] = []): MigrationResult => ({
    ok: false,
    doc,
    applied,
    issues: [issue],
  });
  if (!isRecord(doc)) {
    return fail({
      path: '',
      code: 'not_an_object',
      message: `a journey document must be an object (a YAML mapping), got ${describeValue(doc)}`,
    });
  }
  const declared = doc['schemaVersion'];
  const version = declared === undefined ? 0 : declared;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return fail({
      path: 'schemaVersion',
      code: 'invalid_schema_version',
      message: `schemaVersion must be a whole number, got ${describeValue(declared)}`,
      hint: `this build writes schemaVersion ${target}`,
    });
  }
  if (version > target) {
    return fail({
      path: 'schemaVersion',
      code: 'unsupported_schema_version',
      message: `the document has schemaVersion ${version}, newer than this Waymark reads (${target})`,
      hint: 'upgrade Waymark, or export the journey from the newer version as an older one',
    });
  }
  let current: Record<string, unknown> = doc;
  let at = version;
  const applied: string[] = [];
  while (at < target) {
    const step = migrations.find((m) => m.from === at);
    if (!step || step.to <= step.from || step.to > target) {
      return fail(
        {
          path: 'schemaVersion',
          code: 'unsupported_schema_version',
          message: `no migration from schemaVersion ${at} to ${target}`,
        },
        applied,
      );
    }
    try {
      current = { ...step.up(current), schemaVersion: step.to };
    } catch (error) {
      if (!(error instanceof MigrationError)) throw error;
      return fail(
        {
          path: error.path,
          code: error.code,
          message: error.message,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
        },
        applied,
      );
    }
    applied.push(`${step.from} -> ${step.to}: ${step.describe}`);
    at = step.to;
  }
  return { ok: true, doc: current, applied };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
