/**
 * What the delivery engine (`delivery.ts`) writes about rows: a send's result as its row records
 * it (retries backed off, dead after `maxAttempts`), a policy's skip or delay, an ambiguous row
 * held as `unknown`, a row handed back or held for an unusable channel, the lines on the runs'
 * histories, and the outcomes reported to the runs.
 */
import type { OutcomeFact } from '@waymark/core';
import type { ChannelAdapter, PolicyDecision, SendResult } from '../channels/sdk/index.ts';
import type { MessageRow, RunTraceRow, Tx } from '../storage/store.ts';
import { backoffDelay, type DeliveryOptions } from './delivery-options.ts';
import type { Batch } from './engine.ts';

/** How long a row whose channel cannot be set up (bad stored secret…) is held before retrying. */
const CONFIG_HOLD_MS = 60_000;
/** How long a row handed back by a full lane waits before it can be claimed again. */
const HAND_BACK_MS = 1_000;

/** An outcome to report to a run. */
export interface RunOutcome {
  row: MessageRow;
  outcome: Omit<OutcomeFact, 'messageKey' | 'nodeId'>;
}

/** A send's result as its row will be written, and the outcomes to report to the run. */
export function recordResult(
  row: MessageRow,
  a: {
    result: SendResult;
    at: number;
    options: Pick<DeliveryOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'random'>;
  },
): { row: MessageRow; outcomes: RunOutcome[] } {
  const { result, at, options: o } = a;
  const attempts = row.attempts + 1;
  const done = { ...row, attempts, leaseUntil: null, attemptAt: null, updatedAt: at };
  switch (result.kind) {
    case 'sent': {
      const delivered = row.kind === 'webhook';
      // The number a message went out from (SMS, WhatsApp, voice) is kept on it: a reply is
      // matched to the message sent from the number the customer wrote to (app/inbound.ts).
      const from = result.data?.from;
      const outcomes: RunOutcome[] = [{ row, outcome: { type: 'sent', at, data: result.data } }];
      if (delivered) outcomes.push({ row, outcome: { type: 'delivered', at, data: result.data } });
      return {
        row: {
          ...done,
          status: delivered ? 'delivered' : 'sent',
          providerMessageId: result.providerMessageId,
          error: null,
          sentAt: at,
          ...(typeof from === 'string' && from && row.kind === 'message'
            ? { content: { ...row.content, from } }
            : {}),
        },
        outcomes,
      };
    }
    case 'retryable': {
      if (attempts >= o.maxAttempts) {
        const error = `gave up after ${attempts} attempts: ${result.error}`;
        return {
          row: { ...done, status: 'dead', error },
          outcomes: [{ row, outcome: { type: 'failed', at, data: { error } } }],
        };
      }
      return {
        row: {
          ...done,
          status: 'pending',
          availableAt: at + backoffDelay(attempts, { ...o, retryAfterMs: result.retryAfterMs }),
          error: result.error,
        },
        outcomes: [],
      };
    }
    case 'permanent':
      return {
        row: { ...done, status: 'dead', error: result.error },
        outcomes: [
          {
            row,
            outcome: { type: 'failed', at, data: { error: result.error, ...result.data } },
          },
        ],
      };
  }
}

/** Records a policy's skip or delay on the row and on the run's history. */
export async function recordDecision(
  tx: Tx,
  a: {
    row: MessageRow;
    decision: Exclude<PolicyDecision, { kind: 'send' }>;
    now: number;
    outcomes: RunOutcome[];
    traces: RunTraceRow[];
  },
): Promise<void> {
  const { row, decision, now } = a;
  if (decision.kind === 'skip') {
    await tx.messages.update(row.workspaceId, row.id, {
      status: 'skipped',
      leaseUntil: null,
      error: decision.reason,
      updatedAt: now,
    });
    // A skipped send is reported to the run as `failed` (data.skipped), so a run waiting on
    // its outcome moves on at once instead of at its timeout.
    a.outcomes.push({
      row,
      outcome: {
        type: 'failed',
        at: now,
        data: { skipped: true, reason: decision.reason },
      },
    });
  } else {
    await tx.messages.update(row.workspaceId, row.id, {
      status: 'pending',
      leaseUntil: null,
      availableAt: decision.until,
      error: decision.reason,
      updatedAt: now,
    });
  }
  const what = `${row.channel} to ${row.recipient ?? '?'}`;
  traceOn(a.traces, row, {
    at: now,
    what: decision.kind === 'skip' ? 'skipped' : 'waiting',
    detail:
      decision.kind === 'skip'
        ? `${what} not sent: ${decision.reason}`
        : `${what} held until ${new Date(decision.until).toISOString()}: ${decision.reason}`,
  });
}

