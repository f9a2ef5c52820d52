/**
 * The audit log: who did what to which thing, per workspace, newest first.
 * Part of the storage contract (../store.ts); implemented by ../repos/audit.repo.ts.
 */
import type { Page } from './page.ts';

/** Who acted: a signed-in user, a personal token, a workspace admin token, or Waymark itself. */
export type ActorKind = 'user' | 'token' | 'adminToken' | 'system';

/** One entry of the audit log. */
export interface AuditRow {
  workspaceId: string;
  /** A UUIDv7: entries sort by it. */
  id: string;
  at: number;
  actorKind: ActorKind;
  /** The user's id (for `user` and `token`). */
  actorId: string | null;
  actorEmail: string | null;
  /** `session.signed_in`, `journey.published`, … */
  action: string;
  /** What was acted on: `journey:welcome`, `user:<id>`, … */
  target: string;
  detail: Record<string, unknown>;
}

/** Appends to and reads the audit log. */
export interface AuditRepo {
  append(row: AuditRow): Promise<void>;
  /** The workspace's entries, newest first, a page at a time. */
  list(
    workspaceId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<AuditRow>>;
}
