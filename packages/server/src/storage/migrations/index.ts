/**
 * The ordered list of migrations. Add a file `NNN-what.ts` exporting `up(db, dialect)` and list
 * it here; applied migrations are recorded in the `migrations` table and never edited afterwards.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../dialect.ts';
import * as initial from './001-initial.ts';
import * as channels from './002-channels.ts';
import * as forms from './003-forms.ts';
import * as conversions from './004-conversions.ts';
import * as reports from './005-reports.ts';
import * as leanEvents from './006-lean-events.ts';
import * as leanMessages from './007-lean-messages.ts';
import * as edgeCounts from './008-edge-counts.ts';
import * as sendAttempts from './009-send-attempts.ts';
import * as access from './010-access.ts';
import * as journeyDrafts from './011-journey-drafts.ts';

/** A migration step, told which dialect it runs on. */
interface Step {
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

const STEPS: ReadonlyArray<readonly [name: string, step: Step]> = [
  ['001-initial', initial],
  ['002-channels', channels],
  ['003-forms', forms],
  ['004-conversions', conversions],
  ['005-reports', reports],
  ['006-lean-events', leanEvents],
  ['007-lean-messages', leanMessages],
  ['008-edge-counts', edgeCounts],
  ['009-send-attempts', sendAttempts],
  ['010-access', access],
  ['011-journey-drafts', journeyDrafts],
];

/** A static provider of the migrations for one dialect (for Kysely's Migrator). */
export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      const out: Record<string, Migration> = {};
      for (const [name, step] of STEPS) out[name] = { up: (db) => step.up(db, dialect) };
      return out;
    },
  };
}