/**
 * Holds a row whose channel cannot be set up (a stored secret the key cannot decrypt, bad
 * settings), attempts unchanged, until an operator fixes it.
 */
export async function holdUnusable(
  tx: Tx,
  a: { row: MessageRow; now: number; err: unknown },
): Promise<void> {
  const { row, now } = a;
  await tx.messages.update(row.workspaceId, row.id, {
    status: 'pending',
    leaseUntil: null,
    availableAt: now + CONFIG_HOLD_MS,
    error: `channel ${row.channel} is not usable: ${errorText(a.err)}`,
    updatedAt: now,
  });
}

/**
 * Holds a row its dead sender left ambiguous (the provider had it; whether it went out is not
 * known) on an at-most-once channel: `unknown`, never sent again, written on the run's history.
 */
export async function holdUnknown(
  tx: Tx,
  a: { row: MessageRow; adapter: ChannelAdapter; now: number; traces: RunTraceRow[] },
): Promise<void> {
  const { row, adapter, now } = a;
  const since = new Date(row.attemptAt ?? now).toISOString();
  const error =
    `the sender stopped while ${adapter.name} had this message (since ${since}): it may or may ` +
    'not have gone out, and is not sent again (this channel sends at most once)';
  await tx.messages.update(row.workspaceId, row.id, {
    status: 'unknown',
    attempts: row.attempts + 1,
    leaseUntil: null,
    error,
    updatedAt: now,
  });
  traceOn(a.traces, row, {
    at: now,
    what: 'unknown',
    detail: `${row.channel} to ${row.recipient ?? '?'}: ${error}`,
  });
}

/** Adds a line at the row's node to its run's history (nothing for a row of no run). */
export function traceOn(
  traces: RunTraceRow[],
  row: MessageRow,
  line: Pick<RunTraceRow, 'at' | 'what' | 'detail'>,
): void {
  if (row.runId)
    traces.push({
      workspaceId: row.workspaceId,
      profileId: row.profileId,
      runId: row.runId,
      node: row.nodeId,
      ...line,
    });
}

/** Calls the adapter; a throw is a retryable failure (its message is kept). */
export async function sendSafely(adapter: ChannelAdapter, row: MessageRow): Promise<SendResult> {
  try {
    return await adapter.send(row, row.idempotencyKey);
  } catch (err) {
    return { kind: 'retryable', error: `${adapter.name}: ${errorText(err)}` };
  }
}

/** Puts a claimed row back to `pending` unsent, attempts unchanged. */
export async function handBack(tx: Tx, row: MessageRow, now: number): Promise<void> {
  await tx.messages.update(row.workspaceId, row.id, {
    status: 'pending',
    leaseUntil: null,
    availableAt: now + HAND_BACK_MS,
    updatedAt: now,
  });
}

/** Advances the runs of the rows with their outcomes (ended runs are left as they are). */
export async function reportOutcomes(batch: Batch, tx: Tx, outcomes: RunOutcome[]): Promise<void> {
  const withRun = outcomes.filter((o) => o.row.runId !== null && o.row.nodeId !== null);
  if (withRun.length === 0) return;
  const byWorkspace = new Map<string, RunOutcome[]>();
  for (const o of withRun) {
    const list = byWorkspace.get(o.row.workspaceId) ?? [];
    list.push(o);
    byWorkspace.set(o.row.workspaceId, list);
  }
  for (const [ws, list] of byWorkspace) {
    const runs = await tx.runs.lock(ws, [...new Set(list.map((o) => o.row.runId!))]);
    const live = new Map(
      runs.filter((r) => r.status === 'active' || r.status === 'waiting').map((r) => [r.id, r]),
    );
    if (live.size === 0) continue;
    await batch.preloadProfiles(
      ws,
      [...live.values()].map((r) => r.profileId),
    );
    for (const o of list) {
      const run = live.get(o.row.runId!);
      if (!run) continue;
      const next = await batch.advance(run, {
        kind: 'outcome',
        outcome: { ...o.outcome, messageKey: o.row.idempotencyKey, nodeId: o.row.nodeId! },
      });
      if (next.status === 'active' || next.status === 'waiting') live.set(run.id, next);
      else live.delete(run.id);
    }
  }
}

export /** The message of a thrown value. */
function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
