/**
 * The inbound trigger: an `inbound` event (`properties: { channel, to, body }`) on the channel,
 * to the number (spaces ignored), whose first word is the keyword (any case) starts a run.
 */
import { firstWord } from '../../conditions/evaluate.ts';
import type { TriggerKind } from '../kind.ts';
import { InboundTrigger } from './inbound.schema.ts';

/** A phone number or address as compared by inbound triggers: no spaces, lower case. */
function normaliseAddress(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\s+/g, '').toLowerCase() : '';
}

/** The inbound trigger kind. */
export const inboundTriggerKind = {
  type: 'inbound',
  schema: InboundTrigger,
  label: 'Inbound message',
  help: 'A run starts when someone texts a keyword to your number.',
  icon: 'message-square-reply',
  defaults: { type: 'inbound', channel: 'sms' },
  onEvents: true,
  summary: (trigger) => `inbound ${trigger.channel} ${trigger.keyword}`,
  matches(trigger, event) {
    if (event.type !== 'inbound') return false;
    const { channel, to, body } = event.properties;
    if ((typeof channel === 'string' ? channel : 'sms') !== trigger.channel) return false;
    if (trigger.to !== undefined && normaliseAddress(to) !== normaliseAddress(trigger.to)) {
      return false;
    }
    return typeof body === 'string' && firstWord(body) === trigger.keyword.toLowerCase();
  },
} satisfies TriggerKind<'inbound'>;
