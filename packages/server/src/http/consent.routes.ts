/**
 * Consent over HTTP: the admin API for subscriptions and suppressions (`/api/…`, admin token) and
 * the public unsubscribe page `/u/:token` of every message's unsubscribe link — a small HTML page
 * that works without JavaScript on a phone, and the RFC 8058 one-click POST mail clients send
 * (`List-Unsubscribe=One-Click`). A forged or unknown token gets a 404 page and records nothing.
 * The pages themselves are rendered by @waymark/web.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Channel } from '@waymark/core';
import { unsubscribeNotFoundPage, unsubscribePage, unsubscribedPage } from '@waymark/web';
import { z } from 'zod';
import {
  addSuppression,
  getSubscriptions,
  listSuppressions,
  removeSuppression,
  setSubscriptions,
  unsubscribeByToken,
  unsubscribeView,
} from '../app/consent.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { OkSchema, named, page } from './schemas.ts';

const Millis = z.number().int().describe('epoch milliseconds');
const ByRef = z.object({
  ref: z.string().min(1).describe('profile id, userId, or kind:value (email:ana@example.com)'),
});

/** A subscription row. */
const SubscriptionSchema = named(
  z.object({
    workspaceId: z.string(),
    profileId: z.string(),
    channel: z.string(),
    topic: z.string().describe("'' = the whole channel"),
    status: z.enum(['subscribed', 'unsubscribed']),
    source: z.string().describe('unsubscribe_link, sms_stop, sms_start, api, import'),
    updatedAt: Millis,
  }),
  'Subscription',
);

/** A suppressed address. */
const SuppressionSchema = named(
  z.object({
    workspaceId: z.string(),
    channel: z.string(),
    address: z.string().describe('lower-cased email or E.164 phone number'),
    reason: z.enum(['hard_bounce', 'complaint', 'manual']),
    detail: z.string().nullable(),
    createdAt: Millis,
  }),
  'Suppression',
);

const Subscriptions = z.object({ items: z.array(SubscriptionSchema) });

/** What the unsubscribe form posts (and what mail clients post for one-click). */
const UnsubscribeForm = z.object({
  scope: z
    .enum(['topic', 'channel'])
    .optional()
    .describe("'topic': only the link's topic; 'channel': every marketing message of the channel"),
  'List-Unsubscribe': z.literal('One-Click').optional().describe('RFC 8058 one-click'),
});

/** Answers an HTML page with a status of its own (the route table answers its success status). */
function sendPage(reply: FastifyReply, status: number, html: string): string {
  reply.hijack();
  reply.raw.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  reply.raw.end(html);
  return html;
}

