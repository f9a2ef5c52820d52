/**
 * The one implementation of `Store`, over Kysely, for SQLite and PostgreSQL alike. Dialect
 * differences live in `dialect.ts` (and the migrations); each repo is a small class in `repos/`,
 * listed once in `REPOS` below.
 */
import { Migrator, type Kysely } from 'kysely';
import type { DialectName, RepoContext, SqlDialect } from './dialect.ts';
import { migrationProvider } from './migrations/index.ts';
import { KyselyChannelConfigRepo } from './repos/channel-configs.repo.ts';
import { KyselyConversionRepo } from './repos/conversions.repo.ts';
import { KyselyEventRepo } from './repos/events.repo.ts';
import { KyselyFormRepo, KyselyFormSubmissionRepo } from './repos/forms.repo.ts';
import { KyselyJourneyRepo } from './repos/journeys.repo.ts';
import { KyselyLeaseRepo } from './repos/leases.repo.ts';
import { KyselyListRepo } from './repos/lists.repo.ts';
import { KyselyMessageRepo } from './repos/messages.repo.ts';
import { KyselyProfileRepo } from './repos/profiles.repo.ts';
import { KyselyReportRepo } from './repos/reports.repo.ts';
import { KyselyRunRepo } from './repos/runs.repo.ts';
import { KyselySubscriptionRepo } from './repos/subscriptions.repo.ts';
import { KyselySuppressionRepo } from './repos/suppressions.repo.ts';
import { KyselyTaskRepo } from './repos/tasks.repo.ts';
import { KyselyTriggerTimerRepo } from './repos/trigger-timers.repo.ts';
import { KyselyWorkspaceRepo } from './repos/workspaces.repo.ts';
import { KyselyUserRepo } from './repos/users.repo.ts';
import { KyselySessionRepo } from './repos/sessions.repo.ts';
import { KyselyAuditRepo } from './repos/audit.repo.ts';
import { KyselyJourneyDraftRepo } from './repos/journey-drafts.repo.ts';
import type { Database } from './schema.ts';
import type { Store, Tx } from './store.ts';

/** A class per field of `T`, each making that field's repo over one Kysely handle. */
type RepoClasses<T> = { readonly [K in keyof T]: new (c: RepoContext) => T[K] };

/**
 * The repo class behind each field of `Tx`. The type checks it against `Tx` both ways: a repo
 * missing here, or one `Tx` does not name, does not compile.
 */
const REPOS = {
  workspaces: KyselyWorkspaceRepo,
  profiles: KyselyProfileRepo,
  events: KyselyEventRepo,
  journeys: KyselyJourneyRepo,
  runs: KyselyRunRepo,
  messages: KyselyMessageRepo,
  tasks: KyselyTaskRepo,
  conversions: KyselyConversionRepo,
  reports: KyselyReportRepo,
  lists: KyselyListRepo,
  triggerTimers: KyselyTriggerTimerRepo,
  leases: KyselyLeaseRepo,
  channelConfigs: KyselyChannelConfigRepo,
  subscriptions: KyselySubscriptionRepo,
  suppressions: KyselySuppressionRepo,
  forms: KyselyFormRepo,
  formSubmissions: KyselyFormSubmissionRepo,
  users: KyselyUserRepo,
  sessions: KyselySessionRepo,
  audit: KyselyAuditRepo,
  journeyDrafts: KyselyJourneyDraftRepo,
} satisfies RepoClasses<Tx>;

/** The repos of a table over one Kysely handle: the store's (autocommit) or a transaction's. */
function instantiate<T>(classes: RepoClasses<T>, c: RepoContext): T {
  const out: Partial<T> = {};
  for (const field of Object.keys(classes) as Array<keyof T>) out[field] = new classes[field](c);
  // Every field of T has been set: `classes` has one class per field.
  return out as T;
}

/** `Store` with the dialect it speaks, which only storage/ (its tests, migrations) reads. */
export interface KyselyStore extends Store {
  readonly dialect: DialectName;
}

/** Applies the migrations not yet applied to the database, in order. */
async function migrate(db: Kysely<Database>, dialect: DialectName): Promise<{ applied: string[] }> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableName: 'migrations',
    migrationLockTableName: 'migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`storage migration ${failed} failed`, { cause: error });
  }
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}

/** `Store` over a Kysely instance; made by `openStore`. */
export function kyselyStore(db: Kysely<Database>, dialect: SqlDialect): KyselyStore {
  return {
    ...instantiate(REPOS, { db, dialect }),
    dialect: dialect.name,
    capabilities: dialect.capabilities,
    migrate: () => migrate(db, dialect.name),
    /**
     * One Kysely transaction. SQLite: `BEGIN IMMEDIATE` on the single connection, which the
     * driver hands to one caller at a time, so concurrent transactions queue and never
     * interleave. Inside `fn` use `tx` only: on SQLite a call on the store itself would wait for
     * this transaction to end (a deadlock); on PostgreSQL it would run outside the transaction.
     */
    transaction: (fn) =>
      db.transaction().execute((trx) => fn(instantiate(REPOS, { db: trx, dialect }))),
    close: () => db.destroy(),
  };
}
