/**
 * SMS and WhatsApp through Twilio's Messages API: a form-encoded POST to
 * `/2010-04-01/Accounts/{sid}/Messages.json` with Basic auth, `From` (or a messaging service)
 * and a `StatusCallback` under `/hooks/twilio/{ws}/{channel}/status/{message id}`. Numbers are
 * normalised to E.164 first and the text's segment count is recorded with the result.
 */
import { z } from 'zod';
import {
  defineProvider,
  parseEnvSettings,
  smsToSend,
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
import { twilioHooks } from './hooks.ts';
import { formValue } from './signature.ts';

/** Settings of the Twilio SMS/WhatsApp provider. */
export const TwilioSmsSettings = TwilioAccount.extend({
  /** Sender: a Twilio number (`+15017122661`) or alphanumeric sender ID. */
  from: z.string().min(1).optional(),
  /** A messaging service (`MG…`) picks the sender instead of `from`. */
  messagingServiceSid: z.string().min(1).optional(),
}).refine((s) => s.from !== undefined || s.messagingServiceSid !== undefined, {
  path: ['from'],
  message: 'set a sender: from (a Twilio number) or messagingServiceSid',
});
/** Validated Twilio SMS settings. */
export type TwilioSmsSettings = z.output<typeof TwilioSmsSettings>;

const ENV = {
  ...ACCOUNT_ENV,
  from: 'TWILIO_FROM',
  messagingServiceSid: 'TWILIO_MESSAGING_SERVICE_SID',
};

/** Twilio message statuses that are outcomes a journey can wait for. */
function outcomeOf(status: string): ProviderOutcome['type'] | null {
  switch (status) {
    case 'delivered':
      return 'delivered';
    case 'undelivered':
    case 'failed':
      return 'failed';
    case 'read':
      return 'opened'; // WhatsApp read receipts
    default:
      return null; // accepted, queued, sending, sent, scheduled: nothing to branch on yet
  }
}

/** Makes the adapter for `context.channel` (`sms` or `whatsapp`). */
export function createTwilioSmsAdapter(
  settings: TwilioSmsSettings,
  context: AdapterContext,
): ChannelAdapter {
  const api = new TwilioApi(settings, () => context.clock.now());
  const prefix = context.channel === 'whatsapp' ? 'whatsapp:' : '';
  return {
    name: 'twilio',
    maxConcurrency: settings.maxConcurrency,
    afterCrash: settings.afterCrash,
    ...(settings.maxPerSecond ? { maxPerSecond: settings.maxPerSecond } : {}),
    async send(message, idempotencyKey) {
      const sms = smsToSend(message, settings.defaultCountry);
      if (!sms.ok) return { kind: 'permanent', error: sms.error };
      const { body, to, segments } = sms;
      const form = new URLSearchParams();
      form.set('To', prefix + to);
      if (settings.messagingServiceSid)
        form.set('MessagingServiceSid', settings.messagingServiceSid);
      else form.set('From', prefix + settings.from!);
      form.set('Body', body);
      form.set(
        'StatusCallback',
        callbackUrl({
          publicUrl: context.publicUrl,
          workspaceId: message.workspaceId,
          channel: context.channel,
          event: 'status',
          messageId: message.id,
          idempotencyKey,
        }),
      );
      return api.create('Messages', form, idempotencyKey, {
        to,
        ...segments,
        // The sender, recorded on the message: replies are matched to the number written to.
        ...(settings.messagingServiceSid ? {} : { from: settings.from }),
      });
    },
    parseWebhook(request) {
      const hook = verifyHook(request, settings);
      if (hook.event !== 'status')
        throw new WebhookRejected(`no ${hook.event} callback for ${context.channel}`, 404);
      const status = formValue(hook.params, 'MessageStatus') ?? formValue(hook.params, 'SmsStatus');
      const type = status ? outcomeOf(status) : null;
      if (!type) return [];
      const code = formValue(hook.params, 'ErrorCode');
      const reason = formValue(hook.params, 'ErrorMessage');
      return [
        {
          messageId: hook.messageId,
          providerMessageId:
            formValue(hook.params, 'MessageSid') ?? formValue(hook.params, 'SmsSid') ?? null,
          type,
          at: context.clock.now(),
          data: {
            status,
            ...(code ? { code } : {}),
            ...(type === 'failed'
              ? { error: `twilio ${status}${code ? ` ${code}` : ''}${reason ? `: ${reason}` : ''}` }
              : {}),
          },
        },
      ];
    },
    parseInbound(request) {
      const { params } = verifyHook(request, settings);
      const field = (name: string) => formValue(params, name)?.replace(/^whatsapp:/, '');
      const from = field('From');
      if (!from) throw new WebhookRejected('From: the sender is missing', 400);
      const media: string[] = [];
      for (let i = 0; i < Number(formValue(params, 'NumMedia') ?? 0) && i < 10; i += 1) {
        const url = formValue(params, `MediaUrl${i}`);
        if (url) media.push(url);
      }
      return {
        from,
        to: field('To') ?? '',
        body: formValue(params, 'Body') ?? '',
        providerMessageId: formValue(params, 'MessageSid') ?? formValue(params, 'SmsSid') ?? null,
        media,
      };
    },
    async close() {
      api.close();
    },
  };
}

/**
 * The Twilio provider for `sms` and `whatsapp`. Environment: TWILIO_ACCOUNT_SID,
 * TWILIO_AUTH_TOKEN, TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID (WhatsApp: only when
 * TWILIO_WHATSAPP_FROM names a WhatsApp sender), TWILIO_API_BASE, SMS_DEFAULT_COUNTRY.
 */
export const twilioSmsProvider = defineProvider<TwilioSmsSettings>({
  name: 'twilio',
  channels: ['sms', 'whatsapp'],
  settings: TwilioSmsSettings,
  secretFields: TWILIO_SECRET_FIELDS,
  fromEnv(env, channel) {
    if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN) return null;
    // WhatsApp needs a WhatsApp-enabled sender: it is only configured when one is named.
    if (channel === 'whatsapp' && !env.TWILIO_WHATSAPP_FROM) return null;
    const from = channel === 'whatsapp' ? env.TWILIO_WHATSAPP_FROM : env.TWILIO_FROM;
    return parseEnvSettings(
      TwilioSmsSettings,
      {
        ...accountFromEnv(env),
        ...(from ? { from } : {}),
        ...(env.TWILIO_MESSAGING_SERVICE_SID
          ? { messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID }
          : {}),
      },
      { ...ENV, from: channel === 'whatsapp' ? 'TWILIO_WHATSAPP_FROM' : 'TWILIO_FROM' },
    );
  },
  hooks: twilioHooks,
  create: createTwilioSmsAdapter,
});
