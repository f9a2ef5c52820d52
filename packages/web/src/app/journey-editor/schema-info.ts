/**
 * What the inspector's forms are generated from: a kind's zod 4 schema read into a small tree
 * of field specs (string, number, boolean, enum, list, object, condition, …) with their
 * `.describe()` text and `.meta()` title (`positive duration`, `node id`, `time HH:MM`,
 * `time zone`). The schema is read defensively, as `unknown`: a part this reader does not know
 * becomes `other`, which the form edits as JSON.
 */
import { isRecord } from './json.ts';

/** The shape of one field of a form. */
export type FieldShape =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'literal'; value: unknown }
  | { kind: 'enum'; options: string[] }
  | { kind: 'object'; fields: Array<[string, FieldSpec]> }
  | { kind: 'list'; item: FieldSpec }
  | { kind: 'record'; keys: string[]; value: FieldSpec }
  | { kind: 'condition' }
  | { kind: 'other' };

/** A field: its shape and what the schema says of it. */
export type FieldSpec = FieldShape & {
  title?: string | undefined;
  description?: string | undefined;
  optional: boolean;
  fallback?: unknown;
};

type Def = Record<string, unknown>;

function defOf(schema: unknown): Def {
  if (!isRecord(schema) || !isRecord(schema._zod) || !isRecord(schema._zod.def)) return {};
  return schema._zod.def;
}

function metaOf(schema: unknown): { title?: string; description?: string } {
  if (!isRecord(schema) || typeof schema.meta !== 'function') return {};
  const meta: unknown = (schema.meta as () => unknown).call(schema);
  if (!isRecord(meta)) return {};
  return {
    ...(typeof meta.title === 'string' ? { title: meta.title } : {}),
    ...(typeof meta.description === 'string' ? { description: meta.description } : {}),
  };
}

/** The field spec of a schema. */
export function fieldSpec(schema: unknown, depth = 0): FieldSpec {
  const def = defOf(schema);
  const meta = metaOf(schema);
  const wrap = (shape: FieldShape): FieldSpec => ({ ...shape, ...meta, optional: false });
  switch (def.type) {
    case 'optional':
    case 'default': {
      const inner = fieldSpec(def.innerType, depth);
      const fallback = def.type === 'default' ? def.defaultValue : undefined;
      return {
        ...inner,
        title: inner.title ?? meta.title,
        description: meta.description ?? inner.description,
        optional: true,
        ...(fallback === undefined ? {} : { fallback }),
      };
    }
    case 'string':
      return wrap({ kind: 'string' });
    case 'number':
      return wrap({ kind: 'number' });
    case 'boolean':
      return wrap({ kind: 'boolean' });
    case 'literal':
      return wrap({
        kind: 'literal',
        value: Array.isArray(def.values) ? def.values[0] : undefined,
      });
    case 'enum':
      return wrap({
        kind: 'enum',
        options: isRecord(def.entries) ? Object.values(def.entries).map(String) : [],
      });
    case 'lazy':
      return wrap({ kind: 'condition' });
    case 'array':
      return wrap({ kind: 'list', item: fieldSpec(def.element, depth + 1) });
    case 'object': {
      if (depth > 6 || !isRecord(def.shape)) return wrap({ kind: 'other' });
      const fields = Object.entries(def.shape).map(([key, inner]): [string, FieldSpec] => [
        key,
        fieldSpec(inner, depth + 1),
      ]);
      return wrap({ kind: 'object', fields });
    }
    case 'record': {
      const keys = fieldSpec(def.keyType, depth + 1);
      if (keys.kind !== 'enum') return wrap({ kind: 'other' });
      return wrap({
        kind: 'record',
        keys: keys.options,
        value: fieldSpec(def.valueType, depth + 1),
      });
    }
    default:
      return wrap({ kind: 'other' });
  }
}

/** "onTimeout" → "On timeout", "valueProperty" → "Value property". */
export function fieldLabel(key: string): string {
  const words = key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A copy of an object with one key set, or removed with undefined. */
export function withKey(
  value: Record<string, unknown>,
  key: string,
  next: unknown,
): Record<string, unknown> {
  const out = { ...value };
  if (next === undefined) delete out[key];
  else out[key] = next;
  return out;
}
