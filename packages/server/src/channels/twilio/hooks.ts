/**
 * Twilio's webhooks under `/hooks/twilio/{workspace}/{channel}/…`: a customer's SMS, message and
 * call status callbacks, the TwiML of a voice callback when the contact centre answers, and the
 * result of its `<Dial>`. Each request is verified (`X-Twilio-Signature` over the public URL and
 * the form body) by the workspace's adapter before anything is recorded; forged or unsigned ones
 * get 403 and a line in the security log (`twilio webhook rejected`). http/ mounts these routes
 * with the other providers' and keeps the raw form body the signature covers.
 */
import { z } from 'zod';
import {
  defineHookRoute,
  type HookRequest,
  type HookResponse,
  type HookServices,
  type ProviderHooks,
} from '../sdk/index.ts';
import { answerTwiml, EMPTY_TWIML, HANGUP_TWIML, TWIML_TYPE } from './twiml.ts';

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

function twiml(body: string): HookResponse {
  return { contentType: TWIML_TYPE, body };
}

/** Verifies and records a voice callback; answers the message it is about. */
async function voiceCallback(
  request: HookRequest<{ workspaceId: string }>,
  services: HookServices,
) {
  return services.recordOutcomes({
    workspaceId: request.params.workspaceId,
    channel: 'voice',
    request,
  });
}

/** Twilio's webhook routes (shared by the `twilio` and `twilio-voice` providers). */
export const twilioHooks: ProviderHooks = {
  provider: 'twilio',
  signature: { header: 'x-twilio-signature', hint: 'check the auth token and WAYMARK_PUBLIC_URL' },
  routes: [
    defineHookRoute({
      id: 'twilioInboundMessage',
      method: 'POST',
      path: '/hooks/twilio/:workspaceId/:channel/inbound',
      summary: "A customer's SMS (or WhatsApp message) to one of the workspace's Twilio numbers",
      description:
        'Set as the number\'s "A message comes in" webhook. Verified with X-Twilio-Signature ' +
        "(the channel's auth token); STOP/START/HELP change consent, a reply goes to the run " +
        'waiting for it, else inbound-keyword journeys start, and the message is kept in the ' +
        "profile's history. A retried webhook (same MessageSid) records nothing twice. Answers " +
        'empty TwiML.',
      params: InboundParams,
      body: { contentType: FORM, doc: InboundForm },
      response: TwiML,
      async handle(request, services) {
        const { workspaceId, channel } = request.params;
        const result = await services.receiveInbound({ workspaceId, channel, request });
        services.log(
          { route: result.route, runId: result.runId, duplicate: result.duplicate },
          'twilio inbound message',
        );
        return twiml(EMPTY_TWIML);
      },
    }),
    defineHookRoute({
      id: 'twilioStatusCallback',
      method: 'POST',
      path: '/hooks/twilio/:workspaceId/:channel/status/:messageId',
      summary: 'Twilio message or call status callback',
      description:
        'The StatusCallback of a message (sms, whatsapp) or a voice callback. Verified with ' +
        'X-Twilio-Signature; outcomes: delivered, failed, opened (WhatsApp read); for calls ' +
        'no_agent (the centre did not answer) and failed.',
      params: StatusParams,
      query: Query,
      body: { contentType: FORM, doc: TwilioForm },
      response: TwiML,
      async handle(request, services) {
        const { workspaceId, channel } = request.params;
        await services.recordOutcomes({ workspaceId, channel, request });
        return twiml(EMPTY_TWIML);
      },
    }),
    defineHookRoute({
      id: 'twilioVoiceAnswer',
      method: 'POST',
      path: '/hooks/twilio/:workspaceId/voice/answer/:messageId',
      summary: 'TwiML of a voice callback when the contact centre answers',
      description:
        'Records `answered` and returns TwiML: the whisper (the rendered template) and <Dial> to ' +
        'the customer, whose result is posted to …/voice/dial/{messageId}.',
      params: VoiceParams,
      query: Query,
      body: { contentType: FORM, doc: TwilioForm },
      response: TwiML,
      async handle(request, services) {
        const { message } = await voiceCallback(request, services);
        if (!message) return twiml(HANGUP_TWIML);
        const whisper = typeof message.content.body === 'string' ? message.content.body : '';
        return twiml(answerTwiml(request.url, whisper));
      },
    }),
    defineHookRoute({
      id: 'twilioVoiceDial',
      method: 'POST',
      path: '/hooks/twilio/:workspaceId/voice/dial/:messageId',
      summary: "Result of a voice callback's <Dial> to the customer",
      description:
        'DialCallStatus completed → bridged; busy or no-answer → no_answer; failed → failed. ' +
        'Answers TwiML that hangs up.',
      params: VoiceParams,
      query: Query,
      body: { contentType: FORM, doc: TwilioForm },
      response: TwiML,
      async handle(request, services) {
        await voiceCallback(request, services);
        return twiml(HANGUP_TWIML);
      },
    }),
  ],
};
