/**
 * Lists (audiences) of profiles and their memberships.
 * Part of the storage contract (../store.ts); implemented by ../repos/lists.repo.ts.
 */
import type { Page } from './page.ts';

/** A list (audience) of profiles. */
export interface ListRow {
  workspaceId: string;
  id: string;
  name: string;
  createdAt: number;
}

/** Lists and memberships. */
export interface ListRepo {
  upsert(row: ListRow): Promise<void>;
  /** Creates the list when missing; an existing list keeps its name. */
  ensure(row: ListRow): Promise<void>;
  list(workspaceId: string): Promise<ListRow[]>;
  addMember(workspaceId: string, listId: string, profileId: string, at: number): Promise<void>;
  removeMember(workspaceId: string, listId: string, profileId: string): Promise<void>;
  /** List ids per profile. */
  membership(workspaceId: string, profileIds: string[]): Promise<Map<string, string[]>>;
  members(
    workspaceId: string,
    listId: string,
    opts: { limit: number; cursor?: string | undefined },
  ): Promise<Page<string>>;
  reassign(workspaceId: string, fromProfileId: string, toProfileId: string): Promise<void>;
}
