/**
 * The provider catalogue: every provider Waymark knows, one line each. A new vendor is a folder
 * under channels/ (built on channels/sdk/ only) plus its line here; its webhook routes
 * (`ProviderFactory.hooks`) are mounted by http/ from `providerHooks`, and its listener
 * (`ProviderFactory.listener`, the bounce mailbox) is started by the composition root from
 * `providerListeners`.
 */
import type { ProviderFactory, ProviderHooks, ProviderListener } from './sdk/index.ts';
import { smtpProvider } from './email/index.ts';
import { httpSmsProvider } from './http-sms/index.ts';
import { twilioSmsProvider, twilioVoiceProvider } from './twilio/index.ts';
import { webhookProvider } from './webhook/index.ts';

/** Every provider, in order of preference when several of a channel read the environment. */
export const providerFactories: readonly ProviderFactory[] = [
  smtpProvider,
  twilioSmsProvider,
  httpSmsProvider,
  twilioVoiceProvider,
  webhookProvider,
];

/** Every provider's webhook routes, once each (the providers of one vendor share theirs). */
export const providerHooks: readonly ProviderHooks[] = [
  ...new Set(providerFactories.flatMap((f) => (f.hooks ? [f.hooks] : []))),
];

/** Every provider's listener, once each (the providers of one vendor share theirs). */
export const providerListeners: readonly ProviderListener[] = [
  ...new Set(providerFactories.flatMap((f) => (f.listener ? [f.listener] : []))),
];
