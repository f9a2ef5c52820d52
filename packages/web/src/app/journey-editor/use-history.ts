/**
 * The editor's state with undo and redo: snapshots of the draft and its layout. Core's edit
 * functions never change the draft they are given, so a snapshot is just the previous object.
 * Moving a node records a snapshot when the drag ends, not on every frame.
 */
import type { JourneyDraft } from '@waymark/core';
import { useCallback, useReducer } from 'react';
import type { DraftLayout } from './drafts-api.ts';

/** One state of the editor. */
export interface Snapshot {
  draft: JourneyDraft;
  layout: DraftLayout;
}

interface History {
  present: Snapshot;
  past: Snapshot[];
  future: Snapshot[];
}

type Action =
  | { type: 'change'; change: (s: Snapshot) => Snapshot; record: boolean }
  | { type: 'reset'; snapshot: Snapshot }
  | { type: 'undo' }
  | { type: 'redo' };

const LIMIT = 100;

function reduce(history: History, action: Action): History {
  switch (action.type) {
    case 'change': {
      const present = action.change(history.present);
      if (present === history.present) return history;
      if (!action.record) return { ...history, present };
      return { present, past: [...history.past, history.present].slice(-LIMIT), future: [] };
    }
    case 'reset':
      return { present: action.snapshot, past: [], future: [] };
    case 'undo': {
      const previous = history.past.at(-1);
      if (!previous) return history;
      return {
        present: previous,
        past: history.past.slice(0, -1),
        future: [history.present, ...history.future],
      };
    }
    case 'redo': {
      const following = history.future[0];
      if (!following) return history;
      return {
        present: following,
        past: [...history.past, history.present],
        future: history.future.slice(1),
      };
    }
  }
}

/** The editor's state, its changes, undo and redo. */
export function useHistory(initial: Snapshot) {
  const [history, dispatch] = useReducer(reduce, { present: initial, past: [], future: [] });
  return {
    ...history.present,
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
    /** Applies a change; `record: false` for moves while dragging. */
    change: useCallback(
      (change: (s: Snapshot) => Snapshot, record = true) =>
        dispatch({ type: 'change', change, record }),
      [],
    ),
    /** Replaces the state, forgetting the history (a reloaded draft). */
    reset: useCallback((snapshot: Snapshot) => dispatch({ type: 'reset', snapshot }), []),
    undo: useCallback(() => dispatch({ type: 'undo' }), []),
    redo: useCallback(() => dispatch({ type: 'redo' }), []),
  };
}
