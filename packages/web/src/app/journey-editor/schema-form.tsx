/**
 * A form generated from a schema's field specs (schema-info.ts): one labelled input per field,
 * its `.describe()` text under it, and the validator's issues at its path shown on it with their
 * exact message. Values are written back immutably, an emptied field removing its key.
 */
import type { ValidationIssue } from '@waymark/core';
import { useId, type ReactNode } from 'react';
import {
  ConditionInput,
  DurationInput,
  NodeRefInput,
  TimeInput,
  TimeZoneInput,
} from './field-widgets.tsx';
import { fieldLabel, withKey, type FieldSpec } from './schema-info.ts';
import { channelLabel } from './summary.ts';
import { TemplateInput, type Templates } from './template-input.tsx';
import { isRecord } from './json.ts';

/** What the fields of a form can see besides their value. */
export interface FormContext {
  issues: readonly ValidationIssue[];
  nodeIds: readonly string[];
  templates: Templates;
  onTemplates(next: Templates): void;
  /** Labels of fields better named than by their key (a node's outputs: `Timed out`). */
  labels?: ReadonlyMap<string, string>;
}

const LABELS: Record<string, string> = { is: 'Outcomes', node: 'Node', skipIf: 'Skip if' };

/** The label of a per-channel entry (send windows, attribution windows): `SMS window`. */
const recordLabel = (key: string) =>
  key === 'default' ? 'Default window' : `${channelLabel(key)} window`;

/** The issues at a path (and, for a leaf, inside it). */
const issuesAt = (ctx: FormContext, path: string, inside: boolean) =>
  ctx.issues.filter((i) => i.path === path || (inside && i.path.startsWith(`${path}.`)));

/** The fields of an object, one per key of its spec (its `type` left out). */
export function ObjectFields({
  fields,
  value,
  onChange,
  path,
  ctx,
}: {
  fields: Array<[string, FieldSpec]>;
  value: Record<string, unknown>;
  onChange(next: Record<string, unknown>): void;
  path: string;
  ctx: FormContext;
}) {
  return (
    <>
      {fields
        .filter(([, spec]) => spec.kind !== 'literal')
        .map(([key, spec]) => (
          <SpecField
            key={key}
            label={ctx.labels?.get(key) ?? LABELS[key] ?? fieldLabel(key)}
            name={key}
            spec={spec}
            value={value[key]}
            owner={value}
            onChange={(next) => onChange(withKey(value, key, next))}
            path={path === '' ? key : `${path}.${key}`}
            ctx={ctx}
          />
        ))}
    </>
  );
}

