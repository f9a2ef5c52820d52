/**
 * The journey editor: palette, canvas and inspector over one draft with undo and redo. Every
 * change is a new draft made by core's edit functions; the draft is validated by core's
 * `validateJourney` ~150 ms after the last change, and handed to `onChange` (autosave).
 * Shortcuts: Delete/Backspace, Ctrl/Cmd+C, V, Z and Shift+Z (outside text fields).
 *
 * This folder (`journey-editor/`) is the editor; `pages/journey.page.tsx` is its one user. It
 * imports `@waymark/core` (kinds, schemas, validator, draft edits), `@xyflow/react`, `elkjs`,
 * lucide icons and the app's `api/`, `components/` and session — never another page.
 */
import {
  addNode,
  draftNodes,
  outputsOf,
  removeNodes,
  targetOf,
  validateJourney,
  type JourneyDraft,
  type NodeType,
  type ValidationIssue,
} from '@waymark/core';
import { useReactFlow, type Edge } from '@xyflow/react';
import { LayoutGrid, Maximize, Redo2, Undo2 } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Canvas } from './canvas.tsx';
import type { DraftLayout, StoredDraft } from './drafts-api.ts';
import {
  FIT_VIEW,
  START_HANDLE,
  TRIGGER_ID,
  copyNodes,
  flowEdges,
  flowNodes,
  pasteNodes,
  setOutput,
  type Clipboard,
} from './graph.ts';
import { Inspector } from './inspector.tsx';
import { IssuesPanel, issueCounts } from './issues-panel.tsx';
import { autoLayout } from './layout.ts';
import { Palette } from './palette.tsx';
import { useHistory, type Snapshot } from './use-history.ts';

const VALIDATE_MS = 150;

/** The draft's issues, ~150 ms after the last change. */
function useValidation(draft: JourneyDraft) {
  const [result, setResult] = useState(() => validateJourney(draft));
  useEffect(() => {
    const timer = setTimeout(() => setResult(validateJourney(draft)), VALIDATE_MS);
    return () => clearTimeout(timer);
  }, [draft]);
  const errors: ValidationIssue[] = result.ok ? [] : result.issues;
  return { errors, warnings: result.warnings };
}

