/**
 * The read behind `/v1/personalize`: identity → profile → list memberships in one statement, each
 * step a primary-key lookup (identities_pk, profiles_pk, list_members_pk). A profile in n lists
 * comes back as n rows (its traits repeated), which for the handful of lists a visitor is in
 * is cheaper than an aggregate whose syntax differs between SQLite and PostgreSQL.
 */
import { readObject, type RepoContext } from '../dialect.ts';
import type { PersonalizationRow } from '../contracts/personalization.ts';
import type { IdentityKind } from '../contracts/profiles.ts';

interface Joined {
  id: string;
  traits: unknown;
  merged_into: string | null;
  list_id: string | null;
}

function toRow(c: RepoContext, rows: Joined[]): PersonalizationRow | null {
  const first = rows[0];
  if (!first) return null;
  const lists = rows.flatMap((r) => (r.list_id === null ? [] : [r.list_id])).sort();
  return {
    profileId: first.id,
    traits: readObject(c.dialect, first.traits, 'profiles.traits'),
    lists,
  };
}

/** The profile an identity points at, with its lists; `merged_into` tells the caller to follow. */
export async function personalizationByIdentity(
  c: RepoContext,
  workspaceId: string,
  identity: { kind: IdentityKind; value: string },
): Promise<{ row: PersonalizationRow | null; mergedInto: string | null }> {
  const rows = await c.db
    .selectFrom('identities as i')
    .innerJoin('profiles as p', (j) =>
      j.onRef('p.workspace_id', '=', 'i.workspace_id').onRef('p.id', '=', 'i.profile_id'),
    )
    .leftJoin('list_members as m', (j) =>
      j.onRef('m.workspace_id', '=', 'p.workspace_id').onRef('m.profile_id', '=', 'p.id'),
    )
    .select(['p.id', 'p.traits', 'p.merged_into', 'm.list_id'])
    .where('i.workspace_id', '=', workspaceId)
    .where('i.kind', '=', identity.kind)
    .where('i.value', '=', identity.value)
    .execute();
  return { row: toRow(c, rows), mergedInto: rows[0]?.merged_into ?? null };
}

/** The same read for a profile id (after following a merge). */
export async function personalizationById(
  c: RepoContext,
  workspaceId: string,
  profileId: string,
): Promise<PersonalizationRow | null> {
  const rows = await c.db
    .selectFrom('profiles as p')
    .leftJoin('list_members as m', (j) =>
      j.onRef('m.workspace_id', '=', 'p.workspace_id').onRef('m.profile_id', '=', 'p.id'),
    )
    .select(['p.id', 'p.traits', 'p.merged_into', 'm.list_id'])
    .where('p.workspace_id', '=', workspaceId)
    .where('p.id', '=', profileId)
    .execute();
  return toRow(c, rows);
}
