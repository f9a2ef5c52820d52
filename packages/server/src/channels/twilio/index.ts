/**
 * channels/twilio/ owns Twilio: the SMS/WhatsApp adapter (Messages API), the voice-callback
 * adapter (Calls API + TwiML served by Waymark), their status webhooks (verified with
 * `X-Twilio-Signature`), and the signature itself. It imports only channels/ contracts and
 * `phone.ts`; the HTTP routes live in `http/twilio.routes.ts`.
 */
export { twilioSmsProvider, createTwilioSmsAdapter, TwilioSmsSettings } from './sms.adapter.ts';
export {
  twilioVoiceProvider,
  createTwilioVoiceAdapter,
  answerTwiml,
  TwilioVoiceSettings,
} from './voice.adapter.ts';
export { twilioSignature, verifyTwilioSignature } from './signature.ts';
export { EMPTY_TWIML, HANGUP_TWIML, TWIML_TYPE } from './twiml.ts';
