/**
 * Voice callbacks through Twilio's Calls API (scenario 8, queue-abandonment recovery): Waymark
 * calls the CONTACT CENTRE (`content.connectTo`); when an agent answers, Twilio fetches TwiML
 * from `/hooks/twilio/{ws}/voice/answer/{id}` — a short whisper (the rendered template body),
 * then `<Dial>` the customer. The Dial's action (`…/dial/{id}`) and the call's status callback
 * (`…/status/{id}`) become the outcomes the journey branches on:
 *
 * | Twilio reports                                   | outcome     |
 * |--------------------------------------------------|-------------|
 * | TwiML fetched (the centre answered)              | `answered`  |
 * | Dial ended `completed`/`answered`                | `bridged`   |
 * | Dial ended `busy`/`no-answer`                    | `no_answer` (customer) |
 * | Dial ended `failed`/`canceled`                   | `failed`    |
 * | call `busy`/`no-answer` (centre did not answer)  | `no_agent`  |
 * | call `failed`/`canceled`                         | `failed`    |
 * | call `completed` with no dial result before it   | `failed` (the agent hung up first) |
 */
import { z } from 'zod';
import {
  defineProvider,
  parseEnvSettings,
  toE164,
  WebhookRejected,
  type AdapterContext,
  type ChannelAdapter,
  type ProviderOutcome,
} from '../sdk/index.ts';
import {
  ACCOUNT_ENV,
  accountFromEnv,
  callbackUrl,
  TWILIO_SECRET_FIELDS,
  TwilioAccount,
  TwilioApi,
  verifyHook,
} from './api.ts';
import { formValue } from './signature.ts';
import { twilioHooks } from './hooks.ts';

/** Settings of the Twilio voice provider. */
export const TwilioVoiceSettings = TwilioAccount.extend({
  /** Caller ID of both legs: a Twilio voice number. */
  from: z.string().min(1),
  /** Seconds the contact centre rings before the callback counts as `no_agent`. */
  agentRingSeconds: z.number().int().min(5).max(600).default(60),
  /** Seconds the customer rings before the callback counts as `no_answer`. */
  customerRingSeconds: z.number().int().min(5).max(600).default(30),
  /** Calls per second (Twilio accounts start at 1). */
  maxPerSecond: z.number().positive().default(1),
});
/** Validated Twilio voice settings. */
export type TwilioVoiceSettings = z.output<typeof TwilioVoiceSettings>;

const ENV = { ...ACCOUNT_ENV, from: 'TWILIO_VOICE_FROM' };

function dialOutcome(status: string): ProviderOutcome['type'] {
  switch (status) {
    case 'completed':
    case 'answered':
      return 'bridged';
    case 'busy':
    case 'no-answer':
      return 'no_answer';
    default:
      return 'failed';
  }
}

function callOutcome(status: string): ProviderOutcome['type'] | null {
  switch (status) {
    case 'busy':
    case 'no-answer':
      return 'no_agent';
    case 'failed':
    case 'canceled':
    case 'completed':
      return 'failed';
    default:
      return null; // queued, initiated, ringing, in-progress
  }
}

const REASONS: Partial<Record<ProviderOutcome['type'], string>> = {
  no_agent: 'the contact centre did not answer',
  no_answer: 'the customer did not answer',
};

