/**
 * Journey validation: migrations, then the schema, then the checks a schema cannot express
 * (targets exist, every node is reachable, loops wait, templates exist and parse, policies make
 * sense, and each node kind's and trigger kind's own checks). Every problem is collected, so a
 * user fixes a document in one pass. This module assembles; the checks live beside what they
 * check (`graph-checks.ts`, `template-checks.ts`, `policy-checks.ts`, `nodes/<kind>/`,
 * `triggers/<kind>/`).
 */
import type { CheckContext } from '../nodes/kind.ts';
import { kindEdges, nodeKind, nodeKindNamed, scanEdges } from '../nodes/registry.ts';
import { triggerKindNamed } from '../triggers/registry.ts';
import { checkLoops, checkReachable, checkTargets, type Graph } from './graph-checks.ts';
import {
  dedupe,
  sortIssues,
  type Sink,
  type ValidateOptions,
  type ValidationIssue,
} from './issues.ts';
import { migrateDocument } from './migrate.ts';
import { checkPolicies } from './policy-checks.ts';
import { JourneyDocument, JourneyNode, type JourneyDefinition } from './schema.ts';
import { fromZod } from './schema-issues.ts';
import { checkTemplates } from './template-checks.ts';
import { isRecord, rawType } from './words.ts';

export type { ValidateOptions, ValidationIssue } from './issues.ts';

/** The outcome of `validateJourney`: the parsed definition, or every problem found. */
export type ValidationResult =
  | { ok: true; definition: JourneyDefinition; warnings: ValidationIssue[] }
  | { ok: false; issues: ValidationIssue[]; warnings: ValidationIssue[] };

/** Migrates, parses and checks a journey document; collects every issue, sorted by path. */
export function validateJourney(input: unknown, opts: ValidateOptions = {}): ValidationResult {
  const migrated = migrateDocument(input);
  if (!migrated.ok) return { ok: false, issues: sortIssues(migrated.issues), warnings: [] };
  const raw = migrated.doc;
  const issues: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const parsed = JourneyDocument.safeParse(raw);
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) issues.push(...fromZod(zodIssue, raw, []));
  }
  checkSemantics(raw, opts, { error: (i) => issues.push(i), warn: (i) => warnings.push(i) });
  if (parsed.success && issues.length === 0) {
    return { ok: true, definition: parsed.data, warnings: sortIssues(warnings) };
  }
  return { ok: false, issues: sortIssues(dedupe(issues)), warnings: sortIssues(warnings) };
}

/**
 * The checks beyond the schema. They read the raw (migrated) document defensively, so that they
 * still run when the schema rejected some other part of it; a part that failed the schema is
 * skipped, or read raw where a kind says so (`checkRaw`, `templatesOf`).
 */
function checkSemantics(raw: Record<string, unknown>, opts: ValidateOptions, sink: Sink): void {
  const graph = readGraph(raw['nodes']);
  const templates = isRecord(raw['templates']) ? raw['templates'] : {};
  const context = (id: string): CheckContext => ({ id, sink, opts, templates });
  checkTargets(raw['start'], graph, sink);
  checkReachable(raw['start'], graph, sink);
  checkLoops(graph, sink);
  for (const [id, node] of graph.raw) nodeKindNamed(rawType(node))?.checkRaw?.(node, context(id));
  for (const [id, node] of graph.parsed) nodeKind(node.type).check?.(node, context(id));
  checkTemplates(raw['templates'], graph.raw, opts, sink);
  checkPolicies(raw['policies'], sink);
  const trigger = raw['trigger'];
  if (isRecord(trigger)) triggerKindNamed(rawType(trigger))?.checkRaw?.(trigger, sink);
}

/** The nodes raw, parsed where the schema accepts them, and the edges out of each. */
function readGraph(rawNodes: unknown): Graph {
  const graph: Graph = { raw: new Map(), parsed: new Map(), edges: new Map() };
  for (const [id, node] of Object.entries(isRecord(rawNodes) ? rawNodes : {})) {
    // A node the schema rejected outright still exists: links to it are not `unknown_target`.
    const record = isRecord(node) ? node : {};
    graph.raw.set(id, record);
    const result = JourneyNode.safeParse(node);
    if (result.success) graph.parsed.set(id, result.data);
    graph.edges.set(id, result.success ? kindEdges(result.data) : scanEdges(record));
  }
  return graph;
}
