/**
 * The wait node: a duration, or until a time (a date field plus an offset, at a local time of
 * day in the recipient's zone); the later of the two when both are given. A time already past,
 * or a field that is not a date, lets the run go straight on.
 */
import { getPath } from '../../conditions/evaluate.ts';
import { describeAwaiting } from '../../evaluator/awaiting.ts';
import { note, scopeOf, waitFor, type Stepping } from '../../evaluator/stepping.ts';
import type { Awaiting } from '../../evaluator/types.ts';
import { durationMs } from '../../journey/duration.ts';
import { nodeIssue } from '../../journey/issues.ts';
import type { NodeOf } from '../../journey/schema.ts';
import { formatLocal, localTimeOnOrAfter, parseDateValue, relativeTime } from '../../time/zones.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { WaitNode } from './wait.schema.ts';

function visit(s: Stepping, node: NodeOf<'wait'>): string | null {
  const { now, zone } = s;
  let until: number | null = node.duration ? now + durationMs(node.duration) : null;
  if (node.until) {
    const { field, offset, at } = node.until;
    const shift = offset ? durationMs(offset) : 0;
    let target: number;
    if (field) {
      const base = parseDateValue(getPath(scopeOf(s), field), zone);
      if (base === null) {
        note(s, 'skipped', `${field} is not a date; the wait is skipped`);
        return node.next;
      }
      target = relativeTime({ base, offset: shift, time: at, zone });
    } else {
      target = at ? localTimeOnOrAfter({ at: now + shift, time: at, zone }) : now + shift;
    }
    until = Math.max(until ?? target, target);
  }
  if (until === null || until <= now) {
    note(
      s,
      'node',
      `wait time ${until === null ? 'not set' : `${formatLocal(until, zone)} already passed`}; continuing`,
    );
    return node.next;
  }
  const awaiting: Awaiting = { kind: 'duration', until };
  waitFor(s, awaiting, 'waiting', describeAwaiting(awaiting, zone, s.def));
  return null;
}

/** The wait node kind. */
export const waitKind = {
  type: 'wait',
  schema: WaitNode,
  label: 'Wait',
  help: 'Wait a while, or until a local time of day or a date.',
  icon: 'hourglass',
  defaults: { type: 'wait', duration: 'P1D' },
  waits: true,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: () => [],
  templatesOf: () => [],
  check(node, { id, sink }) {
    const untilEmpty =
      node.until === undefined || Object.values(node.until).every((v) => v === undefined);
    if (node.duration !== undefined || !untilEmpty) return;
    sink.error(
      nodeIssue(
        id,
        '',
        'empty_wait',
        'a wait needs a duration or an until',
        'e.g. `duration: 5m` or `until: { at: "09:00" }`',
      ),
    );
  },
  visit: (s, _id, node) => visit(s, node),
} satisfies NodeKind<'wait'>;
