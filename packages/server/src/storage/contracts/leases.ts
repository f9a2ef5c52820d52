/**
 * Named leases held by worker processes.
 * Part of the storage contract (../store.ts); implemented by ../repos/leases.repo.ts.
 */

/** Named leases (event partitions, singleton jobs) held by worker processes. */
export interface LeaseRepo {
  /** Takes or renews the lease when free, expired or already ours; true when held. */
  acquire(name: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}
