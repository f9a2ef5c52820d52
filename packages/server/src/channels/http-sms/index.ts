/**
 * channels/http-sms/ owns the generic HTTP SMS gateway provider (`http-sms`): one JSON POST per
 * SMS to a configured URL. It imports only the channel SDK (channels/sdk/).
 */
export { httpSmsProvider, createHttpSmsAdapter, HttpSmsSettings } from './http-sms.adapter.ts';
