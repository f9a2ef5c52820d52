/**
 * Channel configuration use-cases (`/api/channels`): list each channel's provider and where it
 * comes from (API row, environment, none), configure one (settings validated by the provider's
 * schema, secret fields encrypted with WAYMARK_SECRET_KEY), remove one, send a test message.
 * Secret values never leave the server: listings show `"set"` in their place.
 */
import {
  ChannelConfigError,
  findFactory,
  providerFactories,
  storedSettings,
  type ChannelSource,
} from '../channels/index.ts';
import type { ProviderFactory } from '../channels/sdk/index.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { newMessage } from '../messages.ts';
import type { ChannelConfigRow } from '../storage/store.ts';
import { recordAudit, type Actor } from './audit.ts';
import type { AppDeps } from './deps.ts';

/** A channel as operators see it. */
export interface ChannelView {
  channel: string;
  /** The provider delivering it, or null (the dev sink: messages stay in the outbox). */
  provider: string | null;
  configured: ChannelSource;
  /** Non-secret settings. */
  settings: Record<string, unknown>;
  /** Secret fields that are set, each shown as `"set"`. */
  secrets: Record<string, 'set'>;
  /** Providers that can serve the channel. */
  providers: string[];
  /** Why the configuration cannot be used (a secret the key cannot decrypt…), else null. */
  error: string | null;
  updatedAt: number | null;
}

/** The providers to list and configure: the registry's, or every one (a fixed registry). */
function factories(deps: AppDeps): readonly ProviderFactory[] {
  return deps.channels.configuration?.factories ?? providerFactories;
}

/** Splits settings into plain ones and secret ones. */
function split(
  factory: ProviderFactory,
  settings: Record<string, unknown>,
): { plain: Record<string, unknown>; secret: Record<string, unknown> } {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (v === undefined) continue;
    if (factory.secretFields.includes(k)) secret[k] = v;
    else plain[k] = v;
  }
  return { plain, secret };
}

function masked(secret: Record<string, unknown>): Record<string, 'set'> {
  return Object.fromEntries(Object.keys(secret).map((k) => [k, 'set' as const]));
}

function fromRow(deps: AppDeps, row: ChannelConfigRow, providers: string[]): ChannelView {
  const factory = findFactory(factories(deps), row.provider, row.channel);
  let secrets: Record<string, 'set'> = {};
  let error: string | null = factory
    ? null
    : `no provider "${row.provider}" serves the ${row.channel} channel`;
  try {
    const all = storedSettings(row, deps.secrets);
    secrets = masked(factory ? split(factory, all).secret : {});
  } catch (err) {
    error = err instanceof ChannelConfigError ? err.message : String(err);
  }
  return {
    channel: row.channel,
    provider: row.provider,
    configured: 'api',
    settings: row.settings,
    secrets,
    providers,
    error,
    updatedAt: row.updatedAt,
  };
}

/** Every channel a provider can serve, plus any configured one, with its provider and source. */
export async function listChannels(deps: AppDeps, workspaceId: string): Promise<ChannelView[]> {
  const rows = await deps.store.channelConfigs.list(workspaceId);
  const byChannel = new Map(rows.map((r) => [r.channel, r]));
  const channels = new Set<string>([
    ...factories(deps).flatMap((f) => f.channels),
    ...rows.map((r) => r.channel),
  ]);
  const out: ChannelView[] = [];
  for (const channel of [...channels].sort()) {
    const providers = factories(deps)
      .filter((f) => f.channels.includes(channel))
      .map((f) => f.name);
    const row = byChannel.get(channel);
    if (row) {
      out.push(fromRow(deps, row, providers));
      continue;
    }
    const view: ChannelView = {
      channel,
      provider: null,
      configured: 'none',
      settings: {},
      secrets: {},
      providers,
      error: null,
      updatedAt: null,
    };
    try {
      const env = deps.channels.configuration?.envSettings(workspaceId, channel) ?? null;
      if (env) {
        const { plain, secret } = split(env.factory, env.settings);
        Object.assign(view, {
          provider: env.factory.name,
          configured: 'env',
          settings: plain,
          secrets: masked(secret),
        });
      }
    } catch (err) {
      Object.assign(view, { configured: 'env', error: (err as Error).message });
    }
    out.push(view);
  }
  return out;
}

/** Reads one channel's view. */
export async function getChannel(
  deps: AppDeps,
  workspaceId: string,
  channel: string,
): Promise<ChannelView> {
  const view = (await listChannels(deps, workspaceId)).find((c) => c.channel === channel);
  if (!view)
    throw new AppError('not_found', `no channel ${channel}`, [
      { path: 'params.channel', message: 'no provider serves this channel' },
    ]);
  return view;
}

/**
 * Configures a channel's provider for the workspace. Settings are validated with the provider's
 * schema (errors name `body.settings.<field>`); secret fields are encrypted. A secret field left
 * out keeps its stored value when the provider stays the same (so a form need not resend it).
 */
