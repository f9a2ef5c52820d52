/**
 * The palette: every node kind of `NODE_KINDS`, with its icon, label and one-line help. A kind
 * is added by dragging it onto the canvas, or by a click (or Enter), which puts it after the
 * selected node's first free output.
 */
import { NODE_KINDS, type NodeType } from '@waymark/core';
import { kindIcon } from './kind-icons.ts';

/** The drag-and-drop type a palette item carries. */
export const KIND_MIME = 'application/x-waymark-kind';

/** The palette of node kinds. */
export function Palette({ onAdd, disabled }: { onAdd(type: NodeType): void; disabled: boolean }) {
  return (
    <nav className="palette" aria-label="Add a node">
      <h2>Add a step</h2>
      <ul>
        {Object.values(NODE_KINDS).map((kind) => {
          const Icon = kindIcon(kind.icon);
          return (
            <li key={kind.type}>
              <button
                type="button"
                className="palette-item"
                draggable={!disabled}
                disabled={disabled}
                title={kind.help}
                aria-label={`Add ${kind.label}`}
                aria-describedby={`palette-${kind.type}`}
                onClick={() => onAdd(kind.type)}
                onDragStart={(e) => {
                  e.dataTransfer.setData(KIND_MIME, kind.type);
                  e.dataTransfer.effectAllowed = 'move';
                }}
              >
                <Icon size={16} aria-hidden="true" />
                <span>
                  <span className="palette-label">{kind.label}</span>
                  <span className="palette-help" id={`palette-${kind.type}`}>
                    {kind.help}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
