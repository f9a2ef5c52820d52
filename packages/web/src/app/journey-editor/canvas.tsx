/**
 * The canvas (React Flow): the draft's nodes and edges, drawn from the draft on every change.
 * React Flow keeps only what the draft does not hold — each node's measured size and its
 * position while it is dragged; everything else (selection included) comes from the editor.
 * Connecting, deleting, dropping a palette kind and the end of a drag are reported as edits.
 */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import type { NodeType } from '@waymark/core';
import { useCallback, useEffect, useState, type DragEvent } from 'react';
import { NODE_TYPES } from './canvas-nodes.tsx';
import type { DraftLayout } from './drafts-api.ts';
import { FIT_VIEW, TRIGGER_ID, type FlowNode } from './graph.ts';
import { nodeKindOf } from './kinds.ts';
import { KIND_MIME } from './palette.tsx';

/** What the canvas shows and what it reports. */
export interface CanvasProps {
  nodes: FlowNode[];
  edges: Edge[];
  selected: ReadonlySet<string>;
  readOnly: boolean;
  onSelect(next: Set<string>): void;
  onConnect(o: { source: string; handle: string; target: string }): void;
  onDelete(o: { nodes: string[]; edges: Edge[] }): void;
  onMoved(positions: DraftLayout): void;
  onDropKind(type: NodeType, at: { x: number; y: number }): void;
}

/** Keeps React Flow's measured sizes and drag positions across redraws from the draft. */
function useFlowNodes(derived: FlowNode[]) {
  const [nodes, setNodes] = useState<FlowNode[]>(derived);
  useEffect(() => {
    setNodes((previous) => {
      const before = new Map(previous.map((n) => [n.id, n]));
      return derived.map((node) => {
        const measured = before.get(node.id)?.measured;
        return measured ? { ...node, measured } : node;
      });
    });
  }, [derived]);
  return [nodes, setNodes] as const;
}

/** Applies select changes to a selection. */
function selectionAfter(
  selected: ReadonlySet<string>,
  changes: ReadonlyArray<NodeChange<FlowNode> | EdgeChange>,
): Set<string> | null {
  let next: Set<string> | null = null;
  for (const change of changes) {
    if (change.type !== 'select') continue;
    next ??= new Set(selected);
    if (change.selected) next.add(change.id);
    else next.delete(change.id);
  }
  return next;
}

/** The canvas. */
export function Canvas(props: CanvasProps) {
  const { selected, onSelect, readOnly } = props;
  const [nodes, setNodes] = useFlowNodes(props.nodes);
  const flow = useReactFlow();

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const next = selectionAfter(selected, changes);
      if (next) onSelect(next);
      const kept = changes.filter((c) => c.type !== 'select' && c.type !== 'remove');
      if (kept.length) setNodes((ns) => applyNodeChanges(kept, ns));
    },
    [selected, onSelect, setNodes],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const next = selectionAfter(selected, changes);
      if (next) onSelect(next);
    },
    [selected, onSelect],
  );
  const isValidConnection = useCallback(
    (c: Connection | Edge) => c.target !== TRIGGER_ID && c.source !== c.target,
    [],
  );
  const onDrop = (event: DragEvent) => {
    const kind = nodeKindOf(event.dataTransfer.getData(KIND_MIME));
    if (!kind || readOnly) return;
    event.preventDefault();
    const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    props.onDropKind(kind.type, { x: Math.round(at.x - 120), y: Math.round(at.y - 20) });
  };

  return (
    <div className="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <ReactFlow<FlowNode>
        nodes={nodes}
        edges={props.edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={(c) => {
          if (c.sourceHandle && c.target)
            props.onConnect({ source: c.source, handle: c.sourceHandle, target: c.target });
        }}
        isValidConnection={isValidConnection}
        onDelete={({ nodes: gone, edges }) =>
          props.onDelete({ nodes: gone.map((n) => n.id), edges })
        }
        onNodeDragStop={(_, __, dragged) =>
          props.onMoved(
            Object.fromEntries(
              dragged.map((n) => [
                n.id,
                { x: Math.round(n.position.x), y: Math.round(n.position.y) },
              ]),
            ),
          )
        }
        nodesConnectable={!readOnly}
        nodesDraggable={!readOnly}
        elementsSelectable
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        defaultEdgeOptions={{ type: 'smoothstep' }}
        fitView
        fitViewOptions={FIT_VIEW}
        minZoom={0.2}
        aria-label="Journey canvas"
      >
        <Background gap={16} />
        <Controls aria-label="Zoom" />
        <MiniMap pannable zoomable aria-label="Overview" style={{ width: 120, height: 80 }} />
      </ReactFlow>
    </div>
  );
}