/** The fields of a form body however it was parsed (Buffer or text; urlencoded or multipart). */
function formFields(body: unknown): Record<string, string> {
  if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  if (/content-disposition:/i.test(text)) {
    // multipart/form-data (RFC 8058 allows it): name="field" then a blank line, then the value.
    const out: Record<string, string> = {};
    for (const m of text.matchAll(/name="([^"]+)"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)/gi))
      out[m[1]!] = m[2]!;
    return out;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Form bodies (HTML forms, RFC 8058 one-click) are read as raw bytes; handlers decode them. */
export function registerFormParsers(app: FastifyInstance): void {
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    if (app.hasContentTypeParser(type)) continue;
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
  }
}

/** Consent routes: the admin API and the public unsubscribe page. */
export const consentRoutes: AnyRoute[] = [
  defineRoute({
    id: 'getSubscriptions',
    method: 'GET',
    url: '/api/profiles/:ref/subscriptions',
    auth: 'admin',
    role: 'viewer',
    tag: 'consent',
    summary: "A profile's consent per channel and topic",
    description: "A channel with no row is subscribed. Topic '' is the whole channel.",
    params: ByRef,
    response: Subscriptions,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      return { items: await getSubscriptions(deps, workspaceId, params.ref) };
    },
  }),
  defineRoute({
    id: 'setSubscriptions',
    method: 'PUT',
    url: '/api/profiles/:ref/subscriptions',
    auth: 'admin',
    role: 'editor',
    tag: 'consent',
    summary: "Set a profile's consent per channel and topic; answers all its rows",
    params: ByRef,
    body: z
      .array(
        z.object({
          channel: Channel,
          topic: z.string().optional().describe("absent or '' = the whole channel"),
          status: z.enum(['subscribed', 'unsubscribed']),
        }),
      )
      .min(1),
    response: Subscriptions,
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, params, body }) {
      return {
        items: await setSubscriptions(deps, workspaceId, { profile: params.ref, changes: body }),
      };
    },
  }),
  defineRoute({
    id: 'listSuppressions',
    method: 'GET',
    url: '/api/suppressions',
    auth: 'admin',
    role: 'viewer',
    tag: 'consent',
    summary: 'Suppressed addresses (hard bounces, complaints, manual), a page at a time',
    query: z.object({
      channel: z.string().min(1).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
      cursor: z.string().min(1).optional(),
    }),
    response: page(SuppressionSchema),
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, query }) {
      return listSuppressions(deps, workspaceId, query);
    },
  }),
  defineRoute({
    id: 'addSuppression',
    method: 'POST',
    url: '/api/suppressions',
    auth: 'admin',
    role: 'editor',
    tag: 'consent',
    summary: 'Suppress an address: no message goes to it, transactional ones included',
    body: z.object({
      channel: Channel,
      address: z.string().min(1).describe('email address or phone number'),
      reason: z.enum(['hard_bounce', 'complaint', 'manual']).default('manual'),
      detail: z.string().optional(),
    }),
    status: 201,
    response: z.object({ suppression: SuppressionSchema }),
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, body }) {
      return { suppression: await addSuppression(deps, workspaceId, body) };
    },
  }),
  defineRoute({
    id: 'removeSuppression',
    method: 'DELETE',
    url: '/api/suppressions',
    auth: 'admin',
    role: 'admin',
    tag: 'consent',
    summary: 'Lift the suppression of an address',
    query: z.object({ channel: Channel, address: z.string().min(1) }),
    response: OkSchema,
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, query }) {
      await removeSuppression(deps, workspaceId, query);
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'unsubscribePage',
    method: 'GET',
    url: '/u/:token',
    auth: 'none',
    tag: 'consent',
    summary: 'Unsubscribe page of a message (HTML): confirm, or choose the topic or the channel',
    description: 'A forged or unknown token answers a 404 page. Nothing changes until the POST.',
    params: z.object({ token: z.string().min(1) }),
    response: z.string(),
    produces: 'text/html; charset=utf-8',
    errors: ['not_found'],
    async handler({ deps, params, reply }) {
      const view = await unsubscribeView(deps, params.token);
      if (!view) return sendPage(reply, 404, unsubscribeNotFoundPage());
      const { payload, channelOff, topicOff } = view;
      return sendPage(
        reply,
        200,
        unsubscribePage({ channel: payload.c, topic: payload.t, channelOff, topicOff }),
      );
    },
  }),
  defineRoute({
    id: 'unsubscribe',
    method: 'POST',
    url: '/u/:token',
    auth: 'none',
    tag: 'consent',
    summary: 'Unsubscribe (the page form, or RFC 8058 one-click from a mail client)',
    description:
      'Body `List-Unsubscribe=One-Click` (what mail clients send): unsubscribes from the ' +
      "link's topic (or channel) and answers 200 with no page. Otherwise `scope` chooses; the " +
      'answer is a confirmation page. Recorded as a subscription row (source ' +
      '`unsubscribe_link`) and an `unsubscribed` outcome of the message on its run.',
    params: z.object({ token: z.string().min(1) }),
    bodyDoc: {
      'application/x-www-form-urlencoded': UnsubscribeForm,
      'multipart/form-data': UnsubscribeForm,
    },
    response: z.string(),
    produces: 'text/html; charset=utf-8',
    errors: ['not_found'],
    async handler({ deps, params, request, reply }) {
      const form = formFields(request.body);
      const oneClick = form['List-Unsubscribe'] === 'One-Click';
      const scope =
        form.scope === 'channel' ? 'channel' : form.scope === 'topic' ? 'topic' : undefined;
      const done = await unsubscribeByToken(deps, { token: params.token, scope });
      if (!done) return sendPage(reply, 404, unsubscribeNotFoundPage());
      return sendPage(reply, 200, oneClick ? '' : unsubscribedPage(done.payload.c, done.topic));
    },
  }),
];
