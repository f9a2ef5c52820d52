/**
 * `{{ path }}` placeholders in node fields (profile updates, interests, webhook headers and
 * bodies), filled from the run's scope when the node runs. Message templates are Liquid and are
 * rendered by the server; these are plain paths.
 */
import { getPath, type ConditionScope } from '../conditions/evaluate.ts';

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([^{}\s]+)\s*\}\}$/;

/** Resolves `{{ path }}` placeholders; a value that is one placeholder keeps the field's type. */
export function fillPlaceholders(value: unknown, scope: ConditionScope): unknown {
  if (typeof value !== 'string') return value;
  const whole = WHOLE_PLACEHOLDER.exec(value);
  if (whole?.[1]) return getPath(scope, whole[1]);
  return value.replace(PLACEHOLDER, (_, path: string) => {
    const found = getPath(scope, path);
    if (found === undefined || found === null) return '';
    return typeof found === 'object' ? JSON.stringify(found) : String(found);
  });
}

/** `fillPlaceholders` through arrays and objects (a webhook body); unresolved whole values drop. */
export function fillDeep(value: unknown, scope: ConditionScope): unknown {
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, scope) ?? null);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const filled = fillDeep(v, scope);
      if (filled !== undefined) out[k] = filled;
    }
    return out;
  }
  return fillPlaceholders(value, scope);
}
