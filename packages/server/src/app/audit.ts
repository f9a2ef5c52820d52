/**
 * The audit log: who (a user, a personal token, a workspace admin token, or Waymark itself) did
 * what to which thing. Written in the transaction of the change it records where there is one;
 * read newest first by workspace admins (`GET /api/audit`).
 */
import { newId } from '../ids.ts';
import type { ActorKind, AuditRow, Page, Tx } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';

/** Who acted. */
export interface Actor {
  kind: ActorKind;
  /** The user's id (users and personal tokens). */
  id?: string | undefined;
  email?: string | undefined;
}

/** The actor of changes nobody signed in made (the CLI, the demo loader). */
export const SYSTEM_ACTOR: Actor = { kind: 'system' };

/** An entry as the API shows it. */
export interface AuditEntry {
  at: number;
  actor: { kind: ActorKind; id: string | null; email: string | null };
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** Appends an entry, in `tx` (the change's own transaction) or on its own. */
export async function recordAudit(
  store: Pick<Tx, 'audit'>,
  entry: {
    workspaceId: string;
    at: number;
    actor: Actor | undefined;
    action: string;
    target: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  const actor = entry.actor ?? SYSTEM_ACTOR;
  await store.audit.append({
    workspaceId: entry.workspaceId,
    id: newId(entry.at),
    at: entry.at,
    actorKind: actor.kind,
    actorId: actor.id ?? null,
    actorEmail: actor.email ?? null,
    action: entry.action,
    target: entry.target,
    detail: entry.detail ?? {},
  });
}

/** The workspace's audit log, newest first, a page at a time. */
export async function listAudit(
  deps: AppDeps,
  workspaceId: string,
  opts: { limit: number; cursor?: string | undefined },
): Promise<Page<AuditEntry>> {
  const page = await deps.store.audit.list(workspaceId, opts);
  return {
    items: page.items.map((r: AuditRow) => ({
      at: r.at,
      actor: { kind: r.actorKind, id: r.actorId, email: r.actorEmail },
      action: r.action,
      target: r.target,
      detail: r.detail,
    })),
    next: page.next,
  };
}