/** One field of a form. */
export function SpecField(props: {
  label: string;
  name: string;
  spec: FieldSpec;
  value: unknown;
  owner: Record<string, unknown>;
  onChange(next: unknown): void;
  path: string;
  ctx: FormContext;
}) {
  const { label, spec, value, onChange, path, ctx } = props;
  const id = useId();
  if (spec.kind === 'object' || spec.kind === 'record') return <Group {...props} />;
  if (spec.kind === 'list' && spec.item.kind === 'object') return <ObjectList {...props} />;
  const issues = issuesAt(ctx, path, true);
  const described = [spec.description ? `${id}-help` : '', issues.length ? `${id}-issues` : '']
    .filter(Boolean)
    .join(' ');
  const input = { id, describedBy: described || undefined, invalid: issues.length > 0 };
  let control: ReactNode;
  const text = typeof value === 'string' ? value : undefined;
  const setText = (next: string | undefined) => onChange(next);
  if (spec.kind === 'string' && props.name === 'template')
    control = (
      <TemplateInput
        {...input}
        value={text}
        onChange={setText}
        channel={typeof props.owner.channel === 'string' ? props.owner.channel : undefined}
        templates={ctx.templates}
        onTemplates={ctx.onTemplates}
      />
    );
  else if (spec.kind === 'string' && /duration/.test(spec.title ?? ''))
    control = <DurationInput {...input} value={text} onChange={setText} />;
  else if (spec.kind === 'string' && spec.title === 'time HH:MM')
    control = <TimeInput {...input} value={text} onChange={setText} />;
  else if (spec.kind === 'string' && spec.title === 'time zone')
    control = <TimeZoneInput {...input} value={text} onChange={setText} />;
  else if (spec.kind === 'string' && spec.title === 'node id')
    control = <NodeRefInput {...input} value={text} onChange={setText} nodeIds={ctx.nodeIds} />;
  else if (spec.kind === 'condition')
    control = <ConditionInput {...input} value={value} onChange={onChange} />;
  else if (spec.kind === 'string')
    control = (
      <input
        id={id}
        value={text ?? ''}
        aria-describedby={input.describedBy}
        aria-invalid={input.invalid || undefined}
        onChange={(e) => setText(e.target.value === '' ? undefined : e.target.value)}
      />
    );
  else if (spec.kind === 'number')
    control = (
      <input
        id={id}
        type="number"
        value={typeof value === 'number' ? value : ''}
        aria-describedby={input.describedBy}
        aria-invalid={input.invalid || undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    );
  else if (spec.kind === 'boolean')
    control = (
      <input
        id={id}
        type="checkbox"
        checked={typeof value === 'boolean' ? value : spec.fallback === true}
        aria-describedby={input.describedBy}
        onChange={(e) => onChange(e.target.checked)}
      />
    );
  else if (spec.kind === 'enum')
    control = (
      <select
        id={id}
        value={typeof value === 'string' ? value : ''}
        aria-describedby={input.describedBy}
        aria-invalid={input.invalid || undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      >
        {(spec.optional || typeof value !== 'string') && <option value="">— default —</option>}
        {spec.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  else if (spec.kind === 'list' && spec.item.kind === 'enum') {
    // An absent list with a default shows the default (send-window days: every day).
    const chosen = Array.isArray(value) ? value : Array.isArray(spec.fallback) ? spec.fallback : [];
    const options = spec.item.options;
    return (
      <fieldset className={issues.length ? 'field invalid' : 'field'} aria-describedby={described}>
        <legend>{label}</legend>
        <div className="choices">
          {options.map((option) => (
            <label key={option} className="choice">
              <input
                type="checkbox"
                checked={chosen.includes(option)}
                onChange={(e) => {
                  const next = e.target.checked
                    ? options.filter((o) => o === option || chosen.includes(o))
                    : chosen.filter((o) => o !== option);
                  onChange(next.length === 0 ? undefined : next);
                }}
              />
              {option}
            </label>
          ))}
        </div>
        <Notes id={id} spec={spec} issues={issues} />
      </fieldset>
    );
  } else
    control = (
      <textarea
        id={id}
        className="json"
        aria-describedby={input.describedBy}
        defaultValue={value === undefined ? '' : JSON.stringify(value, null, 2)}
        onBlur={(e) => {
          try {
            onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
          } catch {
            /* keeps the value until the text is JSON */
          }
        }}
      />
    );
  return (
    <div className={issues.length ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {control}
      <Notes id={id} spec={spec} issues={issues} />
    </div>
  );
}

/** A field's help and its issues. */
function Notes({ id, spec, issues }: { id: string; spec: FieldSpec; issues: ValidationIssue[] }) {
  return (
    <>
      {spec.description && (
        <p className="hint" id={`${id}-help`}>
          {spec.description}
        </p>
      )}
      {issues.length > 0 && (
        <ul className="field-error" id={`${id}-issues`}>
          {issues.map((i) => (
            <li key={`${i.path}:${i.code}:${i.message}`}>{i.message}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** An object (or a record over a fixed set of keys): a fieldset, added and removed when optional. */
function Group(props: Parameters<typeof SpecField>[0]) {
  const { label, spec, value, onChange, path, ctx } = props;
  const issues = issuesAt(ctx, path, false);
  const present = isRecord(value);
  if (!present && spec.optional)
    return (
      <div className="field">
        <button type="button" className="small" onClick={() => onChange({})}>
          Add {label.toLowerCase()}
        </button>
        {spec.description && <p className="hint">{spec.description}</p>}
      </div>
    );
  const object = present ? value : {};
  return (
    <fieldset className={issues.length ? 'group invalid' : 'group'}>
      <legend>{label}</legend>
      {spec.description && <p className="hint">{spec.description}</p>}
      {spec.kind === 'object' && (
        <ObjectFields
          fields={spec.fields}
          value={object}
          onChange={onChange}
          path={path}
          ctx={ctx}
        />
      )}
      {spec.kind === 'record' && (
        <ObjectFields
          fields={spec.keys.map((key) => [
            key,
            { ...spec.value, optional: true, description: undefined },
          ])}
          value={object}
          onChange={(next) => onChange(Object.keys(next).length === 0 ? undefined : next)}
          path={path}
          ctx={{ ...ctx, labels: new Map(spec.keys.map((k) => [k, recordLabel(k)])) }}
        />
      )}
      {issues.length > 0 && (
        <ul className="field-error">
          {issues.map((i) => (
            <li key={`${i.code}:${i.message}`}>{i.message}</li>
          ))}
        </ul>
      )}
      {spec.optional && (
        <button type="button" className="small" onClick={() => onChange(undefined)}>
          Remove {label.toLowerCase()}
        </button>
      )}
    </fieldset>
  );
}

/** A list of objects (branch cases, split variants, caps, goals): items added and removed. */
function ObjectList(props: Parameters<typeof SpecField>[0]) {
  const { label, spec, value, onChange, path, ctx } = props;
  if (spec.kind !== 'list' || spec.item.kind !== 'object') return null;
  const fields = spec.item.fields;
  const items = Array.isArray(value) ? value : [];
  const write = (next: unknown[]) =>
    onChange(next.length === 0 && spec.optional ? undefined : next);
  const issues = issuesAt(ctx, path, false);
  return (
    <fieldset className={issues.length ? 'group invalid' : 'group'}>
      <legend>{label}</legend>
      {spec.description && <p className="hint">{spec.description}</p>}
      {items.map((item, i) => (
        <fieldset key={i} className="group item">
          <legend>
            {label} {i + 1}
          </legend>
          <ObjectFields
            fields={fields}
            value={isRecord(item) ? item : {}}
            onChange={(next) => write(items.map((it, j) => (j === i ? next : it)))}
            path={`${path}.${i}`}
            ctx={{ ...ctx, labels: new Map() }}
          />
          <button
            type="button"
            className="small"
            onClick={() => write(items.filter((_, j) => j !== i))}
          >
            Remove {label.toLowerCase()} {i + 1}
          </button>
        </fieldset>
      ))}
      {issues.map((i) => (
        <p className="field-error" key={`${i.code}:${i.message}`}>
          {i.message}
        </p>
      ))}
      <button type="button" className="small" onClick={() => write([...items, {}])}>
        Add to {label.toLowerCase()}
      </button>
    </fieldset>
  );
}
