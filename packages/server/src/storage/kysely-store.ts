/**
 * The one implementation of `Store`, over Kysely, for SQLite and PostgreSQL alike. Dialect
 * differences live in `dialect.ts` (and the migrations); each repo is a small class in `repos/`.
 */
import { Migrator, type Kysely } from 'kysely';
import type { RepoContext, SqlDialect } from './dialect.ts';
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
import type { Database } from './schema.ts';
import type {
  ChannelConfigRepo,
  ConversionRepo,
  EventRepo,
  FormRepo,
  FormSubmissionRepo,
  JourneyRepo,
  LeaseRepo,
  ListRepo,
  MessageRepo,
  ProfileRepo,
  ReportRepo,
  RunRepo,
  Store,
  SubscriptionRepo,
  SuppressionRepo,
  TaskRepo,
  TriggerTimerRepo,
  Tx,
  WorkspaceRepo,
} from './store.ts';

/** The repos over one Kysely handle: the store's (autocommit) or a transaction's. */
function repos(c: RepoContext): Tx {
  return {
    workspaces: new KyselyWorkspaceRepo(c),
    profiles: new KyselyProfileRepo(c),
    events: new KyselyEventRepo(c),
    journeys: new KyselyJourneyRepo(c),
    runs: new KyselyRunRepo(c),
    messages: new KyselyMessageRepo(c),
    tasks: new KyselyTaskRepo(c),
    conversions: new KyselyConversionRepo(c),
    reports: new KyselyReportRepo(c),
    lists: new KyselyListRepo(c),
    triggerTimers: new KyselyTriggerTimerRepo(c),
    leases: new KyselyLeaseRepo(c),
    channelConfigs: new KyselyChannelConfigRepo(c),
    subscriptions: new KyselySubscriptionRepo(c),
    suppressions: new KyselySuppressionRepo(c),
    forms: new KyselyFormRepo(c),
    formSubmissions: new KyselyFormSubmissionRepo(c),
  };
}

/** `Store` over a Kysely instance; made by `openStore`. */
export class KyselyStore implements Store {
  readonly dialect: SqlDialect['name'];
  readonly workspaces: WorkspaceRepo;
  readonly profiles: ProfileRepo;
  readonly events: EventRepo;
  readonly journeys: JourneyRepo;
  readonly runs: RunRepo;
  readonly messages: MessageRepo;
  readonly tasks: TaskRepo;
  readonly conversions: ConversionRepo;
  readonly reports: ReportRepo;
  readonly lists: ListRepo;
  readonly triggerTimers: TriggerTimerRepo;
  readonly leases: LeaseRepo;
  readonly channelConfigs: ChannelConfigRepo;
  readonly subscriptions: SubscriptionRepo;
  readonly suppressions: SuppressionRepo;
  readonly forms: FormRepo;
  readonly formSubmissions: FormSubmissionRepo;
  readonly #db: Kysely<Database>;
  readonly #sql: SqlDialect;

  constructor(db: Kysely<Database>, dialect: SqlDialect) {
    this.#db = db;
    this.#sql = dialect;
    this.dialect = dialect.name;
    const r = repos({ db, dialect });
    this.workspaces = r.workspaces;
    this.profiles = r.profiles;
    this.events = r.events;
    this.journeys = r.journeys;
    this.runs = r.runs;
    this.messages = r.messages;
    this.tasks = r.tasks;
    this.conversions = r.conversions;
    this.reports = r.reports;
    this.lists = r.lists;
    this.triggerTimers = r.triggerTimers;
    this.leases = r.leases;
    this.channelConfigs = r.channelConfigs;
    this.subscriptions = r.subscriptions;
    this.suppressions = r.suppressions;
    this.forms = r.forms;
    this.formSubmissions = r.formSubmissions;
  }

  async migrate(): Promise<{ applied: string[] }> {
    const migrator = new Migrator({
      db: this.#db,
      provider: migrationProvider(this.dialect),
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

  /**
   * One Kysely transaction. SQLite: `BEGIN IMMEDIATE` on the single connection, which the driver
   * hands to one caller at a time, so concurrent transactions queue and never interleave.
   * Inside `fn` use `tx` only: on SQLite a call on the store itself would wait for this
   * transaction to end (a deadlock); on PostgreSQL it would run outside the transaction.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => fn(repos({ db: trx, dialect: this.#sql })));
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}
