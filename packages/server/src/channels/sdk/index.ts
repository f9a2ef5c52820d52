/**
 * channels/sdk/ is what every vendor folder (channels/email, channels/twilio, …) builds on, and
 * all a vendor may import besides @waymark/core and its own files: the adapter contract
 * (`ChannelAdapter`, `SendResult`, webhook parsing), the provider factory (`defineProvider`),
 * webhook routes a provider declares (`defineHookRoute`), the listener it may declare
 * (`defineListener`: a server of its own, such as a bounce mailbox), settings read from the
 * environment, the HTTP client for provider APIs, and phone numbers. It imports only core and the
 * server's clock, secrets and storage types.
 */
export {
  WebhookRejected,
  type AfterCrash,
  type ChannelAdapter,
  type PolicyDecision,
  type ProviderInbound,
  type ProviderOutcome,
  type ProviderRequest,
  type SendResult,
} from './adapter.ts';
export {
  defineHookRoute,
  type AnyHookRoute,
  type HookRequest,
  type HookResponse,
  type HookRoute,
  type HookServices,
  type HookTarget,
  type InboundTarget,
  type ProviderHooks,
} from './hooks.ts';
export {
  HttpClient,
  parseJson,
  retryAfterMs,
  statusFailure,
  transportFailure,
  type HttpResponse,
} from './http-client.ts';
export {
  countryOfPhone,
  isCountryCode,
  PhoneNumberError,
  smsSegments,
  smsToSend,
  toE164,
  type SmsSegments,
  type SmsToSend,
} from './phone.ts';
export {
  defineListener,
  type ListenerContext,
  type ListenerServices,
  type NoticeOutcome,
  type ProviderListener,
  type ProviderNotice,
  type RunningListener,
} from './listener.ts';
export { defineProvider, type AdapterContext, type ProviderFactory } from './provider.ts';
export {
  channelRegistry,
  devSink,
  type ChannelConfigReader,
  type ChannelRegistry,
  type EnvSettings,
  type ProviderConfiguration,
} from './registry.ts';
export {
  afterCrashSetting,
  DefaultCountry,
  envBoolean,
  envNumber,
  parseEnvSettings,
} from './settings.ts';
/** Types of the server an adapter handles (an outbox row, the clock, the secrets). */
export type { Clock } from '../../clock.ts';
export type { Secrets } from '../../secrets.ts';
export type { MessageRow } from '../../storage/store.ts';