const inTextField = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** The editor of one draft. */
export function JourneyEditor(props: {
  initial: StoredDraft;
  readOnly: boolean;
  onChange(document: JourneyDraft, layout: DraftLayout): void;
  /** The toolbar's end: publish, saving state. */
  actions(o: { errors: number }): ReactNode;
}) {
  const history = useHistory({ draft: props.initial.document, layout: props.initial.layout });
  const { draft, layout, change } = history;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const { errors, warnings } = useValidation(draft);
  const flow = useReactFlow();
  const clipboard = useRef<Clipboard | null>(null);
  const { onChange, readOnly } = props;

  // Autosave every change. The state the editor opened on is the server's own, and so is the
  // layout made on open: opening a journey saves nothing.
  const opened = useRef<Snapshot>({ draft, layout });
  useEffect(() => {
    if (draft === opened.current.draft && layout === opened.current.layout) return;
    if (!readOnly) onChange(draft, layout);
  }, [draft, layout, onChange, readOnly]);

  const counts = useMemo(() => issueCounts(errors), [errors]);
  const nodes = useMemo(
    () => flowNodes({ draft, layout, issues: counts, selected }),
    [draft, layout, counts, selected],
  );
  const edges = useMemo(() => flowEdges(draft, selected), [draft, selected]);

  /** Lays the draft out; on open, without an undo step. */
  const tidy = useCallback(
    async (record = true) => {
      const ids = [TRIGGER_ID, ...Object.keys(draftNodes(draft))];
      const positions = await autoLayout(ids, flowEdges(draft, new Set()));
      change((s) => {
        if (!record && s.draft === opened.current.draft)
          opened.current = { ...s, layout: positions };
        return { ...s, layout: positions };
      }, record);
      requestAnimationFrame(() => void flow.fitView(FIT_VIEW));
    },
    [draft, change, flow],
  );

  // A draft without saved positions is laid out when it opens.
  useEffect(() => {
    const missing = Object.keys(draftNodes(draft)).some((id) => !layout[id]);
    if (missing) void tidy(false);
    // Only on open.
  }, []);

  const edit = useCallback(
    (next: (s: Snapshot) => Snapshot) => {
      if (!readOnly) change(next);
    },
    [change, readOnly],
  );

  /**
   * Adds a node of a kind: at a point (dropped), or after the selected node's first free output
   * (or as the start, with the trigger selected).
   */
  const add = useCallback(
    (type: NodeType, at?: { x: number; y: number }) => {
      if (readOnly) return;
      const source = at
        ? undefined
        : [...selected].find((x) => x === TRIGGER_ID || x in draftNodes(draft));
      let after: { node: string; field: string } | undefined;
      let position = at;
      if (source && source !== TRIGGER_ID) {
        const outputs = outputsOf(draftNodes(draft)[source]!);
        const free = outputs.findIndex((o) => !targetOf(draft, source, o.field));
        if (free >= 0) after = { node: source, field: outputs[free]!.field };
        const from = layout[source] ?? { x: 0, y: 0 };
        position = { x: from.x + Math.max(free, 0) * 60, y: from.y + 150 };
      }
      const added = addNode(draft, type, after ? { after } : {});
      let next = added.draft;
      if (source === TRIGGER_ID)
        next = setOutput(next, { source, handle: START_HANDLE, target: added.id });
      if (!position) {
        const lowest = Math.max(0, ...Object.values(layout).map((p) => p.y));
        position = { x: layout[TRIGGER_ID]?.x ?? 0, y: lowest + 150 };
      }
      change(() => ({ draft: next, layout: { ...layout, [added.id]: position } }));
      setSelected(new Set([added.id]));
      // Brings the new node into view, at the zoom the user chose.
      const { x, y } = position;
      requestAnimationFrame(() => void flow.setCenter(x + 120, y + 42, { zoom: flow.getZoom() }));
    },
    [change, draft, flow, layout, readOnly, selected],
  );

  const remove = useCallback(
    (ids: string[], gone: Edge[] = []) => {
      edit((s) => {
        let next = removeNodes(
          s.draft,
          ids.filter((id) => id !== TRIGGER_ID),
        );
        for (const e of gone) {
          if (e.source !== TRIGGER_ID && !(e.source in draftNodes(next))) continue;
          next = setOutput(next, { source: e.source, handle: e.sourceHandle ?? '', target: null });
        }
        const layout = { ...s.layout };
        for (const id of ids) delete layout[id];
        return { draft: next, layout };
      });
      setSelected(new Set());
    },
    [edit],
  );

  // Keyboard shortcuts outside text fields.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (inTextField(e.target) || !(e.ctrlKey || e.metaKey)) return;
      const key = e.key.toLowerCase();
      if (key === 'z') {
        e.preventDefault();
        if (e.shiftKey) history.redo();
        else history.undo();
      } else if (key === 'y') {
        e.preventDefault();
        history.redo();
      } else if (key === 'c') {
        clipboard.current = copyNodes(draft, layout, selected);
      } else if (key === 'v' && clipboard.current && !readOnly) {
        e.preventDefault();
        const out = pasteNodes(draft, layout, clipboard.current);
        change(() => ({ draft: out.draft, layout: out.layout }));
        setSelected(new Set(out.ids));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [history, draft, layout, selected, change, readOnly]);

  const single = selected.size === 1 ? [...selected][0]! : null;
  const inspected = single !== null && (single === TRIGGER_ID || single in draftNodes(draft));
  return (
    <div className="editor">
      <div className="editor-toolbar" role="toolbar" aria-label="Editor">
        <button type="button" onClick={history.undo} disabled={!history.canUndo || readOnly}>
          <Undo2 size={14} aria-hidden="true" /> Undo
        </button>
        <button type="button" onClick={history.redo} disabled={!history.canRedo || readOnly}>
          <Redo2 size={14} aria-hidden="true" /> Redo
        </button>
        <button type="button" onClick={() => void tidy()} disabled={readOnly}>
          <LayoutGrid size={14} aria-hidden="true" /> Tidy up
        </button>
        <button type="button" onClick={() => void flow.fitView(FIT_VIEW)}>
          <Maximize size={14} aria-hidden="true" /> Zoom to fit
        </button>
        <span className="toolbar-end">{props.actions({ errors: errors.length })}</span>
      </div>
      <div className="editor-body">
        <Palette onAdd={(type) => add(type)} disabled={readOnly} />
        <Canvas
          nodes={nodes}
          edges={edges}
          selected={selected}
          readOnly={readOnly}
          onSelect={setSelected}
          onConnect={({ source, handle, target }) =>
            edit((s) => ({ ...s, draft: setOutput(s.draft, { source, handle, target }) }))
          }
          onDelete={({ nodes: ids, edges: gone }) => remove(ids, gone)}
          onMoved={(positions) => edit((s) => ({ ...s, layout: { ...s.layout, ...positions } }))}
          onDropKind={(type, at) => add(type, at)}
        />
        <Inspector
          selected={inspected ? single : null}
          draft={draft}
          issues={[...errors, ...warnings]}
          readOnly={readOnly}
          onChange={(next) => edit((s) => ({ ...s, draft: next }))}
          onSelect={(id) => setSelected(new Set(id === null ? [] : [id]))}
          onRemove={(ids) => remove(ids)}
        />
      </div>
      <IssuesPanel
        errors={errors}
        warnings={warnings}
        onSelect={(place) => setSelected(new Set(place === null ? [] : [place]))}
      />
    </div>
  );
}
