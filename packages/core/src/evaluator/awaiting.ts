/** What a waiting run waits for, in words: for traces, run pages and profile timelines. */
import type { JourneyDefinition } from '../journey/schema.ts';
import { formatLocal } from '../time/zones.ts';
import { assertNever } from '../util/assert-never.ts';
import type { Awaiting } from './types.ts';

function until(at: number, zone: string): string {
  return `until ${formatLocal(at, zone)}`;
}

/** What a waiting run waits for, in words ("waiting for email opened (node send-email) until 2026-05-02 09:00 Europe/Lisbon"). */
export function describeAwaiting(
  awaiting: Awaiting,
  zone: string,
  definition?: JourneyDefinition,
): string {
  const channelOf = (node: string): string => {
    const n = definition?.nodes[node];
    return n?.type === 'send' ? n.channel : 'message';
  };
  switch (awaiting.kind) {
    case 'duration':
      return `waiting ${until(awaiting.until, zone)}`;
    case 'send_window':
      return `waiting ${until(awaiting.until, zone)} (send window for ${awaiting.channel})`;
    case 'event':
      return `waiting for event ${awaiting.event} ${until(awaiting.until, zone)}`;
    case 'outcome':
      return `waiting for ${channelOf(awaiting.node)} ${awaiting.is.join(' or ')} (node ${awaiting.node}) ${until(awaiting.until, zone)}`;
    case 'reply':
      return `waiting for a reply to ${channelOf(awaiting.node)} (node ${awaiting.node}) ${until(awaiting.until, zone)}`;
    case 'task': {
      const n = definition?.nodes[awaiting.node];
      const title = n?.type === 'task' ? ` "${n.title}"` : '';
      return `waiting for the outcome of task${title} (node ${awaiting.node}) ${until(awaiting.until, zone)}`;
    }
    default:
      return assertNever(awaiting);
  }
}
