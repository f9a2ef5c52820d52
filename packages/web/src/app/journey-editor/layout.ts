/**
 * Auto-layout: elk's layered algorithm, top-down, over the canvas's nodes and edges. elk is
 * loaded on first use (it is the largest part of the editor), so opening a draft that already
 * has positions never downloads it.
 */
import type { Edge } from '@xyflow/react';
import type { DraftLayout } from './drafts-api.ts';

/** The size the canvas gives every node, for the layout. */
export const NODE_SIZE = { width: 240, height: 84 };

/** Positions for every node, top-down in the order the edges run. */
export async function autoLayout(nodeIds: string[], edges: Edge[]): Promise<DraftLayout> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const graph = await elk.layout({
    id: 'journey',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.spacing.nodeNode': '48',
      'elk.layered.spacing.nodeNodeBetweenLayers': '64',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    },
    children: nodeIds.map((id) => ({ id, ...NODE_SIZE })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const layout: DraftLayout = {};
  for (const child of graph.children ?? [])
    layout[child.id] = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) };
  return layout;
}
