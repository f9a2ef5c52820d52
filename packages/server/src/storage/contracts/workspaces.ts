/**
 * Workspaces and their keys.
 * Part of the storage contract (../store.ts); implemented by ../repos/workspaces.repo.ts.
 */

/** Kinds of key a workspace has. */
export type KeyKind = 'write' | 'admin';

/** A workspace. */
export interface WorkspaceRow {
  id: string;
  name: string;
  timezone: string;
  createdAt: number;
}

/** Workspaces and their keys (keys are stored as SHA-256 hashes). */
export interface WorkspaceRepo {
  create(row: WorkspaceRow): Promise<void>;
  get(id: string): Promise<WorkspaceRow | null>;
  list(): Promise<WorkspaceRow[]>;
  addKey(key: {
    workspaceId: string;
    kind: KeyKind;
    hash: string;
    createdAt: number;
  }): Promise<void>;
  /** The workspace a key hash belongs to. */
  findByKey(kind: KeyKind, hash: string): Promise<string | null>;
  countKeys(workspaceId: string, kind: KeyKind): Promise<number>;
}
