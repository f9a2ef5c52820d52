/**
 * Pages of results, shared by the contracts that list.
 * Part of the storage contract (../store.ts); no repo of its own.
 */

/** A page of results with an opaque cursor for the next. */
export interface Page<T> {
  items: T[];
  next: string | null;
}
