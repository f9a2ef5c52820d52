/**
 * Evaluates the condition language (`conditions/schema.ts`) against what a run knows: the
 * profile, the event being matched, the trigger, what the last wait received, the events seen
 * and the messages sent. Never throws on missing or odd data: a missing path is `undefined`,
 * for which only `exists`/`not_exists`/`ne`/`nin` can hold.
 *
 * Paths (first segment is the root):
 * - `profile.id|traits.<path>|timezone|lists`; trait paths descend nested objects, and a trait
 *   whose own name contains dots (`"address.city"`) is found too (longest key first)
 * - `event.*`, `trigger.*`: `name`, `type`, `timestamp`, `properties.<path>`
 * - `last.*`: `name`/`properties.<path>` of the last event a wait received, `outcome` (its type:
 *   `opened`, `replied`…), `reply.intent|score|text|keyword`, `data.<path>` (outcome data),
 *   `task.outcome|note`, and `event` / `message` for the full facts
 * - `run.variant`, `run.enteredAt`, and `now`
 *
 * Operators: `eq`/`ne` compare primitives (numbers numerically even when one side is a numeric
 * string) and arrays/objects structurally; `gt`/`gte`/`lt`/`lte` compare numbers, or ISO dates
 * (a date against epoch milliseconds works too); `in`/`nin` take an array; `contains` is a
 * case-sensitive substring or an array member; `matches` takes a regex, `/…/i` or a leading
 * `(?i)` for flags (`regex.ts`).
 */
import { DateTime } from 'luxon';
import { parseDuration } from '../journey/duration.ts';
import type { EventFact, ProfileFact, RunState } from '../evaluator/types.ts';
import { compileRegex } from './regex.ts';
import type { ComparisonOp, Condition } from './schema.ts';
import { assertNever } from '../util/assert-never.ts';

/** Everything a condition can read. */
export interface ConditionScope {
  profile: ProfileFact;
  /** The event being matched (filters, goals); inside a run, the event that started it. */
  event?: EventFact | undefined;
  /** The event that started the run. */
  trigger?: EventFact | null | undefined;
  last?: RunState['last'];
  run?: { variant?: string | undefined; enteredAt: number } | undefined;
  seen?: RunState['seen'] | undefined;
  messages?: RunState['messages'] | undefined;
  now: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Walks `parts` into `value`, trying the longest dotted key first at every level. */
function descend(value: unknown, parts: string[]): unknown {
  if (parts.length === 0) return value;
  if (!isObject(value)) return undefined;
  for (let k = parts.length; k >= 1; k--) {
    const key = parts.slice(0, k).join('.');
    if (Object.hasOwn(value, key)) return descend(value[key], parts.slice(k));
  }
  return undefined;
}

/** The `last.*` view of what the last wait received. */
function lastView(last: RunState['last']): Record<string, unknown> | undefined {
  if (!last) return undefined;
  return {
    event: last.event,
    name: last.event?.name,
    properties: last.event?.properties,
    message: last.outcome,
    outcome: last.outcome?.type,
    reply: last.outcome?.reply,
    data: last.outcome?.data,
    task: last.task,
  };
}

/** Reads a field path (`profile.traits.plan`, `last.reply.intent`) from a scope; undefined when absent. */
export function getPath(scope: ConditionScope, path: string): unknown {
  const [root, ...rest] = path.split('.');
  switch (root) {
    case 'profile':
      return descend(scope.profile, rest);
    case 'event':
      return descend(scope.event, rest);
    case 'trigger':
      return descend(scope.trigger, rest);
    case 'last':
      return descend(lastView(scope.last), rest);
    case 'run':
      return descend(scope.run, rest);
    case 'now':
      return rest.length === 0 ? scope.now : undefined;
    default:
      return undefined;
  }
}

const NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  return null;
}

/** An ISO date string as epoch ms (UTC when it carries no offset). */
function toTime(value: unknown): number | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value.trim())) return null;
  const parsed = DateTime.fromISO(value.trim().replace(' ', 'T'), { zone: 'utc' });
  return parsed.isValid ? parsed.toMillis() : null;
}

/** Both sides as comparable numbers (numbers, numeric strings, ISO dates), or null. */
function ordered(a: unknown, b: unknown): [number, number] | null {
  const na = toNumber(a);
  const nb = toNumber(b);
  const ta = toTime(a);
  const tb = toTime(b);
  if (ta !== null || tb !== null) {
    const x = ta ?? (typeof a === 'number' ? na : null);
    const y = tb ?? (typeof b === 'number' ? nb : null);
    return x !== null && y !== null ? [x, y] : null;
  }
  return na !== null && nb !== null ? [na, nb] : null;
}

/** Equality of the condition language: numbers numerically, arrays and objects structurally. */
function looseEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a === 'number' || typeof b === 'number') {
    const na = toNumber(a);
    const nb = toNumber(b);
    return na !== null && nb !== null && na === nb;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => looseEqual(x, b[i]))
    );
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && looseEqual(a[k], b[k]))
    );
  }
  return false;
}

