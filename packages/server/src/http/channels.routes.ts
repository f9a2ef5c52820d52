/**
 * `/api/channels` (admin token): each channel's provider and where it comes from, configuring a
 * provider (validated by the provider's schema; secret fields stored encrypted and shown only as
 * `"set"`), removing it, and sending a test message through it.
 */
import { z } from 'zod';
import {
  configureChannel,
  getChannel,
  listChannels,
  removeChannel,
  testChannel,
} from '../app/channels.ts';
import { providerFactories } from '../channels/index.ts';
import { actorOf } from '../app/access.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { OkSchema, named } from './schemas.ts';

const ChannelParam = z.object({
  channel: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a channel name: lower-case letters, digits, - and _')
    .describe('email, sms, voice, whatsapp, webhook, …'),
});

const ChannelSchema = named(
  z.object({
    channel: z.string(),
    provider: z.string().nullable().describe('null: the dev sink (messages stay in the outbox)'),
    configured: z.enum(['api', 'env', 'none']),
    settings: z.record(z.string(), z.unknown()).describe('non-secret settings'),
    secrets: z
      .record(z.string(), z.literal('set'))
      .describe('secret fields that are set; values are never returned'),
    providers: z.array(z.string()).describe('providers that can serve the channel'),
    error: z.string().nullable().describe('why the configuration cannot be used'),
    updatedAt: z.number().int().nullable(),
  }),
  'Channel',
);

/** The channel routes. */
export const channelRoutes: AnyRoute[] = [
  defineRoute({
    id: 'listChannels',
    method: 'GET',
    url: '/api/channels',
    auth: 'admin',
    role: 'admin',
    tag: 'channels',
    summary: 'Every channel with its provider and where it is configured (API, environment, none)',
    response: z.object({ items: z.array(ChannelSchema) }),
    async handler({ deps, workspaceId }) {
      return { items: await listChannels(deps, workspaceId) };
    },
  }),
  defineRoute({
    id: 'getChannel',
    method: 'GET',
    url: '/api/channels/:channel',
    auth: 'admin',
    role: 'admin',
    tag: 'channels',
    summary: 'One channel with its provider',
    params: ChannelParam,
    response: ChannelSchema,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      return getChannel(deps, workspaceId, params.channel);
    },
  }),
  defineRoute({
    id: 'configureChannel',
    method: 'PUT',
    url: '/api/channels/:channel',
    auth: 'admin',
    role: 'admin',
    tag: 'channels',
    summary: "Configure a channel's provider (secret settings are stored encrypted)",
    description:
      'Settings are validated by the provider; secret fields (passwords, tokens) are encrypted with ' +
      'WAYMARK_SECRET_KEY and never returned. A secret left out keeps its stored value.',
    params: ChannelParam,
    body: z.object({
      provider: z
        .string()
        .min(1)
        .describe(providerFactories.map((f) => f.name).join(', ')),
      settings: z.record(z.string(), z.unknown()).default({}),
    }),
    response: ChannelSchema,
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, params, body, caller }) {
      return configureChannel(deps, workspaceId, params.channel, body, actorOf(caller));
    },
  }),
  defineRoute({
    id: 'removeChannel',
    method: 'DELETE',
    url: '/api/channels/:channel',
    auth: 'admin',
    role: 'admin',
    tag: 'channels',
    summary: "Remove a channel's configuration (back to the environment, else the dev sink)",
    params: ChannelParam,
    response: OkSchema,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params, caller }) {
      await removeChannel(deps, workspaceId, params.channel, actorOf(caller));
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'testChannel',
    method: 'POST',
    url: '/api/channels/:channel/test',
    auth: 'admin',
    role: 'admin',
    tag: 'channels',
    summary: "Send a test message through the channel's provider now",
    params: ChannelParam,
    body: z.object({
      to: z.string().min(1).describe('address, phone number or URL'),
      subject: z.string().optional(),
      body: z.string().optional(),
    }),
    response: z.object({
      result: z.enum(['sent', 'retryable', 'permanent']),
      providerMessageId: z.string().nullable(),
      error: z.string().nullable(),
    }),
    errors: ['invalid_input', 'conflict'],
    async handler({ deps, workspaceId, params, body }) {
      return testChannel(deps, workspaceId, params.channel, body);
    },
  }),
];
