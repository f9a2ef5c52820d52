/**
 * What a journey expects from a reply, read from the branch right after the `wait_for` that
 * awaits it: a branch testing the score expects a score, one testing the intent a yes or no.
 * The runtime passes it to `understandReply` (a lone number in "I'd give it 8" is then a score).
 */
import type { Condition } from '../conditions/schema.ts';
import type { JourneyDefinition } from '../journey/schema.ts';
import type { ReplyExpectation } from './understand.ts';

/** Reply parts a condition tests (`score`, `intent`), through all/any/not. */
function testedParts(cond: Condition, out: Set<string>): void {
  if ('all' in cond) for (const c of cond.all) testedParts(c, out);
  else if ('any' in cond) for (const c of cond.any) testedParts(c, out);
  else if ('not' in cond) testedParts(cond.not, out);
  else if ('reply' in cond) for (const key of Object.keys(cond.reply)) out.add(key);
  else if ('field' in cond && cond.field.startsWith('last.reply.')) out.add(cond.field.slice(11));
}

/**
 * The expectation of the reply awaited at node `waitNode` of `definition`: `score` when the next
 * branch tests `score`, `yes_no` when it tests `intent`, else `any`.
 */
export function replyExpectation(
  definition: JourneyDefinition,
  waitNode: string,
): ReplyExpectation {
  const wait = definition.nodes[waitNode];
  if (wait?.type !== 'wait_for') return 'any';
  const next = definition.nodes[wait.next];
  if (next?.type !== 'branch') return 'any';
  const parts = new Set<string>();
  for (const c of next.cases) testedParts(c.when, parts);
  if (parts.has('score')) return 'score';
  return parts.has('intent') ? 'yes_no' : 'any';
}
