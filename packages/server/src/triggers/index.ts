/**
 * triggers/ owns what each trigger kind does on the server: at publish, on events and on timers
 * (the contract is in `trigger.ts`, one module per kind). The worker's phases and the journey
 * use-cases dispatch through `serverTrigger()` and never test a trigger's type themselves.
 *
 * A new kind: its module here and one line in `SERVER_TRIGGERS` (core's `Trigger` union makes the
 * compiler ask for it). May import core, the storage contract and the engine's types.
 */
import type { Trigger } from '@waymark/core';
import { broadcastTrigger } from './broadcast.ts';
import { dateTrigger } from './date.ts';
import { eventTrigger } from './event.ts';
import { inactivityTrigger } from './inactivity.ts';
import { inboundTrigger } from './inbound.ts';
import { manualTrigger } from './manual.ts';
import { segmentTrigger } from './segment.ts';
import type { ServerTrigger, TriggerOf, TriggerType } from './trigger.ts';

export type {
  EntryInput,
  EventScope,
  JourneyJob,
  ServerTrigger,
  TimerScope,
  TriggerOf,
  TriggerScope,
  TriggerType,
} from './trigger.ts';

/** Every trigger kind's server module, by `type`. */
export const SERVER_TRIGGERS = {
  event: eventTrigger,
  inactivity: inactivityTrigger,
  date: dateTrigger,
  segment: segmentTrigger,
  broadcast: broadcastTrigger,
  inbound: inboundTrigger,
  manual: manualTrigger,
} satisfies { [K in TriggerType]: ServerTrigger<TriggerOf<K>> };

/** The server module of a trigger's kind. */
export function serverTrigger<T extends Trigger>(trigger: T): ServerTrigger<T> {
  // The registry holds each kind's module under its own `type` (checked above); TypeScript cannot
  // follow that link from `trigger.type` back to `T`, hence the one cast.
  return SERVER_TRIGGERS[trigger.type] as ServerTrigger<T>;
}
