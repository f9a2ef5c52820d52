/**
 * Operator users, their memberships (a role per workspace) and their personal API tokens.
 * Part of the storage contract (../store.ts); implemented by ../repos/users.repo.ts.
 */

/** What a member may do in a workspace; the grants of each are in app/roles.ts. */
export type MemberRole = 'admin' | 'editor' | 'viewer' | 'agent';

/** A user. Emails are stored lower-cased and compared case-insensitively. */
export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  /** `scrypt$N$r$p$salt$hash`; null until the user has set a password. */
  passwordHash: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A user's role in one workspace. */
export interface MembershipRow {
  workspaceId: string;
  userId: string;
  role: MemberRole;
  createdAt: number;
}

/** A personal API token (stored as a SHA-256 hash); it acts as its user. */
export interface UserTokenRow {
  id: string;
  userId: string;
  name: string;
  hash: string;
  createdAt: number;
}

/** Users, memberships and personal tokens. */
export interface UserRepo {
  /** Adds a user; the email is lower-cased. A second user with the same email is refused. */
  create(row: UserRow): Promise<void>;
  get(id: string): Promise<UserRow | null>;
  /** The user with this email, in any case. */
  getByEmail(email: string): Promise<UserRow | null>;
  count(): Promise<number>;
  setPassword(id: string, passwordHash: string, at: number): Promise<void>;
  /** Adds the user to the workspace, or changes their role there. */
  setMembership(row: MembershipRow): Promise<void>;
  /** Removes the user from the workspace; false when they were not a member. */
  removeMembership(workspaceId: string, userId: string): Promise<boolean>;
  membership(workspaceId: string, userId: string): Promise<MembershipRow | null>;
  /** The user's memberships, ordered by workspace id. */
  memberships(userId: string): Promise<MembershipRow[]>;
  /** The members of a workspace with their role, ordered by email. */
  members(workspaceId: string): Promise<Array<{ user: UserRow; role: MemberRole }>>;
  /** How many members of the workspace have this role. */
  countRole(workspaceId: string, role: MemberRole): Promise<number>;
  addToken(row: UserTokenRow): Promise<void>;
  /** The user's tokens, oldest first. */
  tokens(userId: string): Promise<UserTokenRow[]>;
  findToken(hash: string): Promise<UserTokenRow | null>;
  /** Deletes one of the user's tokens; false when they have none with this id. */
  removeToken(userId: string, id: string): Promise<boolean>;
}
