/** The manual trigger: runs start only through the admin API or the CLI. */
import type { TriggerKind } from '../kind.ts';
import { ManualTrigger } from './manual.schema.ts';

/** The manual trigger kind. */
export const manualTriggerKind = {
  type: 'manual',
  schema: ManualTrigger,
  label: 'Manual',
  help: 'Runs start only when enrolled through the API or the CLI.',
  icon: 'hand',
  defaults: { type: 'manual' },
  onEvents: false,
  summary: () => 'manual',
  matches: () => false,
} satisfies TriggerKind<'manual'>;
