/** Named leases held by worker processes. */
import type { RepoContext } from '../dialect.ts';
import type { LeaseRepo } from '../contracts/leases.ts';

/** LeaseRepo over Kysely: one conditional upsert per acquire. */
export class KyselyLeaseRepo implements LeaseRepo {
  readonly #c: RepoContext;

  constructor(c: RepoContext) {
    this.#c = c;
  }

  async acquire(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const held = await this.#c.db
      .insertInto('leases')
      .values({ name, owner, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({
            owner: eb.ref('excluded.owner'),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) =>
            eb.or([eb('leases.owner', '=', owner), eb('leases.expires_at', '<=', now)]),
          ),
      )
      .returning('owner')
      .executeTakeFirst();
    return held?.owner === owner;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.#c.db
      .deleteFrom('leases')
      .where('name', '=', name)
      .where('owner', '=', owner)
      .execute();
  }
}
