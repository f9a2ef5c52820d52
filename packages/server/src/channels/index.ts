/**
 * channels/ owns delivery to providers: the SDK every vendor builds on (`sdk/`: the adapter
 * contract, provider factories, webhook routes, settings, the HTTP client, phone numbers), one
 * folder per vendor (`email/`, `twilio/`, `http-sms/`, `webhook/`), the catalogue of providers
 * (`providers.ts`) and the registry that picks a workspace's adapter (`registry.ts`). A vendor
 * imports only `sdk/`, @waymark/core and its own files, never another vendor. The rest of the
 * server reaches channels through the ports of `sdk/` (`ChannelRegistry`,
 * `ProviderConfiguration`); the composition root builds the registry.
 */
export { providerFactories, providerHooks, providerListeners } from './providers.ts';
export {
  ChannelConfigError,
  deliveryChannel,
  findFactory,
  ProviderRegistry,
  storedSettings,
  type ChannelSource,
  type ProviderRegistryOptions,
} from './registry.ts';
