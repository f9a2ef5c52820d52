/**
 * The tables of access control (added by 010), as Kysely sees them; part of `Database` in
 * schema.ts. Times are epoch milliseconds.
 */
import type { ColumnType } from 'kysely';
import type { ActorKind, MemberRole, SetupKind } from './store.ts';

/** Epoch milliseconds. */
type Ms = number;

/** `users`: operators; `email` lower-cased and unique. */
export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string | null;
  created_at: Ms;
  updated_at: Ms;
}

/** `memberships`: a user's role per workspace. */
export interface MembershipsTable {
  workspace_id: string;
  user_id: string;
  role: MemberRole;
  created_at: Ms;
}

/** `sessions`: signed-in browsers, by the SHA-256 hash of their id. */
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: Ms;
  expires_at: Ms;
  renewed_at: Ms;
}

/** `setup_tokens`: one-time setup and password links, by hash. */
export interface SetupTokensTable {
  hash: string;
  kind: SetupKind;
  user_id: string | null;
  created_at: Ms;
  expires_at: Ms;
  used_at: Ms | null;
}

/** `user_tokens`: personal API tokens, by hash. */
export interface UserTokensTable {
  id: string;
  user_id: string;
  name: string;
  hash: string;
  created_at: Ms;
}

/** `audit_log`: who did what, per workspace. */
export interface AuditLogTable {
  workspace_id: string;
  id: string;
  at: Ms;
  actor_kind: ActorKind;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  target: string;
  detail: ColumnType<unknown, string, string>;
}

/** `sign_in_failures`: one row per failed sign-in and key (account or client address). */
export interface SignInFailuresTable {
  key: string;
  at: Ms;
}

/** The access-control tables. */
export interface AccessTables {
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  setup_tokens: SetupTokensTable;
  user_tokens: UserTokensTable;
  audit_log: AuditLogTable;
  sign_in_failures: SignInFailuresTable;
}
