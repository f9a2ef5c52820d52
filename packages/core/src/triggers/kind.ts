/**
 * What a trigger kind is made of (`TriggerKind`): its schema, the words and defaults the editor
 * shows, whether an event starts a run (`matches`) and its own checks. What a kind does at
 * publish and on timers is the server's (scheduling is I/O); each kind fills one in under
 * `triggers/<kind>/`, and `triggers/registry.ts` lists them.
 *
 * A kind's folder holds `<kind>.schema.ts` (imported by `journey/schema.ts`: zod and the
 * document's small schemas only) and `<kind>.kind.ts`, with its tests beside them; a kind never
 * imports another kind's folder or the registry.
 */
import type { z } from 'zod';
import type { EventFact, ProfileFact } from '../evaluator/types.ts';
import type { Sink } from '../journey/issues.ts';
import type { TriggerInputOf, TriggerOf, TriggerType } from '../journey/schema.ts';

/** A trigger as the editor creates it: its kind and the fields worth pre-filling. */
export type TriggerDraft<K extends TriggerType> = Partial<TriggerInputOf<K>> & { type: K };

/** Everything core knows of one trigger kind. */
export interface TriggerKind<K extends TriggerType> {
  type: K;
  /** The trigger's schema (a strict object; the document's union is built from these). */
  schema: z.ZodType<TriggerOf<K>> & { readonly shape: Record<string, unknown> };
  /** Name in the palette. */
  label: string;
  /** One line under the name. */
  help: string;
  /** A lucide icon name. */
  icon: string;
  /** A new trigger of this kind. */
  defaults: TriggerDraft<K>;
  /** A few words naming this trigger in lists and logs (`event cart_abandoned`). */
  summary(trigger: TriggerOf<K>): string;
  /** Whether runs start on events (`matches` may hold), rather than on a schedule or by hand. */
  onEvents: boolean;
  /** Whether this event of this profile starts a run; always false for scheduled kinds. */
  matches(trigger: TriggerOf<K>, event: EventFact, profile: ProfileFact): boolean;
  /** Checks on the raw trigger a schema cannot express (run even when the schema rejected it). */
  checkRaw?(raw: Record<string, unknown>, sink: Sink): void;
}

/** One `TriggerKind` for every trigger type: the registry's type. */
export type TriggerKinds = { readonly [K in TriggerType]: TriggerKind<K> };
