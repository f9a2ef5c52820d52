/**
 * Trait-change records: what an identify call changed on a profile, kept on its stored event
 * (`context.waymark`) so that the engine can tell, when it applies the event later, what the
 * traits were before it (trigger conditions such as "became a VIP").
 */

/** What an identify changed: previous values of changed traits, and the traits it added. */
export interface TraitChanges {
  previous: Record<string, unknown>;
  added: string[];
}

/** Traits as they were before an identify event, from its recorded changes. */
export function traitsBefore(
  current: Record<string, unknown>,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const changes = context.waymark as Partial<TraitChanges> | undefined;
  const before = { ...current };
  for (const [k, v] of Object.entries(changes?.previous ?? {})) before[k] = v;
  for (const k of changes?.added ?? []) delete before[k];
  return before;
}
