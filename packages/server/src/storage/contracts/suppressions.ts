/**
 * Addresses no message may go to, whatever the consent.
 * Part of the storage contract (../store.ts); implemented by ../repos/suppressions.repo.ts.
 */
import type { Page } from './page.ts';

/** An address no message may go to (hard bounce, complaint, manual), whatever the consent. */
export interface SuppressionRow {
  workspaceId: string;
  channel: string;
  /** Normalised address: lower-cased email, E.164 phone. */
  address: string;
  reason: 'hard_bounce' | 'complaint' | 'manual';
  detail: string | null;
  createdAt: number;
}

/** Suppressed addresses. */
export interface SuppressionRepo {
  get(workspaceId: string, channel: string, address: string): Promise<SuppressionRow | null>;
  /** The suppressed ones among `addresses` of a channel, by address. */
  getMany(
    workspaceId: string,
    channel: string,
    addresses: readonly string[],
  ): Promise<Map<string, SuppressionRow>>;
  /** Inserts; an existing suppression of the address is kept as it is. */
  add(row: SuppressionRow): Promise<void>;
  /** True when a row was removed. */
  remove(workspaceId: string, channel: string, address: string): Promise<boolean>;
  /** In (channel, address) order, of one channel when given. */
  list(
    workspaceId: string,
    opts: { limit: number; cursor?: string | undefined; channel?: string | undefined },
  ): Promise<Page<SuppressionRow>>;
}
