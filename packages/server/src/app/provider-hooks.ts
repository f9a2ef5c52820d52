/**
 * Provider webhooks (status callbacks, call progress): the workspace's adapter for the channel
 * authenticates and normalises the request, then each outcome updates its message (delivered,
 * failed with the provider's error) and reaches the run waiting on it. The same callback twice
 * records once: an outcome that would settle a message already settled is dropped, and the
 * engine keeps one outcome of each type per message.
 */
import type { ProviderOutcome, ProviderRequest } from '../channels/sdk/index.ts';
import { AppError } from '../errors.ts';
import type { MessageRow, MessageStatus } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';
import { recordOutcome } from './outbox.ts';

/** The message status an outcome settles a message in; outcomes not listed leave it as it is. */
const SETTLES: Partial<Record<ProviderOutcome['type'], MessageStatus>> = {
  delivered: 'delivered',
  bridged: 'delivered',
  failed: 'failed',
  bounced: 'failed',
  no_agent: 'failed',
  no_answer: 'failed',
};

const SETTLED: ReadonlySet<MessageStatus> = new Set(['delivered', 'failed']);

/** What a webhook did. */
export interface HookResult {
  /** The message the webhook is about (the last one, when several outcomes came). */
  message: MessageRow | null;
  /** Outcomes recorded (duplicates and unknown messages left out). */
  recorded: ProviderOutcome[];
  /** Outcomes dropped, with why. */
  ignored: Array<{ outcome: ProviderOutcome; reason: string }>;
}

async function findMessage(
  deps: AppDeps,
  workspaceId: string,
  o: ProviderOutcome,
): Promise<MessageRow | null> {
  if (o.messageId) {
    const byId = await deps.store.messages.get(workspaceId, o.messageId);
    if (byId) return byId;
  }
  return o.providerMessageId
    ? deps.store.messages.getByProviderId(workspaceId, o.providerMessageId)
    : null;
}

/**
 * Takes a provider's webhook for `channel` of a workspace. Throws `WebhookRejected` (from the
 * adapter) when it is not authentic, `not_found` when the channel has no provider with webhooks.
 */
export async function receiveProviderHook(
  deps: AppDeps,
  workspaceId: string,
  channel: string,
  request: ProviderRequest,
): Promise<HookResult> {
  const adapter = await deps.channels.get(workspaceId, channel);
  if (!adapter?.parseWebhook)
    throw new AppError('not_found', `no ${channel} provider with webhooks in this workspace`, [
      { path: 'channel', message: 'not configured', hint: 'configure it in /api/channels' },
    ]);
  const outcomes = adapter.parseWebhook(request);
  // Callback URLs carry the message's idempotency key: a URL minted for another message (an
  // older database, another install on the same public URL) does not touch this one.
  const key = new URL(request.url).searchParams.get('key');
  const result: HookResult = { message: null, recorded: [], ignored: [] };
  for (const outcome of outcomes) {
    const message = await findMessage(deps, workspaceId, outcome);
    if (
      !message ||
      message.channel !== channel ||
      (key !== null && key !== message.idempotencyKey)
    ) {
      result.ignored.push({ outcome, reason: 'no such message on this channel' });
      continue;
    }
    result.message = message;
    const settles = SETTLES[outcome.type];
    if (settles && SETTLED.has(message.status)) {
      result.ignored.push({ outcome, reason: `message already ${message.status}` });
      continue;
    }
    // The run first, then the message: a crash in between leaves the message unsettled, so the
    // provider's retry records it again (the engine keeps one outcome of each type).
    await recordOutcome(deps, workspaceId, {
      messageId: message.id,
      type: outcome.type,
      ...(outcome.data ? { data: outcome.data } : {}),
    });
    if (settles) {
      const now = deps.clock.now();
      const error = typeof outcome.data?.error === 'string' ? outcome.data.error : null;
      await deps.store.messages.update(workspaceId, message.id, {
        status: settles,
        updatedAt: now,
        ...(settles === 'failed' ? { error } : {}),
        ...(message.providerMessageId === null && outcome.providerMessageId
          ? { providerMessageId: outcome.providerMessageId }
          : {}),
      });
      result.message = { ...message, status: settles, updatedAt: now };
    }
    result.recorded.push(outcome);
  }
  if (result.recorded.length) deps.notify('outbox');
  return result;
}
