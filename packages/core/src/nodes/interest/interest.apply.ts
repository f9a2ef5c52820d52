/**
 * The `interest` node, applied to the evaluator's copy of a profile: counts the view, and when a
 * threshold is crossed joins its list and sets its flag. Returns the commands the runtime replays
 * on the stored profile (`interest`, then `list` / `site_flag` like those nodes emit).
 */
import { durationMs } from '../../journey/duration.ts';
import type { InterestNode } from './interest.schema.ts';
import type { Command, ProfileFact } from '../../evaluator/types.ts';
import {
  countInterest,
  fillInterest,
  interestName,
  thresholdCrossed,
  withList,
  withSiteFlag,
} from '../../personalization/interests.ts';
import type { z } from 'zod';

/** What an interest node did. */
export interface InterestApplied {
  profile: ProfileFact;
  commands: Command[];
  /** Trace lines. */
  notes: string[];
}

/** Applies an interest node at `now`; `fill` resolves placeholders of the run's scope. */
export function applyInterestNode(a: {
  nodeId: string;
  node: z.infer<typeof InterestNode>;
  profile: ProfileFact;
  now: number;
  fill: (value: string) => unknown;
}): InterestApplied {
  const { node, nodeId, now } = a;
  const name = interestName(a.fill(node.interest));
  if (name === null) {
    return {
      profile: a.profile,
      commands: [],
      notes: [`interest "${node.interest}" has no value here; nothing counted`],
    };
  }
  const within = node.within === undefined ? undefined : durationMs(node.within);
  const counted = countInterest(a.profile.traits, { name, weight: node.weight, at: now, within });
  let profile: ProfileFact = { ...a.profile, traits: counted.traits };
  const commands: Command[] = [
    {
      type: 'interest',
      nodeId,
      interest: name,
      weight: node.weight,
      at: now,
      ...(within !== undefined ? { within } : {}),
    },
  ];
  const notes = [
    `interest ${name} +${node.weight}: ${counted.after}${node.within ? ` within ${node.within}` : ''}`,
  ];
  const t = node.threshold;
  if (t && thresholdCrossed(counted.before, counted.after, t.count)) {
    const reached = [`interest ${name} reached ${t.count}`];
    if (t.list !== undefined) {
      const list = fillInterest(t.list, name);
      profile = withList(profile, list);
      commands.push({ type: 'list', nodeId, action: 'add', list });
      reached.push(`added to list ${list}`);
    }
    if (t.flag !== undefined) {
      const flag = fillInterest(t.flag, name);
      profile = { ...profile, traits: withSiteFlag(profile.traits, flag, true) };
      commands.push({ type: 'site_flag', nodeId, flag, value: true });
      reached.push(`site flag ${flag} = true`);
    }
    notes.push(reached.join('; '));
  }
  return { profile, commands, notes };
}