/** Applies a comparison operator to an actual value and the condition's value. */
export function compareValues(op: ComparisonOp, actual: unknown, expected: unknown): boolean {
  switch (op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'not_exists':
      return actual === undefined || actual === null;
    case 'eq':
      return actual !== undefined && looseEqual(actual, expected);
    case 'ne':
      return actual === undefined || !looseEqual(actual, expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const pair = ordered(actual, expected);
      if (!pair) return false;
      const [x, y] = pair;
      if (op === 'gt') return x > y;
      if (op === 'gte') return x >= y;
      if (op === 'lt') return x < y;
      return x <= y;
    }
    case 'in':
    case 'nin': {
      const options = Array.isArray(expected) ? expected : [expected];
      const values = Array.isArray(actual) ? actual : [actual];
      const hit = actual !== undefined && values.some((v) => options.some((o) => looseEqual(v, o)));
      return op === 'in' ? hit : !hit;
    }
    case 'contains':
      if (typeof actual === 'string')
        return typeof expected === 'string' && actual.includes(expected);
      return Array.isArray(actual) && actual.some((v) => looseEqual(v, expected));
    case 'starts_with':
      return (
        typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected)
      );
    case 'matches': {
      if (typeof expected !== 'string') return false;
      if (typeof actual !== 'string' && typeof actual !== 'number') return false;
      return compileRegex(expected)?.test(String(actual)) ?? false;
    }
    default:
      return assertNever(op, 'operator');
  }
}

/** The first word of a text, lower-cased, without surrounding punctuation. */
export function firstWord(text: string): string {
  const word = text.trim().split(/\s+/)[0] ?? '';
  return word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').toLowerCase();
}

type EventCount = Extract<Condition, { event: string }>;
type ReplyTest = Extract<Condition, { reply: unknown }>['reply'];

function countEvents(cond: EventCount, scope: ConditionScope): boolean {
  const within = cond.within === undefined ? null : parseDuration(cond.within);
  const since = within === null ? -Infinity : scope.now - Math.abs(within);
  let count = 0;
  for (const seen of scope.seen ?? []) {
    if (seen.name !== cond.event || seen.at < since || seen.at > scope.now) continue;
    if (cond.where) {
      const event: EventFact = {
        id: seen.id ?? '',
        type: 'track',
        name: seen.name,
        properties: seen.properties,
        timestamp: seen.at,
      };
      if (!evaluateCondition(cond.where, { ...scope, event })) continue;
    }
    count += 1;
  }
  const bound = cond.count ?? { op: 'gte', value: 1 };
  return compareValues(bound.op, count, bound.value);
}

/** A test's value or list of values, as a list. */
function listOf<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Whether a reply's score passes a score test (`4`, `{ op, value }`, `{ between: [1, 3] }`). */
function testScore(test: NonNullable<ReplyTest['score']>, score: number | undefined): boolean {
  if (score === undefined) return false;
  if (typeof test === 'number') return score === test;
  if ('between' in test) return score >= test.between[0] && score <= test.between[1];
  return compareValues(test.op, score, test.value);
}

/**
 * Reply tests hold when every given part matches: the intent (one or a list), the score, the
 * keyword (one or a list; the reply's keyword, else its first word, ignoring case) and the
 * pattern (a regex on the text, ignoring case).
 */
function testReply(test: ReplyTest, scope: ConditionScope): boolean {
  const reply = scope.last?.outcome?.reply;
  if (!reply) return false;
  if (test.intent !== undefined && !listOf(test.intent).includes(reply.intent ?? 'unknown')) {
    return false;
  }
  if (test.score !== undefined && !testScore(test.score, reply.score)) return false;
  if (test.keyword !== undefined) {
    const keyword = reply.keyword?.toLowerCase() ?? firstWord(reply.text);
    if (!listOf(test.keyword).some((k) => k.toLowerCase() === keyword)) return false;
  }
  if (test.pattern !== undefined && !(compileRegex(test.pattern, 'i')?.test(reply.text) ?? false)) {
    return false;
  }
  return true;
}

/** Evaluates a condition against a scope; never throws on missing data. */
export function evaluateCondition(cond: Condition, scope: ConditionScope): boolean {
  if ('all' in cond) return cond.all.every((c) => evaluateCondition(c, scope));
  if ('any' in cond) return cond.any.some((c) => evaluateCondition(c, scope));
  if ('not' in cond) return !evaluateCondition(cond.not, scope);
  if ('field' in cond) {
    const value = cond.valueFrom === undefined ? cond.value : getPath(scope, cond.valueFrom);
    return compareValues(cond.op, getPath(scope, cond.field), value);
  }
  if ('inList' in cond) return scope.profile.lists.includes(cond.inList);
  if ('notInList' in cond) return !scope.profile.lists.includes(cond.notInList);
  if ('event' in cond) return countEvents(cond, scope);
  if ('reply' in cond) return testReply(cond.reply, scope);
  if ('outcome' in cond) {
    return scope.messages?.[cond.outcome.node]?.outcomes.includes(cond.outcome.is) ?? false;
  }
  return assertNever(cond, 'condition');
}
