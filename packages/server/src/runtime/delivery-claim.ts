/**
 * What the delivery engine (`delivery.ts`) does with the rows of a claim, inside the claim's
 * transaction: applies the policy (a skip or delay is recorded at once), finds each row's adapter
 * (reading channel configurations through the transaction), holds rows whose channel is unusable
 * and ambiguous rows of at-most-once channels, sends to local adapters (the dev sink's "send" is
 * this commit: exactly once), hands back what a full lane cannot take, and returns the rows for
 * the lanes.
 */
import type { ChannelAdapter, ChannelRegistry } from '../channels/sdk/index.ts';
import type { MessageRow, RunTraceRow, Tx } from '../storage/store.ts';
import type { Lane } from './delivery-lanes.ts';
import type { DeliveryOptions, DeliveryPolicy } from './delivery-options.ts';
import {
  handBack,
  holdUnknown,
  holdUnusable,
  recordDecision,
  recordResult,
  reportOutcomes,
  sendSafely,
  type RunOutcome,
} from './delivery-records.ts';
import type { Batch } from './engine.ts';

/** A claimed row bound for an external adapter's lane. */
export interface ForLane {
  row: MessageRow;
  adapter: ChannelAdapter;
}

/** Decides the claimed rows (not held by this worker already); returns the ones for lanes. */
export async function dispatchClaimed(a: {
  batch: Batch;
  tx: Tx;
  now: number;
  rows: MessageRow[];
  policy: DeliveryPolicy | undefined;
  channels: ChannelRegistry;
  options: DeliveryOptions;
  /** The lane of an adapter (made on first use). */
  lane(adapter: ChannelAdapter): Lane;
}): Promise<ForLane[]> {
  const { batch, tx, now, rows, policy, channels } = a;
  const out: ForLane[] = [];
  if (policy?.prepare && rows.length > 0) await policy.prepare(tx, rows);
  const outcomes: RunOutcome[] = [];
  /** Rows the local adapter (dev sink) delivered in this transaction. */
  const local: MessageRow[] = [];
  const traces: RunTraceRow[] = [];
  const counts = new Map<ChannelAdapter, number>();
  for (const row of rows) {
    const ambiguous = row.attemptAt !== null && row.attemptAt !== undefined;
    if (row.kind === 'message' && policy && !ambiguous) {
      const decision = await policy(tx, row, now);
      if (decision.kind !== 'send') {
        await recordDecision(tx, { row, decision, now, outcomes, traces });
        continue;
      }
    }
    let adapter: ChannelAdapter;
    try {
      adapter = await channels.for(row, tx.channelConfigs);
    } catch (err) {
      await holdUnusable(tx, { row, now, err });
      continue;
    }
    if (ambiguous && (adapter.afterCrash ?? 'hold') === 'hold') {
      await holdUnknown(tx, { row, adapter, now, traces });
      continue;
    }
    if (adapter.local) {
      const result = await sendSafely(adapter, row);
      const recorded = recordResult(row, { result, at: now, options: a.options });
      local.push(recorded.row);
      outcomes.push(...recorded.outcomes);
      continue;
    }
    const lane = a.lane(adapter);
    const held = lane.queue.length + lane.active + (counts.get(adapter) ?? 0);
    if (held >= lane.cap) {
      await handBack(tx, row, now);
      continue;
    }
    counts.set(adapter, (counts.get(adapter) ?? 0) + 1);
    out.push({ row, adapter });
  }
  if (local.length) await tx.messages.recordResults(local);
  if (traces.length) await tx.runs.appendTrace(traces);
  await reportOutcomes(batch, tx, outcomes);
  return out;
}
