/** The broadcast trigger: everyone in the audience, once, when published or at a time (the server enrols them). */
import type { TriggerKind } from '../kind.ts';
import { BroadcastTrigger } from './broadcast.schema.ts';

/** The broadcast trigger kind. */
export const broadcastTriggerKind = {
  type: 'broadcast',
  schema: BroadcastTrigger,
  label: 'Broadcast',
  help: 'Everyone matching a condition, once: when published or at a time.',
  icon: 'megaphone',
  defaults: { type: 'broadcast' },
  onEvents: false,
  summary: () => 'broadcast',
  matches: () => false,
} satisfies TriggerKind<'broadcast'>;
