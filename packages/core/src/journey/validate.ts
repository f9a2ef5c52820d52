// Journey validation: migrations, then the schema, then the checks a schema cannot express
// (targets exist, every node is reachable, loops wait, templates exist and parse, policies make
// sense). Every problem is collected, so a user fixes a document in one pass.
import { Liquid } from 'liquidjs';
import { IANAZone } from 'luxon';
import type { core } from 'zod';
import type { Condition } from '../conditions/schema.ts';
import { migrateDocument } from './migrate.ts';
import {
  AlertChannel,
  AlertNode,
  BranchNode,
  Channel,
  ExitNode,
  InterestNode,
  JourneyDocument,
  JourneyNode,
  ListNode,
  Policies,
  SendNode,
  SendWindow,
  SiteFlagNode,
  SplitNode,
  TaskNode,
  Template,
  UpdateProfileNode,
  WaitForNode,
  WaitNode,
  WebhookNode,
} from './schema.ts';
import type { JourneyDefinition, NodeType } from './schema.ts';
import { normaliseTemplateText } from './template-text.ts';

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

/** The outcome of `validateJourney`: the parsed definition, or every problem found. */
export type ValidationResult =
  | { ok: true; definition: JourneyDefinition; warnings: ValidationIssue[] }
  | { ok: false; issues: ValidationIssue[]; warnings: ValidationIssue[] };

/** What the validator may assume about the workspace around the document. */
export interface ValidateOptions {
  /** Workspace templates a send or alert may use besides the document's own. */
  knownTemplates?: Iterable<string>;
  /** Channels configured in the workspace; every channel of the schema when absent. */
  knownChannels?: Iterable<string>;
}

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

// ---------------------------------------------------------------------------------------------
// Issues

type Path = readonly PropertyKey[];

function issue(path: Path | string, code: string, message: string, hint?: string): ValidationIssue {
  const text = typeof path === 'string' ? path : path.map(String).join('.');
  const out: ValidationIssue = { path: text, code, message };
  // String paths come from the semantic checks, which name the node through `nodeIssue`.
  if (typeof path !== 'string' && path[0] === 'nodes' && path.length >= 2)
    out.node = String(path[1]);
  if (hint !== undefined) out.hint = hint;
  return out;
}

