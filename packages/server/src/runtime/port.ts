/**
 * The engine as app/ sees it: the few things a use-case asks of it, so app/ depends on this port
 * and not on the worker's `Phases` (which implements it). A use-case that must step a run in the
 * same transaction as its own writes (a task done, an inbound reply) gets `withBatch`.
 */
import type { OutcomeFact } from '@waymark/core';
import type { RunRow, Tx } from '../storage/store.ts';
import type { Batch } from './engine.ts';

/** What a use-case may do with a batch: step one of its runs with an input. */
export type RunStepper = Pick<Batch, 'advance'>;

/** A hand-made enrolment (manual/API trigger, or any journey's entry). */
export interface EnrolRequest {
  workspaceId: string;
  journeyId: string;
  profileId: string;
  data?: Record<string, unknown>;
}

/** A message outcome (opened, clicked, replied, …) for the run that sent the message. */
export interface OutcomeRequest {
  workspaceId: string;
  messageId: string;
  outcome: Omit<OutcomeFact, 'messageKey' | 'nodeId'>;
}

/** What app/ needs of the engine. */
export interface EnginePort {
  /** Runs `fn` in one transaction with a batch that can step runs; flushes the batch after. */
  withBatch<T>(fn: (batch: RunStepper, tx: Tx, now: number) => Promise<T>): Promise<T>;
  /** Enrols a profile into a live journey now; says why not when its re-entry policy refuses. */
  enrol(a: EnrolRequest): Promise<RunRow | { skipped: string }>;
  /** Hands a message outcome to its run; null when the message has no run (any more). */
  outcome(a: OutcomeRequest): Promise<RunRow | null>;
}
