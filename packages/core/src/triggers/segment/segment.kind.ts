/** The segment trigger: entering (or leaving) a segment starts a run; the server tests it when the profile changes. */
import type { TriggerKind } from '../kind.ts';
import { SegmentTrigger } from './segment.schema.ts';

/** The segment trigger kind. */
export const segmentTriggerKind = {
  type: 'segment',
  schema: SegmentTrigger,
  label: 'Segment',
  help: 'A run starts when the profile enters (or leaves) a segment.',
  icon: 'users',
  defaults: { type: 'segment', on: 'enter' },
  onEvents: false,
  summary: () => 'segment',
  matches: () => false,
} satisfies TriggerKind<'segment'>;
