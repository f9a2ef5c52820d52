/**
 * The inspector's inputs for the journey language's own kinds of value: durations (a number and
 * a unit, written `12h`), local times (`HH:MM`), time zones, node references (a choice of the
 * draft's nodes) and conditions (a field, an operator and a value; all-of / any-of lists). Each
 * takes the value as the document holds it and gives back the next one.
 */
import { parseDuration } from '@waymark/core';
import { useId } from 'react';
import { isRecord } from './json.ts';

/** The props every input of the inspector takes. */
export interface InputProps<T> {
  id: string;
  value: T | undefined;
  onChange(next: T | undefined): void;
  describedBy?: string | undefined;
  invalid?: boolean;
}

const DURATION_UNITS = [
  ['m', 'minutes', 60_000],
  ['h', 'hours', 3_600_000],
  ['d', 'days', 86_400_000],
  ['w', 'weeks', 604_800_000],
] as const;

/** Splits a duration into an amount and the largest unit that divides it. */
function splitDuration(value: string | undefined): { amount: string; unit: string } {
  const ms = value === undefined ? null : parseDuration(value);
  if (!ms || ms <= 0) return { amount: '', unit: 'h' };
  for (const [unit, , size] of [...DURATION_UNITS].reverse())
    if (ms % size === 0) return { amount: String(ms / size), unit };
  return { amount: String(ms / 60_000), unit: 'm' };
}

/** A duration: an amount and a unit, written in the short form (`12h`). */
export function DurationInput({ id, value, onChange, describedBy, invalid }: InputProps<string>) {
  const { amount, unit } = splitDuration(value);
  const write = (a: string, u: string) => onChange(a === '' ? undefined : `${a}${u}`);
  return (
    <span className="duration-input">
      <input
        id={id}
        type="number"
        min={1}
        inputMode="numeric"
        value={amount}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        onChange={(e) => write(e.target.value, unit)}
      />
      <select
        aria-label="Unit"
        value={unit}
        onChange={(e) => write(amount === '' ? '1' : amount, e.target.value)}
      >
        {DURATION_UNITS.map(([u, label]) => (
          <option key={u} value={u}>
            {label}
          </option>
        ))}
      </select>
    </span>
  );
}

/** A local time of day, `HH:MM`. */
export function TimeInput({ id, value, onChange, describedBy, invalid }: InputProps<string>) {
  return (
    <input
      id={id}
      type="time"
      value={value ?? ''}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
    />
  );
}

const ZONES: readonly string[] =
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** An IANA time zone, with the browser's list as suggestions. */
export function TimeZoneInput({ id, value, onChange, describedBy, invalid }: InputProps<string>) {
  const list = useId();
  return (
    <>
      <input
        id={id}
        list={list}
        value={value ?? ''}
        placeholder="e.g. Europe/Lisbon"
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
      <datalist id={list}>
        {ZONES.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}

/** A node of the draft, chosen by id. */
export function NodeRefInput({
  id,
  value,
  onChange,
  describedBy,
  invalid,
  nodeIds,
}: InputProps<string> & { nodeIds: readonly string[] }) {
  return (
    <select
      id={id}
      value={value ?? ''}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
    >
      <option value="">— none —</option>
      {nodeIds.map((node) => (
        <option key={node} value={node}>
          {node}
        </option>
      ))}
      {value !== undefined && !nodeIds.includes(value) && <option value={value}>{value}</option>}
    </select>
  );
}

const OPERATORS = [
  ['eq', 'is'],
  ['ne', 'is not'],
  ['gt', '>'],
  ['gte', '≥'],
  ['lt', '<'],
  ['lte', '≤'],
  ['contains', 'contains'],
  ['starts_with', 'starts with'],
  ['exists', 'exists'],
  ['not_exists', 'does not exist'],
] as const;

type Rule = { field?: string; op?: string; value?: unknown };
/** A typed value back from a text box: numbers and true/false as themselves. */
function parseValue(text: string): unknown {
  if (text === '') return undefined;
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return Number.isFinite(n) && /^-?\d/.test(text) ? n : text;
}

/** One comparison: field path, operator, value. */
function RuleRow({
  rule,
  onChange,
  onRemove,
  label,
}: {
  rule: Rule;
  onChange(next: Rule): void;
  onRemove(): void;
  label: string;
}) {
  const noValue = rule.op === 'exists' || rule.op === 'not_exists';
  const set = (key: keyof Rule, next: unknown) => {
    const out: Rule = { ...rule, [key]: next };
    if (next === undefined) delete out[key];
    if (key === 'op' && (next === 'exists' || next === 'not_exists')) delete out.value;
    onChange(out);
  };
  return (
    <div className="rule" role="group" aria-label={label}>
      <input
        aria-label={`${label}: field`}
        placeholder="profile.traits.plan"
        value={rule.field ?? ''}
        onChange={(e) => set('field', e.target.value || undefined)}
      />
      <select
        aria-label={`${label}: operator`}
        value={rule.op ?? 'eq'}
        onChange={(e) => set('op', e.target.value)}
      >
        {OPERATORS.map(([op, text]) => (
          <option key={op} value={op}>
            {text}
          </option>
        ))}
      </select>
      {!noValue && (
        <input
          aria-label={`${label}: value`}
          placeholder="value"
          value={rule.value === undefined ? '' : String(rule.value)}
          onChange={(e) => set('value', parseValue(e.target.value))}
        />
      )}
      <button type="button" className="small" aria-label={`Remove ${label}`} onClick={onRemove}>
        ×
      </button>
    </div>
  );
}

/**
 * A condition: a list of comparisons joined by "all" or "any". A condition this builder cannot
 * show (a nested group, a list or event condition) is kept and edited as JSON.
 */
export function ConditionInput({ id, value, onChange, describedBy }: InputProps<unknown>) {
  const group = isRecord(value) && Array.isArray(value.all) ? 'all' : 'any';
  const rules: unknown[] = !isRecord(value)
    ? []
    : Array.isArray(value.all)
      ? value.all
      : Array.isArray(value.any)
        ? value.any
        : 'field' in value
          ? [value]
          : [value];
  const simple = rules.every((r) => isRecord(r) && ('field' in r || Object.keys(r).length === 0));
  if (!simple)
    return (
      <textarea
        id={id}
        className="json"
        aria-describedby={describedBy}
        defaultValue={JSON.stringify(value, null, 2)}
        onBlur={(e) => {
          try {
            onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
          } catch {
            /* keeps the value until the text is JSON */
          }
        }}
      />
    );
  const write = (next: Rule[], join = group) =>
    onChange(next.length === 0 ? undefined : next.length === 1 ? next[0] : { [join]: next });
  const list = rules as Rule[];
  return (
    <div id={id} className="condition" aria-describedby={describedBy}>
      {list.length > 1 && (
        <select
          aria-label="Join the rules"
          value={group}
          onChange={(e) => write(list, e.target.value as 'all' | 'any')}
        >
          <option value="all">All of these hold</option>
          <option value="any">Any of these holds</option>
        </select>
      )}
      {list.map((rule, i) => (
        <RuleRow
          key={i}
          label={`Rule ${i + 1}`}
          rule={rule}
          onChange={(next) => write(list.map((r, j) => (j === i ? next : r)))}
          onRemove={() => write(list.filter((_, j) => j !== i))}
        />
      ))}
      <button
        type="button"
        className="small"
        onClick={() => write([...list, { field: '', op: 'eq', value: '' }])}
      >
        Add a rule
      </button>
    </div>
  );
}
