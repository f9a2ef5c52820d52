/**
 * Twilio's webhooks under `/hooks/twilio/{workspace}/{channel}/{event}/{message id}`: message and
 * call status callbacks, the TwiML of a voice callback when the contact centre answers, and the
 * result of its `<Dial>`. Each request is verified (`X-Twilio-Signature` over the public URL and
 * the form body) by the workspace's adapter before anything is recorded; forged or unsigned ones
 * get 403 and a line in the security log (`twilio webhook rejected`, http/security-log.ts). The
 * routes live in their own Fastify scope, whose form parser keeps the raw body the signature
 * covers.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app/deps.ts';
import { receiveProviderHook, type HookResult } from '../app/provider-hooks.ts';
import { receiveProviderInbound } from '../app/inbound.ts';
import { WebhookRejected, type ProviderRequest } from '../channels/channel.ts';
import { answerTwiml, EMPTY_TWIML, HANGUP_TWIML, TWIML_TYPE } from '../channels/twilio/index.ts';
import { AppError } from '../errors.ts';
import { defineRoute, registerRoutes, type AnyRoute, type RouteContext } from './route.ts';
import { securityEvent } from './security-log.ts';

const FORM = 'application/x-www-form-urlencoded';

const StatusParams = z.object({
  workspaceId: z.string().min(1).describe('Workspace the message belongs to'),
  channel: z.enum(['sms', 'whatsapp', 'voice']).describe('Channel of the message'),
  messageId: z.string().min(1).describe('Our message id'),
});
const VoiceParams = StatusParams.omit({ channel: true });

const Query = z.object({ key: z.string().optional().describe("The message's idempotency key") });

/** Twilio's form fields, documented loosely: the adapter reads what it needs. */
const TwilioForm = z
  .record(z.string(), z.string())
  .describe('Twilio callback parameters (MessageSid, MessageStatus, CallSid, CallStatus, …)');

const TwiML = z.string().describe('TwiML (text/xml)');

type Ctx = RouteContext<'none', { workspaceId: string; messageId: string }, unknown, unknown>;
type AnyCtx = RouteContext<'none', { workspaceId: string }, unknown, unknown>;

/** The request as Twilio signed it: the public URL and the raw form body. */
function providerRequest(ctx: AnyCtx): ProviderRequest {
  return {
    method: ctx.request.method,
    url: ctx.deps.publicUrl + ctx.request.url,
    headers: ctx.request.headers,
    rawBody: Buffer.isBuffer(ctx.body) ? ctx.body : Buffer.alloc(0),
  };
}

/** Verifies and records a callback; a rejected one is logged and answered with its status. */
async function take(ctx: Ctx, channel: string): Promise<HookResult> {
  try {
    return await receiveProviderHook(
      ctx.deps,
      ctx.params.workspaceId,
      channel,
      providerRequest(ctx),
    );
  } catch (err) {
    throw rejected(ctx, err);
  }
}

/** A `WebhookRejected` as the AppError answered, in the security log; other errors as they are. */
function rejected(ctx: AnyCtx, err: unknown): unknown {
  if (!(err instanceof WebhookRejected)) return err;
  securityEvent(ctx.request, {
    kind: 'webhook_rejected',
    provider: 'twilio',
    status: err.status,
    reason: err.message,
  });
  const code =
    err.status === 404 ? 'not_found' : err.status === 400 ? 'invalid_input' : 'forbidden';
  const path = err.status === 400 ? 'body' : 'x-twilio-signature';
  return new AppError(code, err.message, [
    {
      path,
      message: err.message,
      ...(path === 'x-twilio-signature'
        ? { hint: 'check the auth token and WAYMARK_PUBLIC_URL' }
        : {}),
    },
  ]);
}

function twiml(ctx: Ctx, body: string): string {
  ctx.reply.type(TWIML_TYPE);
  return body;
}

const InboundParams = z.object({
  workspaceId: z.string().min(1).describe('Workspace of the number written to'),
  channel: z.enum(['sms', 'whatsapp']).describe('Channel the message came on'),
});

/** Twilio's inbound-message fields. */
const InboundForm = z
  .record(z.string(), z.string())
  .describe(
    'Twilio inbound message parameters (From, To, Body, MessageSid, AccountSid, NumMedia, …)',
  );

