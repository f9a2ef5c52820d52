/**
 * How a node looks on the canvas: its kind's icon and label, a one-line summary of its
 * settings, a red badge counting its issues, one input handle on top and one labelled output
 * handle per output of its kind (`outputsOf`: Next, Happened / Timed out, Case 1 / Otherwise, …).
 * The trigger is the top node; its one output is the journey's start.
 */
import { Trigger, outputsOf, triggerSummary } from '@waymark/core';
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import { memo } from 'react';
import { START_HANDLE, type JourneyNodeData, type TriggerNodeData } from './graph.ts';
import { kindIcon } from './kind-icons.ts';
import { nodeKindOf, triggerKindOf } from './kinds.ts';
import { nodeSummary } from './summary.ts';

function IssueBadge({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span className="node-issues" title={`${count} issue${count === 1 ? '' : 's'}`}>
      {count}
      <span className="visually-hidden"> issue{count === 1 ? '' : 's'}</span>
    </span>
  );
}

function Outputs({ outputs }: { outputs: Array<{ field: string; label: string }> }) {
  return (
    <div className="node-outputs">
      {outputs.map((output, i) => (
        <div
          key={output.field}
          className="node-output"
          style={{ left: `${((i + 1) / (outputs.length + 1)) * 100}%` }}
        >
          <span className="node-output-label">{output.label}</span>
          <Handle
            type="source"
            position={Position.Bottom}
            id={output.field}
            aria-label={`Output: ${output.label}`}
            title={`Drag to connect “${output.label}”`}
          />
        </div>
      ))}
    </div>
  );
}

/** A journey node on the canvas. */
export const JourneyNodeView = memo(function JourneyNodeView({
  id,
  data,
  selected,
}: NodeProps<Node<JourneyNodeData, 'journey'>>) {
  const kind = nodeKindOf(data.node.type);
  const Icon = kindIcon(kind?.icon ?? '');
  return (
    <div className={`flow-node${selected ? ' selected' : ''}${data.issues ? ' has-issues' : ''}`}>
      <Handle type="target" position={Position.Top} aria-label={`Input of ${id}`} />
      <div className="flow-node-head">
        <Icon size={16} aria-hidden="true" />
        <span className="flow-node-label">{kind?.label ?? String(data.node.type)}</span>
        <span className="flow-node-id">{id}</span>
        <IssueBadge count={data.issues} />
      </div>
      <p className="flow-node-summary">{nodeSummary(data.node)}</p>
      <Outputs outputs={outputsOf(data.node)} />
    </div>
  );
});

/** The trigger on the canvas. */
export const TriggerNodeView = memo(function TriggerNodeView({
  data,
  selected,
}: NodeProps<Node<TriggerNodeData, 'trigger'>>) {
  const kind = triggerKindOf(data.trigger.type);
  const Icon = kindIcon(kind?.icon ?? '');
  const parsed = Trigger.safeParse(data.trigger);
  const summary = parsed.success
    ? triggerSummary(parsed.data)
    : kind
      ? `${kind.label} · to fill in`
      : 'Choose what starts a run';
  return (
    <div
      className={`flow-node trigger${selected ? ' selected' : ''}${data.issues ? ' has-issues' : ''}`}
    >
      <div className="flow-node-head">
        <Icon size={16} aria-hidden="true" />
        <span className="flow-node-label">Trigger · {kind?.label ?? 'none'}</span>
        <IssueBadge count={data.issues} />
      </div>
      <p className="flow-node-summary">{summary}</p>
      <Outputs outputs={[{ field: START_HANDLE, label: 'Start' }]} />
    </div>
  );
});

/** The node types of the canvas. */
export const NODE_TYPES = { journey: JourneyNodeView, trigger: TriggerNodeView };
