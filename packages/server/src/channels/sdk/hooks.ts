/**
 * Webhook routes a provider declares (status callbacks, inbound messages, the TwiML a call
 * fetches): each route is data — method, path, the body kept raw for the signature check, its
 * documentation — and a handler that takes a small request and answers a small response. http/
 * mounts every provider's routes the same way, so it names no vendor: it keeps the raw body,
 * documents the route in OpenAPI, and turns a `WebhookRejected` raised by the services (the
 * adapter's signature check) into the refusal and a security-log line.
 */
import type { z } from 'zod';
import type { MessageRow } from '../../storage/store.ts';
import type { ProviderRequest } from './adapter.ts';

/**
 * A webhook request as the provider signed it, with its validated path parameters (the query
 * string is in `url`).
 */
export interface HookRequest<P = unknown> extends ProviderRequest {
  params: P;
}

/** What a webhook route answers (always status 200; refusals are errors). */
export interface HookResponse {
  contentType: string;
  body: string;
}

/** Which workspace's adapter of which channel authenticates a request. */
export interface HookTarget {
  workspaceId: string;
  channel: string;
  request: ProviderRequest;
}

/** The target of an inbound message: the channels inbound messages arrive on. */
export interface InboundTarget extends HookTarget {
  channel: 'sms' | 'whatsapp';
}

/**
 * What the server does with a webhook, for the route handlers. Both throw `WebhookRejected` when
 * the workspace's adapter does not authenticate the request (it is then refused and logged).
 */
export interface HookServices {
  /**
   * Authenticates the request with the adapter's `parseWebhook` and records each outcome on its
   * message; answers the message it was about (null when unknown).
   */
  recordOutcomes(target: HookTarget): Promise<{ message: MessageRow | null }>;
  /** Authenticates the request with the adapter's `parseInbound` and routes the message. */
  receiveInbound(
    target: InboundTarget,
  ): Promise<{ route: string; runId: string | null; duplicate: boolean }>;
  /** Writes an `info` line to the request's log. */
  log(fields: Record<string, unknown>, message: string): void;
}

/** One webhook route of a provider, typed by its path parameters' schema. */
export interface HookRoute<P extends z.ZodType> {
  /** OpenAPI operationId. */
  id: string;
  method: 'POST';
  /** Fastify path (`/hooks/twilio/:workspaceId/:channel/inbound`). */
  path: string;
  summary: string;
  description: string;
  params: P;
  /** Validates (and documents) the query string. */
  query?: z.ZodType | undefined;
  /** The body's content type (kept raw: signatures cover its bytes) and its documentation. */
  body: { contentType: string; doc: z.ZodType };
  /** Documentation of the answer. */
  response: z.ZodType;
  handle(request: HookRequest<z.output<P>>, services: HookServices): Promise<HookResponse>;
}

/** A webhook route with its parameter types erased: `handle` validates what it is given. */
export interface AnyHookRoute extends Omit<HookRoute<z.ZodType>, 'handle'> {
  handle(request: HookRequest, services: HookServices): Promise<HookResponse>;
}

/** Declares a webhook route; its handler is type-checked against its path parameters. */
export function defineHookRoute<P extends z.ZodType>(route: HookRoute<P>): AnyHookRoute {
  return {
    ...route,
    // http/ has validated the parameters already; parsing them again here keeps the erased
    // type honest without a cast.
    handle: (request, services) =>
      route.handle({ ...request, params: route.params.parse(request.params) }, services),
  };
}

/** A vendor's webhook routes, with what a refusal names. */
export interface ProviderHooks {
  /** Whose webhooks (`twilio`): the security log says `twilio webhook rejected`. */
  provider: string;
  /** The header carrying the signature: a refusal names it, with a hint to fix it. */
  signature: { header: string; hint: string };
  routes: readonly AnyHookRoute[];
}
