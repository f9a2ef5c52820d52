/**
 * An engine in the test's own process: a fresh database of one backend, a Waymark on a manual
 * clock (worker role, workspace in UTC) with the given journeys published, and the moves runtime
 * tests make on it — a Segment call stamped with the clock's time, a profile's outbox. Time
 * passes with `advanceBy` / `runUntil` (testing/virtual-time.ts). Used only by tests.
 */
import { ingest } from '../app/ingest.ts';
import { applyJourney, checkJourney } from '../app/journeys.ts';
import { listOutbox } from '../app/outbox.ts';
import { parseCall, type CallType } from '../app/segment.ts';
import { DEFAULT_WORKSPACE } from '../app/workspaces.ts';
import { ManualClock } from '../clock.ts';
import { configFromEnv } from '../config.ts';
import type { TestDatabase, TestDatabaseKind } from '../storage/testing.ts';
import { createWaymark, type Waymark, type WaymarkOptions } from '../waymark.ts';

/** An outbox row as the admin API lists it. */
export type OutboxItem = Awaited<ReturnType<typeof listOutbox>>['items'][number];

/** Options of `startEngineStage`. */
export interface EngineStageOptions {
  /** The manual clock's start (ISO). */
  start: string;
  /** Journey documents (YAML text or objects) published in order before the test starts. */
  journeys?: unknown[];
  /** Options of the Waymark beyond its clock (channels, env, policy…). */
  options?: Omit<WaymarkOptions, 'clock'>;
}

/** A running in-process engine. */
export interface EngineStage {
  waymark: Waymark;
  clock: ManualClock;
  db: TestDatabase;
  /** Ingests a Segment call (`identify`, `track`…) stamped with the clock's time; not yet run. */
  ingest(type: CallType, body: Record<string, unknown>): Promise<void>;
  /** Ingests a Segment call, then drains the worker so everything it causes now has run. */
  send(type: CallType, body: Record<string, unknown>): Promise<void>;
  /** Checks a journey document (YAML text or an object) and publishes it as its next version. */
  publish(doc: unknown): ReturnType<typeof applyJourney>;
  /** The outbox of the profile `userId:<user>` (the first 100 rows the admin API lists). */
  outbox(user: string): Promise<OutboxItem[]>;
  close(): Promise<void>;
}

/** Starts an engine on a fresh database of `kind` with a manual clock at `start`. */
export async function startEngineStage(
  kind: TestDatabaseKind,
  o: EngineStageOptions,
): Promise<EngineStage> {
  const db = await kind.create();
  const clock = new ManualClock(Date.parse(o.start));
  const waymark = await createWaymark(
    configFromEnv({}, { databaseUrl: db.url, role: 'worker', timezone: 'UTC' }),
    { ...o.options, clock },
  );
  for (const doc of o.journeys ?? [])
    await applyJourney(waymark.deps, DEFAULT_WORKSPACE, checkJourney(doc));

  async function ingestCall(type: CallType, body: Record<string, unknown>): Promise<void> {
    const call = { timestamp: new Date(clock.now()).toISOString(), ...body };
    await ingest(waymark.deps, DEFAULT_WORKSPACE, [parseCall(type, call, '')]);
  }
  return {
    waymark,
    clock,
    db,
    ingest: ingestCall,
    async send(type, body) {
      await ingestCall(type, body);
      await waymark.worker.drain();
    },
    publish: (doc) => applyJourney(waymark.deps, DEFAULT_WORKSPACE, checkJourney(doc)),
    async outbox(user) {
      const opts = { limit: 100, profile: `userId:${user}` };
      return (await listOutbox(waymark.deps, DEFAULT_WORKSPACE, opts)).items;
    },
    async close() {
      await waymark.close();
      await db.drop();
    },
  };
}
