/**
 * Sign-in state: sessions (stored by the SHA-256 hash of their id), one-time setup and password
 * links (by hash), and failed sign-ins (counted per account and per client address, so every
 * process of a fleet sees the same counts).
 * Part of the storage contract (../store.ts); implemented by ../repos/sessions.repo.ts.
 */

/** A signed-in browser. */
export interface SessionRow {
  idHash: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** When the expiry was last pushed back (renewed at most once an hour). */
  renewedAt: number;
}

/** What a one-time link does: create the first admin, or set one user's password. */
export type SetupKind = 'first_admin' | 'password';

/** A one-time link's token (stored as a SHA-256 hash). */
export interface SetupTokenRow {
  hash: string;
  kind: SetupKind;
  /** The user whose password a `password` link sets; null for `first_admin`. */
  userId: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** Sessions, one-time links and failed sign-ins. */
export interface SessionRepo {
  create(row: SessionRow): Promise<void>;
  get(idHash: string): Promise<SessionRow | null>;
  renew(idHash: string, expiresAt: number, renewedAt: number): Promise<void>;
  remove(idHash: string): Promise<void>;
  /** Ends every session of the user but `keep` (a hash); returns how many ended. */
  removeForUser(userId: string, keep?: string): Promise<number>;
  addSetupToken(row: SetupTokenRow): Promise<void>;
  getSetupToken(hash: string): Promise<SetupTokenRow | null>;
  /** Marks a link used; false when it was already used (a second use must fail). */
  useSetupToken(hash: string, at: number): Promise<boolean>;
  /** Records one failed sign-in under each key (`email:…`, `address:…`). */
  addSignInFailure(keys: readonly string[], at: number): Promise<void>;
  /** Failures under a key at or after `since`: how many, and the oldest one's time. */
  signInFailures(key: string, since: number): Promise<{ count: number; oldest: number | null }>;
  /** Forgets the failures under a key (an account's, after it signs in). */
  clearSignInFailures(key: string): Promise<void>;
  /** Deletes failures older than `before`; returns how many. */
  pruneSignInFailures(before: number): Promise<number>;
}
