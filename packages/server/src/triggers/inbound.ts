/**
 * `inbound`: a message with the keyword enters its sender. `app/inbound.ts` stores the message as
 * an event; from there it is matched like an event trigger.
 */
import { enterOnMatch } from './event.ts';
import type { ServerTrigger, TriggerOf } from './trigger.ts';

/** The `inbound` trigger on the server. */
export const inboundTrigger: ServerTrigger<TriggerOf<'inbound'>> = {
  publishedEvent: () => null,
  journeyJob: () => null,
  preloadsEntries: true,
  onEvent: enterOnMatch,
  onTimer: async () => {},
};
