/**
 * channels/twilio/ owns Twilio: the SMS/WhatsApp adapter (Messages API), the voice-callback
 * adapter (Calls API + TwiML served by Waymark), their webhook routes (`hooks.ts`: inbound
 * messages and status callbacks, verified with `X-Twilio-Signature`), the signature itself, and
 * a local Twilio peer for tests (`testing/`). It imports only the channel SDK (channels/sdk/).
 */
export { twilioSmsProvider, createTwilioSmsAdapter, TwilioSmsSettings } from './sms.adapter.ts';
export {
  twilioVoiceProvider,
  createTwilioVoiceAdapter,
  TwilioVoiceSettings,
} from './voice.adapter.ts';
export { twilioHooks } from './hooks.ts';
export { twilioSignature, verifyTwilioSignature } from './signature.ts';
export { answerTwiml, EMPTY_TWIML, HANGUP_TWIML, TWIML_TYPE } from './twiml.ts';
