/**
 * The side panel: the selected node's settings (its id, then a form generated from its kind's
 * schema), the trigger's (its kind, then its kind's form), or, with nothing selected, the
 * journey's settings (name, send windows, frequency caps, goals). Every change goes through
 * `onChange` as a new draft.
 */
import {
  Policies,
  TRIGGER_KINDS,
  draftNodes,
  outputsOf,
  renameNode,
  type JourneyDraft,
  type ValidationIssue,
} from '@waymark/core';
import { useEffect, useId, useMemo, useState } from 'react';
import { nodeKindOf, triggerKindOf } from './kinds.ts';
import { NodeRefInput } from './field-widgets.tsx';
import { kindIcon } from './kind-icons.ts';
import { ObjectFields, type FormContext } from './schema-form.tsx';
import { fieldSpec, withKey, type FieldSpec } from './schema-info.ts';
import { templatesOf } from './template-input.tsx';
import { TRIGGER_ID } from './graph.ts';
import { recordOf } from './json.ts';

const fieldsOf = (spec: FieldSpec): Array<[string, FieldSpec]> =>
  spec.kind === 'object' ? spec.fields : [];

const SETTINGS = new Set(['timezone', 'sendWindows', 'frequencyCaps', 'goals']);
const POLICY_FIELDS = fieldsOf(fieldSpec(Policies)).filter(([key]) => SETTINGS.has(key));

function useFormContext(
  draft: JourneyDraft,
  issues: readonly ValidationIssue[],
  onChange: (next: JourneyDraft) => void,
): FormContext {
  return {
    issues,
    nodeIds: Object.keys(draftNodes(draft)),
    templates: templatesOf(draft.templates),
    onTemplates: (templates) => onChange({ ...draft, templates }),
  };
}

function IssueList({ issues }: { issues: readonly ValidationIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul className="field-error">
      {issues.map((i) => (
        <li key={`${i.path}:${i.code}:${i.message}`}>{i.message}</li>
      ))}
    </ul>
  );
}

