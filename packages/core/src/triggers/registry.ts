/**
 * Every trigger kind, one line each; `satisfies TriggerKinds` makes the compiler ask a new kind
 * for every part. Adding a trigger: a folder `triggers/<kind>/` (schema, kind), a line here and
 * one in the union of `journey/schema.ts` (and, on the server, what it does at publish and on
 * timers).
 */
import type { Trigger, TriggerType } from '../journey/schema.ts';
import { broadcastTriggerKind } from './broadcast/broadcast.kind.ts';
import { dateTriggerKind } from './date/date.kind.ts';
import { eventTriggerKind } from './event/event.kind.ts';
import { inactivityTriggerKind } from './inactivity/inactivity.kind.ts';
import { inboundTriggerKind } from './inbound/inbound.kind.ts';
import type { TriggerKind, TriggerKinds } from './kind.ts';
import { manualTriggerKind } from './manual/manual.kind.ts';
import { segmentTriggerKind } from './segment/segment.kind.ts';

/** Every trigger kind, by type, in the order the reference lists them. */
export const TRIGGER_KINDS = {
  event: eventTriggerKind,
  inactivity: inactivityTriggerKind,
  date: dateTriggerKind,
  segment: segmentTriggerKind,
  broadcast: broadcastTriggerKind,
  inbound: inboundTriggerKind,
  manual: manualTriggerKind,
} satisfies TriggerKinds;

const kinds: TriggerKinds = TRIGGER_KINDS;

/** The kind of a trigger type (typed, so that its parts take that kind's trigger). */
export function triggerKind<K extends TriggerType>(type: K): TriggerKind<K> {
  return kinds[type];
}

/** The kind named by a raw `type`, when it names one. */
export function triggerKindNamed(type: string | undefined): TriggerKind<TriggerType> | undefined {
  return type !== undefined && Object.hasOwn(kinds, type)
    ? triggerKind(type as TriggerType)
    : undefined;
}

/** A few words naming a trigger (`event cart_abandoned`, `inactivity 30d`, `manual`). */
export function triggerSummary(trigger: Trigger): string {
  return triggerKind(trigger.type).summary(trigger);
}