function nodeIssue(id: string, field: string, code: string, message: string, hint?: string) {
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

function sortIssues(list: ValidationIssue[]): ValidationIssue[] {
  return [...list].sort(
    (a, b) =>
      comparePaths(a.path, b.path) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

function dedupe(list: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return list.filter((i) => {
    const key = `${i.path}\u0000${i.code}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Schema issues, in words

const NODE_SCHEMAS = {
  send: SendNode,
  wait: WaitNode,
  wait_for: WaitForNode,
  branch: BranchNode,
  split: SplitNode,
  update_profile: UpdateProfileNode,
  list: ListNode,
  interest: InterestNode,
  site_flag: SiteFlagNode,
  task: TaskNode,
  webhook: WebhookNode,
  alert: AlertNode,
  exit: ExitNode,
} satisfies Record<NodeType, unknown>;

const CONDITION_FIELDS = new Set(['when', 'skipIf', 'where', 'audience', 'condition', 'not']);

function fromZod(zodIssue: core.$ZodIssue, root: unknown, base: Path): ValidationIssue[] {
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
      const isWeight = path[0] === 'nodes' && path[2] === 'variants' && last === 'weight';
      if (isWeight) {
        return [
          issue(
            path,
            'split_weights',
            `split weights must be greater than 0, got ${show(value)}`,
            'drop the variant instead of giving it weight 0',
          ),
        ];
      }
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

function required(root: unknown, path: Path): ValidationIssue {
  const field = String(path[path.length - 1] ?? '');
  const type =
    path[0] === 'nodes' && path.length === 3 ? rawType(valueAt(root, path.slice(0, 2))) : undefined;
  if (type === 'wait_for' && (field === 'timeout' || field === 'onTimeout')) {
    return issue(
      path,
      'required',
      'a wait-for needs a timeout and an onTimeout path',
      'add e.g. `timeout: 12h` and `onTimeout: <node id>`: the route taken when nothing arrives in time',
    );
  }
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
    const type = rawType(valueAt(root, path));
    if (type !== undefined && Object.hasOwn(NODE_SCHEMAS, type)) {
      return Object.keys(NODE_SCHEMAS[type as NodeType].shape);
    }
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

// ---------------------------------------------------------------------------------------------
// Semantic checks. They read the raw (migrated) document defensively, so that they still run
// when the schema rejected some other part of it; a part that failed the schema is skipped.

interface Sink {
  error(i: ValidationIssue): void;
  warn(i: ValidationIssue): void;
}

/** An edge of the journey graph: where a node leads, and in which of its fields. */
export interface Edge {
  /** Field path inside the node: `next`, `cases.0.next`. */
  field: string;
  target: string;
}

// The same strictness as the renderer: an unknown filter is an error now, not at send time.
const liquid = new Liquid({ strictFilters: true });
// Filters the server's renderer adds (only their names matter for parsing).
liquid.registerFilter('money', (v: unknown) => v);
liquid.registerFilter('form_url', (v: unknown) => v);

/**
 * Variables a message template may start from: the profile, the trigger event (`event` and its
 * older name `trigger`), the run, the message, and the signed one-click unsubscribe link.
 */
export const TEMPLATE_ROOTS: readonly string[] = [
  'profile',
  'event',
  'trigger',
  'run',
  'message',
  'unsubscribe_url',
];

// `Name <addr@domain>` or `addr@domain`.
const EMAIL_ADDRESS =
  /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

function checkAddress(value: unknown, path: string, sink: Sink): void {
  if (typeof value !== 'string' || EMAIL_ADDRESS.test(value.trim())) return;
  sink.error(
    issue(
      path,
      'invalid_address',
      `"${value}" is not an email address`,
      'write "addr@example.com" or "Name <addr@example.com>"',
    ),
  );
}

/** Roots of a template's global variables that are not in `TEMPLATE_ROOTS` (full paths). */
function unknownVariables(text: string): string[] {
  try {
    return liquid
      .globalVariableSegmentsSync(normaliseTemplateText(text))
      .filter((segments) => !TEMPLATE_ROOTS.includes(String(segments[0])))
      .map((segments) => segments.map(String).join('.'));
  } catch {
    return []; // a syntax error is reported by `liquidError`
  }
}

function checkSemantics(raw: Record<string, unknown>, opts: ValidateOptions, sink: Sink): void {
  const rawNodes = isRecord(raw['nodes']) ? raw['nodes'] : {};
  const nodes = new Map<string, Record<string, unknown>>();
  const parsed = new Map<string, JourneyNode>();
  for (const [id, node] of Object.entries(rawNodes)) {
    // A node the schema rejected outright still exists: links to it are not `unknown_target`.
    nodes.set(id, isRecord(node) ? node : {});
    const result = JourneyNode.safeParse(node);
    if (result.success) parsed.set(id, result.data);
  }
  checkTargets(raw['start'], nodes, parsed, sink);
  checkReachable(raw['start'], nodes, sink);
  checkLoops(nodes, sink);
  checkNodes(nodes, parsed, sink);
  checkTemplates(raw['templates'], nodes, opts, sink);
  checkChannels(parsed, opts, sink);
  checkStaffNotices(raw['templates'], parsed, opts, sink);
  checkPolicies(raw['policies'], sink);
  checkTrigger(raw['trigger'], sink);
}

/** The edges out of a node, in field order (every node kind names its targets in these fields). */
export function edgesOf(node: Record<string, unknown>): Edge[] {
  const edges: Edge[] = [];
  for (const field of ['next', 'onTimeout', 'default']) {
    const target = node[field];
    if (typeof target === 'string') edges.push({ field, target });
  }
  for (const list of ['cases', 'variants']) {
    const items = node[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, index) => {
      if (isRecord(item) && typeof item['next'] === 'string') {
        edges.push({ field: `${list}.${index}.next`, target: item['next'] });
      }
    });
  }
  return edges;
}

function checkTargets(
  start: unknown,
  nodes: Map<string, Record<string, unknown>>,
  parsed: Map<string, JourneyNode>,
  sink: Sink,
): void {
  const ids = [...nodes.keys()];
  if (typeof start === 'string' && !nodes.has(start)) {
    sink.error(
      issue(
        'start',
        'unknown_target',
        `start names node "${start}", which does not exist`,
        suggest(start, ids, 'existing nodes'),
      ),
    );
  }
  for (const [id, node] of nodes) {
    for (const edge of edgesOf(node)) {
      if (nodes.has(edge.target)) continue;
      sink.error(
        nodeIssue(
          id,
          edge.field,
          'unknown_target',
          `"${edge.field}" goes to node "${edge.target}", which does not exist`,
          suggest(edge.target, ids, 'existing nodes'),
        ),
      );
    }
  }
  const expectKind = (id: string, field: string, ref: string, want: string | string[]) => {
    const kinds = [want].flat();
    const target = nodes.get(ref);
    if (target === undefined) {
      sink.error(
        nodeIssue(
          id,
          field,
          'unknown_target',
          `"${field}" refers to node "${ref}", which does not exist`,
          suggest(ref, ids, 'existing nodes'),
        ),
      );
    } else if (!kinds.includes(rawType(target) ?? '')) {
      sink.error(
        nodeIssue(
          id,
          field,
          'unknown_target',
          `"${field}" must refer to a ${kinds.join(' or ')} node; "${ref}" is ${article(rawType(target) ?? 'invalid')} node`,
        ),
      );
    }
  };
  for (const [id, node] of parsed) {
    if (node.type === 'wait_for') {
      if (node.outcome) expectKind(id, 'outcome.node', node.outcome.node, ['send', 'webhook']);
      if (node.reply) expectKind(id, 'reply.node', node.reply.node, 'send');
      if (node.task) expectKind(id, 'task.node', node.task.node, 'task');
    }
    for (const [field, condition] of conditionsOf(node)) {
      for (const ref of outcomeRefs(condition, field)) {
        expectKind(id, ref.field, ref.node, ['send', 'webhook']);
      }
    }
  }
}

function conditionsOf(node: JourneyNode): Array<[string, Condition]> {
  switch (node.type) {
    case 'branch':
      return node.cases.map((c, i) => [`cases.${i}.when`, c.when]);
    case 'send':
      return node.skipIf ? [['skipIf', node.skipIf]] : [];
    case 'wait_for':
      return node.where ? [['where', node.where]] : [];
    default:
      return [];
  }
}

function outcomeRefs(condition: Condition, field: string): Array<{ field: string; node: string }> {
  if ('all' in condition)
    return condition.all.flatMap((c, i) => outcomeRefs(c, `${field}.all.${i}`));
  if ('any' in condition)
    return condition.any.flatMap((c, i) => outcomeRefs(c, `${field}.any.${i}`));
  if ('not' in condition) return outcomeRefs(condition.not, `${field}.not`);
  if ('outcome' in condition)
    return [{ field: `${field}.outcome.node`, node: condition.outcome.node }];
  if ('event' in condition && condition.where)
    return outcomeRefs(condition.where, `${field}.where`);
  return [];
}

function checkReachable(start: unknown, nodes: Map<string, Record<string, unknown>>, sink: Sink) {
  if (typeof start !== 'string' || !nodes.has(start)) return;
  const seen = new Set([start]);
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const node = nodes.get(id);
    for (const { target } of node ? edgesOf(node) : []) {
      if (nodes.has(target) && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  for (const id of nodes.keys()) {
    if (seen.has(id)) continue;
    sink.error(
      nodeIssue(
        id,
        '',
        'unreachable_node',
        `node "${id}" cannot be reached from start "${start}"`,
        'link it from another node or delete it',
      ),
    );
  }
}

const WAITING_TYPES = new Set(['wait', 'wait_for']);

/** Cycles through no wait/wait_for: strongly connected components of the non-waiting nodes. */
function checkLoops(nodes: Map<string, Record<string, unknown>>, sink: Sink): void {
  const graph = new Map<string, string[]>();
  for (const [id, node] of nodes) {
    if (WAITING_TYPES.has(rawType(node) ?? '')) continue;
    graph.set(id, []);
  }
  for (const [id, targets] of graph) {
    const node = nodes.get(id);
    for (const { target } of node ? edgesOf(node) : []) {
      if (graph.has(target)) targets.push(target);
    }
  }
  for (const component of stronglyConnected(graph)) {
    const [only] = component;
    const looped =
      component.length > 1 || (only !== undefined && (graph.get(only) ?? []).includes(only));
    if (!looped || only === undefined) continue;
    const members = [...component].sort();
    const first = members[0] ?? only;
    sink.error(
      nodeIssue(
        first,
        '',
        'loop_without_wait',
        `nodes ${members.map((m) => `"${m}"`).join(', ')} form a loop with no wait or wait_for: ` +
          'a customer would go round it forever',
        'put a wait (or a wait_for with a timeout) on the loop',
      ),
    );
  }
}

/** Tarjan's algorithm, iterative so that long chains cannot overflow the stack. */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const targets = graph.get(frame.id) ?? [];
      const target = targets[frame.next++];
      if (target !== undefined) {
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
          onStack.delete(member);
          component.push(member);
          if (member === frame.id) break;
        }
        result.push(component);
      }
    }
  }
  return result;
}

const WAIT_FOR_TARGETS = ['event', 'outcome', 'reply', 'task'] as const;

function checkNodes(
  nodes: Map<string, Record<string, unknown>>,
  parsed: Map<string, JourneyNode>,
  sink: Sink,
): void {
  for (const [id, node] of nodes) {
    if (rawType(node) === 'split' && node['holdout'] === 100) {
      sink.error(
        nodeIssue(
          id,
          'holdout',
          'holdout_all',
          'a holdout of 100% holds everyone out: no variant would ever run',
          'use a holdout below 100, e.g. 10',
        ),
      );
    }
    if (rawType(node) !== 'wait_for') continue;
    const named = WAIT_FOR_TARGETS.filter((key) => node[key] !== undefined);
    if (named.length === 1) continue;
    sink.error(
      nodeIssue(
        id,
        '',
        'wait_for_without_target',
        named.length === 0
          ? 'a wait-for must say what it waits for: one of event, outcome, reply or task'
          : `a wait-for waits for one thing; this one names ${named.join(' and ')}`,
        named.length === 0
          ? 'e.g. `outcome: { node: send-email, is: [opened] }` or `event: payment_received`'
          : 'chain two wait-for nodes, or wait for one and branch on the other',
      ),
    );
  }
  for (const [id, node] of parsed) {
    switch (node.type) {
      case 'wait':
        if (node.duration === undefined && (node.until === undefined || isEmpty(node.until))) {
          sink.error(
            nodeIssue(
              id,
              '',
              'empty_wait',
              'a wait needs a duration or an until',
              'e.g. `duration: 5m` or `until: { at: "09:00" }`',
            ),
          );
        }
        break;
      case 'split': {
        const names = new Set<string>();
        node.variants.forEach((variant, i) => {
          if (names.has(variant.name)) {
            sink.error(
              nodeIssue(
                id,
                `variants.${i}.name`,
                'duplicate_variant',
                `variant name "${variant.name}" is used twice; reports could not tell them apart`,
              ),
            );
          }
          names.add(variant.name);
        });
        break;
      }
      case 'update_profile':
        for (const [key, value] of Object.entries(node.set ?? {})) {
          if (typeof value !== 'string') continue;
          const error = liquidError(value);
          if (error !== undefined) {
            sink.error(
              nodeIssue(id, `set.${key}`, 'template_syntax', `value of "${key}": ${error}`),
            );
          }
        }
        break;
      default:
        break;
    }
  }
}

function checkTemplates(
  rawTemplates: unknown,
  nodes: Map<string, Record<string, unknown>>,
  opts: ValidateOptions,
  sink: Sink,
): void {
  const templates = isRecord(rawTemplates) ? rawTemplates : {};
  const known = new Set(opts.knownTemplates ?? []);
  const ids = [...Object.keys(templates), ...known];
  for (const [id, template] of Object.entries(templates)) {
    if (!isRecord(template)) continue;
    for (const field of ['subject', 'body', 'html']) {
      const text = template[field];
      if (typeof text !== 'string') continue;
      const error = liquidError(text);
      if (error !== undefined) {
        sink.error(
          issue(
            `templates.${id}.${field}`,
            'template_syntax',
            `template "${id}" ${field}: ${error}`,
          ),
        );
      }
      for (const variable of new Set(unknownVariables(text))) {
        sink.error(
          issue(
            `templates.${id}.${field}`,
            'unknown_variable',
            `template "${id}" ${field}: unknown variable "${variable}"`,
            `variables start from ${TEMPLATE_ROOTS.join(', ')} (e.g. profile.traits.${variable.split('.').pop()})`,
          ),
        );
      }
    }
    if (typeof template['body'] !== 'string' && typeof template['html'] !== 'string') {
      sink.error(
        issue(
          `templates.${id}.body`,
          'missing_body',
          `template "${id}" has no body`,
          'add `body` (the text); an email may give `html` instead',
        ),
      );
    }
    checkAddress(template['from'], `templates.${id}.from`, sink);
    checkAddress(template['replyTo'], `templates.${id}.replyTo`, sink);
  }
  for (const [id, node] of nodes) {
    const type = rawType(node);
    const ref = node['template'];
    if ((type !== 'send' && type !== 'alert') || typeof ref !== 'string') continue;
    const own = templates[ref];
    if (own === undefined && !known.has(ref)) {
      sink.error(
        nodeIssue(
          id,
          'template',
          'unknown_template',
          `template "${ref}" does not exist in this journey or the workspace`,
          suggest(ref, ids, 'existing templates') ?? 'add it under `templates:`',
        ),
      );
      continue;
    }
    const parsedTemplate = Template.safeParse(own);
    const wanted = parsedTemplate.success ? parsedTemplate.data.channel : undefined;
    // A channel the schema rejected is reported there; compare only valid ones.
    const channel = (type === 'send' ? Channel : AlertChannel).safeParse(node['channel']).data;
    if (wanted !== undefined && channel !== undefined && wanted !== channel) {
      sink.error(
        nodeIssue(
          id,
          'template',
          'unknown_template',
          `template "${ref}" is for ${wanted}, but this node sends ${channel}`,
          `use a ${channel} template, or set the template's channel to ${channel}`,
        ),
      );
    }
  }
}

function liquidError(text: string): string | undefined {
  try {
    liquid.parse(normaliseTemplateText(text));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const WEBHOOK_URL = /^https?:\/\/[^\s/]+/i;

/**
 * Staff notices (alert nodes, task escalations): a webhook goes to an http(s) URL, and an
 * escalation's template exists and is for its channel.
 */
function checkStaffNotices(
  rawTemplates: unknown,
  parsed: Map<string, JourneyNode>,
  opts: ValidateOptions,
  sink: Sink,
): void {
  const templates = isRecord(rawTemplates) ? rawTemplates : {};
  const known = new Set(opts.knownTemplates ?? []);
  for (const [id, node] of parsed) {
    const notice =
      node.type === 'alert'
        ? { at: '', ...node }
        : node.type === 'task' && node.escalate
          ? { at: 'escalate.', ...node.escalate }
          : null;
    if (!notice) continue;
    if (notice.channel === 'webhook' && !WEBHOOK_URL.test(notice.to)) {
      sink.error(
        nodeIssue(
          id,
          `${notice.at}to`,
          'invalid_url',
          `"${notice.to}" is not a webhook URL`,
          'write an http:// or https:// URL',
        ),
      );
    }
    if (node.type === 'alert') continue; // its template is checked with the send nodes'
    const own = templates[notice.template];
    if (own === undefined && !known.has(notice.template)) {
      sink.error(
        nodeIssue(
          id,
          'escalate.template',
          'unknown_template',
          `template "${notice.template}" does not exist in this journey or the workspace`,
          suggest(notice.template, [...Object.keys(templates), ...known], 'existing templates') ??
            'add it under `templates:`',
        ),
      );
      continue;
    }
    const wanted = Template.safeParse(own).data?.channel;
    if (wanted !== undefined && wanted !== notice.channel) {
      sink.error(
        nodeIssue(
          id,
          'escalate.template',
          'unknown_template',
          `template "${notice.template}" is for ${wanted}, but this escalation goes by ${notice.channel}`,
          `use a ${notice.channel} template, or set the template's channel to ${notice.channel}`,
        ),
      );
    }
  }
}

function checkChannels(parsed: Map<string, JourneyNode>, opts: ValidateOptions, sink: Sink) {
  if (opts.knownChannels === undefined) return;
  const known = new Set(opts.knownChannels);
  for (const [id, node] of parsed) {
    if (node.type !== 'send' || known.has(node.channel)) continue;
    sink.error(
      nodeIssue(
        id,
        'channel',
        'unknown_channel',
        `channel "${node.channel}" is not configured in this workspace`,
        `configured channels: ${[...known].join(', ') || 'none'}`,
      ),
    );
  }
}

function checkPolicies(rawPolicies: unknown, sink: Sink): void {
  if (!isRecord(rawPolicies)) return;
  const email = rawPolicies['email'];
  if (isRecord(email)) {
    checkAddress(email['from'], 'policies.email.from', sink);
    checkAddress(email['replyTo'], 'policies.email.replyTo', sink);
  }
  const timezone = rawPolicies['timezone'];
  if (typeof timezone === 'string' && timezone !== '' && !IANAZone.isValidZone(timezone)) {
    sink.error(
      issue(
        'policies.timezone',
        'invalid_timezone',
        `"${timezone}" is not a known IANA time zone`,
        'use a name such as "Europe/Lisbon" or "America/New_York"',
      ),
    );
  }
  const windows = isRecord(rawPolicies['sendWindows']) ? rawPolicies['sendWindows'] : {};
  for (const [key, rawWindow] of Object.entries(windows)) {
    const parsed = SendWindow.safeParse(rawWindow);
    if (!parsed.success) continue;
    const window = parsed.data;
    const path = `policies.sendWindows.${key}`;
    if (window.start === window.end) {
      sink.error(
        issue(
          path,
          'impossible_window',
          `the ${key} send window starts and ends at ${window.start}: nothing could ever be sent`,
          'for round-the-clock sending, remove the window',
        ),
      );
    }
    if (window.days.length === 0) {
      sink.error(
        issue(
          `${path}.days`,
          'impossible_window',
          `the ${key} send window has no days: nothing could ever be sent`,
          'list the days, or leave `days` out for every day',
        ),
      );
    }
    const repeated = window.days.filter((day, i) => window.days.indexOf(day) !== i);
    if (repeated.length > 0) {
      sink.warn(
        issue(
          `${path}.days`,
          'duplicate_window_day',
          `the ${key} send window lists ${[...new Set(repeated)].join(', ')} more than once`,
        ),
      );
    }
  }
  const goals = Array.isArray(rawPolicies['goals']) ? rawPolicies['goals'] : [];
  const seen = new Set<string>();
  goals.forEach((goal: unknown, i) => {
    const id = isRecord(goal) ? goal['id'] : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) {
      sink.error(
        issue(
          `policies.goals.${i}.id`,
          'duplicate_goal',
          `goal id "${id}" is used twice; conversions could not be told apart`,
        ),
      );
    }
    seen.add(id);
  });
}

function checkTrigger(trigger: unknown, sink: Sink): void {
  if (!isRecord(trigger) || trigger['type'] !== 'date') return;
  const field = trigger['field'];
  if (typeof field !== 'string') return;
  const hasEvent = trigger['event'] !== undefined;
  if (field.startsWith('event.properties.') && !hasEvent) {
    sink.error(
      issue(
        'trigger.event',
        'date_trigger_event',
        `a date trigger on ${field} needs "event": the event that carries the date`,
        'e.g. `event: appointment_booked`',
      ),
    );
  } else if (field.startsWith('profile.traits.') && hasEvent) {
    sink.error(
      issue(
        'trigger.event',
        'date_trigger_event',
        `a date trigger on ${field} reads the profile, so "event" does not apply`,
        'remove `event`, or use an `event.properties.<name>` field',
      ),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(value: object): boolean {
  return Object.values(value).every((v) => v === undefined);
}

function rawType(node: unknown): string | undefined {
  return isRecord(node) && typeof node['type'] === 'string' ? node['type'] : undefined;
}

function valueAt(root: unknown, path: Path): unknown {
  let at: unknown = root;
  for (const key of path) {
    if (Array.isArray(at) && typeof key === 'number') at = at[key];
    else if (isRecord(at) && typeof key === 'string') at = at[key];
    else return undefined;
  }
  return at;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping (object)';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** "did you mean …?" for a close match, else a list of what exists (when `listName` is given). */
function suggest(got: string, options: string[], listName?: string): string | undefined {
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