/** The id of a node, renamed (with every reference) when the field is left. */
function RenameField({
  id,
  draft,
  onChange,
}: {
  id: string;
  draft: JourneyDraft;
  onChange(next: JourneyDraft, renamed: string): void;
}) {
  const [text, setText] = useState(id);
  const [error, setError] = useState<string | null>(null);
  const field = useId();
  useEffect(() => {
    setText(id);
    setError(null);
  }, [id]);
  const commit = () => {
    if (text === id) return;
    try {
      onChange(renameNode(draft, id, text), text);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={field}>Node id</label>
      <input
        id={field}
        value={text}
        aria-invalid={error ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

/** The inspector of one journey node. */
function NodeInspector(props: {
  id: string;
  draft: JourneyDraft;
  issues: readonly ValidationIssue[];
  onChange(next: JourneyDraft): void;
  onRenamed(id: string): void;
  onRemove(): void;
  readOnly: boolean;
}) {
  const { id, draft, issues, onChange } = props;
  const node = draftNodes(draft)[id] ?? {};
  const kind = nodeKindOf(node.type);
  const spec = useMemo(() => (kind ? fieldSpec(kind.schema) : undefined), [kind]);
  const ctx = useFormContext(draft, issues, onChange);
  const labels = new Map(outputsOf(node).map((o) => [o.field, o.label]));
  const Icon = kindIcon(kind?.icon ?? '');
  const path = `nodes.${id}`;
  const write = (next: Record<string, unknown>) =>
    onChange({ ...draft, nodes: { ...draftNodes(draft), [id]: next } });
  return (
    <fieldset className="inspector-body" disabled={props.readOnly}>
      <legend className="inspector-title">
        <Icon size={16} aria-hidden="true" /> {kind?.label ?? 'Unknown kind'}
      </legend>
      {kind && <p className="hint">{kind.help}</p>}
      <RenameField
        id={id}
        draft={draft}
        onChange={(next, renamed) => {
          onChange(next);
          props.onRenamed(renamed);
        }}
      />
      <IssueList issues={issues.filter((i) => i.path === path)} />
      {spec && (
        <ObjectFields
          fields={fieldsOf(spec)}
          value={node}
          onChange={write}
          path={path}
          ctx={{ ...ctx, labels }}
        />
      )}
      <button type="button" className="danger" onClick={props.onRemove}>
        Delete node
      </button>
    </fieldset>
  );
}

/** The inspector of the trigger: its kind, then its fields. */
function TriggerInspector(props: {
  draft: JourneyDraft;
  issues: readonly ValidationIssue[];
  onChange(next: JourneyDraft): void;
  readOnly: boolean;
}) {
  const { draft, issues, onChange } = props;
  const trigger = recordOf(draft.trigger);
  const kind = triggerKindOf(trigger.type);
  const spec = useMemo(() => (kind ? fieldSpec(kind.schema) : undefined), [kind]);
  const ctx = useFormContext(draft, issues, onChange);
  const select = useId();
  const start = useId();
  return (
    <fieldset className="inspector-body" disabled={props.readOnly}>
      <legend className="inspector-title">Trigger</legend>
      <div className="field">
        <label htmlFor={select}>What starts a run</label>
        <select
          id={select}
          value={kind?.type ?? ''}
          onChange={(e) => {
            const next = triggerKindOf(e.target.value);
            if (next) onChange({ ...draft, trigger: structuredClone(next.defaults) });
          }}
        >
          {!kind && <option value="">Choose…</option>}
          {Object.values(TRIGGER_KINDS).map((k) => (
            <option key={k.type} value={k.type} title={k.help}>
              {k.label}
            </option>
          ))}
        </select>
        {kind && <p className="hint">{kind.help}</p>}
      </div>
      <div className="field">
        <label htmlFor={start}>Start</label>
        <NodeRefInput
          id={start}
          value={typeof draft.start === 'string' ? draft.start : undefined}
          nodeIds={ctx.nodeIds}
          onChange={(next) => onChange(withKey(draft, 'start', next))}
        />
        <p className="hint">The first step of a run (the trigger's handle on the canvas).</p>
        <IssueList issues={issues.filter((i) => i.path === 'start')} />
      </div>
      <IssueList issues={issues.filter((i) => i.path === 'trigger')} />
      {spec && (
        <ObjectFields
          fields={fieldsOf(spec)}
          value={trigger}
          onChange={(next) => onChange({ ...draft, trigger: next })}
          path="trigger"
          ctx={ctx}
        />
      )}
    </fieldset>
  );
}

/** The journey's own settings: its name and its policies. */
function SettingsPanel(props: {
  draft: JourneyDraft;
  issues: readonly ValidationIssue[];
  onChange(next: JourneyDraft): void;
  readOnly: boolean;
}) {
  const { draft, issues, onChange } = props;
  const ctx = useFormContext(draft, issues, onChange);
  const name = useId();
  const policies = recordOf(draft.policies);
  return (
    <fieldset className="inspector-body" disabled={props.readOnly}>
      <legend className="inspector-title">Journey settings</legend>
      <div className="field">
        <label htmlFor={name}>Name</label>
        <input
          id={name}
          value={typeof draft.name === 'string' ? draft.name : ''}
          onChange={(e) => onChange({ ...draft, name: e.target.value })}
        />
        <IssueList issues={issues.filter((i) => i.path === 'name')} />
      </div>
      <ObjectFields
        fields={POLICY_FIELDS}
        value={policies}
        onChange={(next) =>
          onChange(withKey(draft, 'policies', Object.keys(next).length ? next : undefined))
        }
        path="policies"
        ctx={ctx}
      />
    </fieldset>
  );
}

/** The side panel for the selection. */
export function Inspector(props: {
  selected: string | null;
  draft: JourneyDraft;
  issues: readonly ValidationIssue[];
  onChange(next: JourneyDraft): void;
  onSelect(id: string | null): void;
  onRemove(ids: string[]): void;
  readOnly: boolean;
}) {
  const { selected, draft } = props;
  let body;
  if (selected === TRIGGER_ID) body = <TriggerInspector {...props} />;
  else if (selected !== null && selected in draftNodes(draft))
    body = (
      <NodeInspector
        {...props}
        id={selected}
        onRenamed={(id) => props.onSelect(id)}
        onRemove={() => props.onRemove([selected])}
      />
    );
  else body = <SettingsPanel {...props} />;
  return (
    <aside className="inspector" aria-label="Inspector">
      {selected !== null && (
        <button type="button" className="small link" onClick={() => props.onSelect(null)}>
          Journey settings
        </button>
      )}
      {body}
    </aside>
  );
}
