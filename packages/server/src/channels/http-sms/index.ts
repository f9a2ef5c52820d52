/**
 * channels/http-sms/ owns the generic HTTP SMS gateway provider (`http-sms`): one JSON POST per
 * SMS to a configured URL. It imports only channels/ contracts, `phone.ts` and the shared HTTP
 * client of channels/twilio/.
 */
export { httpSmsProvider, createHttpSmsAdapter, HttpSmsSettings } from './http-sms.adapter.ts';