export async function configureChannel(
  deps: AppDeps,
  workspaceId: string,
  channel: string,
  input: { provider: string; settings: Record<string, unknown> },
  actor?: Actor,
): Promise<ChannelView> {
  const serving = factories(deps).filter((f) => f.channels.includes(channel));
  const factory = findFactory(factories(deps), input.provider, channel);
  if (!factory)
    throw new AppError(
      'invalid_input',
      `body.provider: "${input.provider}" cannot serve the ${channel} channel`,
      [
        {
          path: 'body.provider',
          message: `unknown provider for ${channel}`,
          hint: serving.length
            ? `one of: ${serving.map((f) => f.name).join(', ')}`
            : `no provider serves "${channel}"`,
        },
      ],
    );
  let settings = input.settings;
  const existing = await deps.store.channelConfigs.get(workspaceId, channel);
  if (existing?.provider === factory.name && existing.secrets !== null) {
    let kept: Record<string, unknown> = {};
    try {
      kept = split(factory, storedSettings(existing, deps.secrets)).secret;
    } catch {
      // Unreadable (the key changed): the caller must send every secret again.
    }
    settings = { ...kept, ...settings };
  }
  const parsed = factory.settings.safeParse(settings);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: ['body', 'settings', ...i.path.map(String)].join('.'),
      message: i.message,
      code: i.code,
    }));
    throw new AppError(
      'invalid_input',
      details.map((d) => `${d.path}: ${d.message}`).join('; '),
      details,
    );
  }
  const { plain, secret } = split(factory, parsed.data);
  const row: ChannelConfigRow = {
    workspaceId,
    channel,
    provider: factory.name,
    settings: plain,
    secrets: Object.keys(secret).length ? deps.secrets.encrypt(JSON.stringify(secret)) : null,
    updatedAt: Math.max(deps.clock.now(), (existing?.updatedAt ?? 0) + 1),
  };
  await deps.store.transaction(async (tx) => {
    await tx.channelConfigs.upsert(row);
    await recordAudit(tx, {
      workspaceId,
      at: deps.clock.now(),
      actor,
      action: existing ? 'channel.changed' : 'channel.created',
      target: `channel:${channel}`,
      // Secret values never reach the log: only which provider, and which fields were sent.
      detail: { provider: factory.name, fields: Object.keys(input.settings).sort() },
    });
  });
  deps.channels.configuration?.invalidate(workspaceId, channel);
  return fromRow(
    deps,
    row,
    serving.map((f) => f.name),
  );
}

/** Removes a channel's configuration (it falls back to the environment, then the dev sink). */
export async function removeChannel(
  deps: AppDeps,
  workspaceId: string,
  channel: string,
  actor?: Actor,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const removed = await tx.channelConfigs.remove(workspaceId, channel);
    if (!removed)
      throw new AppError('not_found', `the ${channel} channel has no configuration to remove`, [
        { path: 'params.channel', message: 'not configured through the API' },
      ]);
    await recordAudit(tx, {
      workspaceId,
      at: deps.clock.now(),
      actor,
      action: 'channel.deleted',
      target: `channel:${channel}`,
    });
  });
  deps.channels.configuration?.invalidate(workspaceId, channel);
}

/** Sends a test message through the channel's provider now (nothing is written to the outbox). */
export async function testChannel(
  deps: AppDeps,
  workspaceId: string,
  channel: string,
  input: { to: string; subject?: string | undefined; body?: string | undefined },
): Promise<{
  result: 'sent' | 'retryable' | 'permanent';
  providerMessageId: string | null;
  error: string | null;
}> {
  let adapter;
  try {
    adapter = await deps.channels.get(workspaceId, channel);
  } catch (err) {
    throw new AppError('conflict', (err as Error).message, [
      { path: 'params.channel', message: 'configuration not usable' },
    ]);
  }
  if (!adapter)
    throw new AppError('conflict', `the ${channel} channel has no provider configured`, [
      {
        path: 'params.channel',
        message: 'not configured',
        hint: `PUT /api/channels/${channel} first`,
      },
    ]);
  const now = deps.clock.now();
  const id = newId(now);
  const subject = input.subject ?? 'Waymark test message';
  const body = input.body ?? `This is a test message from Waymark (${channel}).`;
  const row = newMessage(now, {
    workspaceId,
    profileId: '',
    id,
    idempotencyKey: `test:${id}`,
    kind: channel === 'webhook' ? 'webhook' : 'message',
    channel,
    recipient: input.to,
    content:
      channel === 'webhook'
        ? { url: input.to, method: 'POST', body: { test: true, text: body } }
        : { subject, body, transactional: true },
    status: 'sending',
  });
  const result = await adapter.send(row, row.idempotencyKey);
  return result.kind === 'sent'
    ? { result: 'sent', providerMessageId: result.providerMessageId, error: null }
    : { result: result.kind, providerMessageId: null, error: result.error };
}
