/** `manual`: runs start only through the admin API or the CLI (`Phases.enrol`); nothing else. */
import type { ServerTrigger, TriggerOf } from './trigger.ts';

/** The `manual` trigger on the server. */
export const manualTrigger: ServerTrigger<TriggerOf<'manual'>> = {
  publishedEvent: () => null,
  journeyJob: () => null,
  preloadsEntries: false,
  onEvent: async () => null,
  onTimer: async () => {},
};