/** The Twilio webhook routes (mounted by `registerTwilioHooks`, documented in the route table). */
export const twilioRoutes: AnyRoute[] = [
  defineRoute({
    id: 'twilioInboundMessage',
    method: 'POST',
    url: '/hooks/twilio/:workspaceId/:channel/inbound',
    auth: 'none',
    tag: 'Provider webhooks',
    summary: "A customer's SMS (or WhatsApp message) to one of the workspace's Twilio numbers",
    description:
      'Set as the number\'s "A message comes in" webhook. Verified with X-Twilio-Signature ' +
      "(the channel's auth token); STOP/START/HELP change consent, a reply goes to the run " +
      'waiting for it, else inbound-keyword journeys start, and the message is kept in the ' +
      "profile's history. A retried webhook (same MessageSid) records nothing twice. Answers " +
      'empty TwiML.',
    params: InboundParams,
    bodyDoc: { [FORM]: InboundForm },
    response: TwiML,
    errors: ['forbidden', 'not_found', 'invalid_input'],
    handler: async (ctx) => {
      try {
        const result = await receiveProviderInbound(
          ctx.deps,
          ctx.params.workspaceId,
          ctx.params.channel,
          providerRequest(ctx),
        );
        ctx.request.log.info(
          { route: result.route, runId: result.runId, duplicate: result.duplicate },
          'twilio inbound message',
        );
      } catch (err) {
        throw rejected(ctx, err);
      }
      ctx.reply.type(TWIML_TYPE);
      return EMPTY_TWIML;
    },
  }),
  defineRoute({
    id: 'twilioStatusCallback',
    method: 'POST',
    url: '/hooks/twilio/:workspaceId/:channel/status/:messageId',
    auth: 'none',
    tag: 'Provider webhooks',
    summary: 'Twilio message or call status callback',
    description:
      'The StatusCallback of a message (sms, whatsapp) or a voice callback. Verified with ' +
      'X-Twilio-Signature; outcomes: delivered, failed, opened (WhatsApp read); for calls ' +
      'no_agent (the centre did not answer) and failed.',
    params: StatusParams,
    query: Query,
    bodyDoc: { [FORM]: TwilioForm },
    response: TwiML,
    errors: ['forbidden', 'not_found', 'invalid_input'],
    handler: async (ctx) => {
      await take(ctx, ctx.params.channel);
      return twiml(ctx, EMPTY_TWIML);
    },
  }),
  defineRoute({
    id: 'twilioVoiceAnswer',
    method: 'POST',
    url: '/hooks/twilio/:workspaceId/voice/answer/:messageId',
    auth: 'none',
    tag: 'Provider webhooks',
    summary: 'TwiML of a voice callback when the contact centre answers',
    description:
      'Records `answered` and returns TwiML: the whisper (the rendered template) and <Dial> to ' +
      'the customer, whose result is posted to …/voice/dial/{messageId}.',
    params: VoiceParams,
    query: Query,
    bodyDoc: { [FORM]: TwilioForm },
    response: TwiML,
    errors: ['forbidden', 'not_found', 'invalid_input'],
    handler: async (ctx) => {
      const { message } = await take(ctx, 'voice');
      if (!message) return twiml(ctx, HANGUP_TWIML);
      const whisper = typeof message.content.body === 'string' ? message.content.body : '';
      return twiml(ctx, answerTwiml(ctx.deps.publicUrl + ctx.request.url, whisper));
    },
  }),
  defineRoute({
    id: 'twilioVoiceDial',
    method: 'POST',
    url: '/hooks/twilio/:workspaceId/voice/dial/:messageId',
    auth: 'none',
    tag: 'Provider webhooks',
    summary: "Result of a voice callback's <Dial> to the customer",
    description:
      'DialCallStatus completed → bridged; busy or no-answer → no_answer; failed → failed. ' +
      'Answers TwiML that hangs up.',
    params: VoiceParams,
    query: Query,
    bodyDoc: { [FORM]: TwilioForm },
    response: TwiML,
    errors: ['forbidden', 'not_found', 'invalid_input'],
    handler: async (ctx) => {
      await take(ctx, 'voice');
      return twiml(ctx, HANGUP_TWIML);
    },
  }),
];

/**
 * Mounts `twilioRoutes` in their own scope, where form bodies are kept raw (Buffer) for the
 * signature check instead of parsed.
 */
export function registerTwilioHooks(app: FastifyInstance, deps: AppDeps): void {
  void app.register(async (scope) => {
    if (scope.hasContentTypeParser(FORM)) scope.removeContentTypeParser(FORM);
    scope.addContentTypeParser(FORM, { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    registerRoutes(scope, deps, twilioRoutes);
  });
}