/** Makes the voice adapter (channel `voice`). */
export function createTwilioVoiceAdapter(
  settings: TwilioVoiceSettings,
  context: AdapterContext,
): ChannelAdapter {
  const api = new TwilioApi(settings, () => context.clock.now());
  return {
    name: 'twilio-voice',
    maxConcurrency: settings.maxConcurrency,
    afterCrash: settings.afterCrash,
    maxPerSecond: settings.maxPerSecond,
    async send(message, idempotencyKey) {
      const connectTo = message.content.connectTo;
      if (typeof connectTo !== 'string' || connectTo.trim() === '')
        return {
          kind: 'permanent',
          error: 'content.connectTo: a voice callback needs the contact-centre number (connectTo)',
        };
      let centre: string;
      let customer: string;
      try {
        centre = toE164(connectTo, settings.defaultCountry);
      } catch (err) {
        return { kind: 'permanent', error: `content.connectTo: ${(err as Error).message}` };
      }
      try {
        customer = toE164(message.recipient ?? '', settings.defaultCountry);
      } catch (err) {
        return { kind: 'permanent', error: `recipient: ${(err as Error).message}` };
      }
      const url = (event: 'answer' | 'status', query?: Record<string, string>) =>
        callbackUrl({
          publicUrl: context.publicUrl,
          workspaceId: message.workspaceId,
          channel: 'voice',
          event,
          messageId: message.id,
          idempotencyKey,
          ...(query ? { query } : {}),
        });
      const form = new URLSearchParams();
      form.set('To', centre);
      form.set('From', settings.from);
      // The customer's number and the dial settings travel in the TwiML URL, which Twilio signs.
      form.set(
        'Url',
        url('answer', {
          customer,
          callerId: settings.from,
          ring: String(settings.customerRingSeconds),
        }),
      );
      form.set('Method', 'POST');
      form.set('StatusCallback', url('status'));
      form.set('StatusCallbackMethod', 'POST');
      form.set('Timeout', String(settings.agentRingSeconds));
      return api.create('Calls', form, idempotencyKey, { to: centre, customer });
    },
    parseWebhook(request) {
      const hook = verifyHook(request, settings);
      const callSid = formValue(hook.params, 'CallSid') ?? null;
      let type: ProviderOutcome['type'] | null;
      let status: string;
      const data: Record<string, unknown> = {};
      switch (hook.event) {
        case 'answer':
          type = 'answered';
          status = formValue(hook.params, 'CallStatus') ?? 'in-progress';
          break;
        case 'dial':
          status = formValue(hook.params, 'DialCallStatus') ?? 'failed';
          type = dialOutcome(status);
          data.dialCallSid = formValue(hook.params, 'DialCallSid') ?? null;
          data.duration = Number(formValue(hook.params, 'DialCallDuration') ?? 0);
          break;
        case 'status':
          status = formValue(hook.params, 'CallStatus') ?? '';
          type = callOutcome(status);
          if (status === 'completed')
            data.reason = 'the call ended before the customer was dialled';
          break;
        default:
          throw new WebhookRejected(`no ${hook.event} callback for voice`, 404);
      }
      if (!type) return [];
      const code = formValue(hook.params, 'ErrorCode');
      const reason = (data.reason as string | undefined) ?? REASONS[type];
      if (type === 'failed' || type === 'no_agent' || type === 'no_answer')
        data.error = `twilio ${hook.event} ${status}${code ? ` ${code}` : ''}${reason ? `: ${reason}` : ''}`;
      return [
        {
          messageId: hook.messageId,
          providerMessageId: callSid,
          type,
          at: context.clock.now(),
          data: { event: hook.event, status, ...(code ? { code } : {}), ...data },
        },
      ];
    },
    async close() {
      api.close();
    },
  };
}

/**
 * The Twilio voice provider (`twilio-voice`, channel `voice`): a separate provider from `twilio`
 * because a callback needs a voice-capable caller ID and its own pacing (calls per second).
 * Environment: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_VOICE_FROM (else TWILIO_FROM),
 * TWILIO_API_BASE, SMS_DEFAULT_COUNTRY (numbers without a prefix).
 */
export const twilioVoiceProvider = defineProvider<TwilioVoiceSettings>({
  name: 'twilio-voice',
  channels: ['voice'],
  settings: TwilioVoiceSettings,
  secretFields: TWILIO_SECRET_FIELDS,
  fromEnv(env) {
    const from = env.TWILIO_VOICE_FROM ?? env.TWILIO_FROM;
    // Without a voice-capable number (e.g. SMS through a messaging service only) there is no voice.
    if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN || !from) return null;
    return parseEnvSettings(TwilioVoiceSettings, { ...accountFromEnv(env), from }, ENV);
  },
  hooks: twilioHooks,
  create: createTwilioVoiceAdapter,
});
