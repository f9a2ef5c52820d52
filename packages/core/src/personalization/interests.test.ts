import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY, Driver, HOUR, T0, event, journey, profile } from '../evaluator/step.fixtures.ts';
import type { Command, ProfileFact } from '../evaluator/types.ts';
import { validateJourney } from '../journey/validate.ts';
import { applyInterestNode } from '../nodes/interest/interest.apply.ts';
import {
  countInterest,
  interestName,
  interestScores,
  siteFlags,
  thresholdCrossed,
  withSiteFlag,
} from './interests.ts';

const WEEK = 7 * DAY;

describe('interest names', () => {
  it('slugs categories into names lists and flags can carry', () => {
    assert.equal(interestName('Shoes'), 'shoes');
    assert.equal(interestName('  Running Shoes & Bags '), 'running-shoes-bags');
    assert.equal(interestName('Chaussures été'), 'chaussures-ete');
    assert.equal(interestName(42), '42');
    assert.equal(interestName(''), null);
    assert.equal(interestName('!!!'), null);
    assert.equal(interestName(undefined), null);
    assert.equal(interestName({ a: 1 }), null);
    assert.equal(interestName('x'.repeat(100))?.length, 64);
  });
});

describe('window counting', () => {
  it('counts views inside a sliding window and forgets the ones that aged out', () => {
    let traits: Record<string, unknown> = {};
    const view = (at: number) => {
      const r = countInterest(traits, { name: 'shoes', weight: 1, at, within: WEEK });
      traits = r.traits;
      return r;
    };
    assert.deepEqual([view(T0).before, view(T0 + 2 * DAY).before], [0, 1]);
    const third = view(T0 + 6 * DAY);
    assert.deepEqual([third.before, third.after], [2, 3]);
    assert.equal(thresholdCrossed(third.before, third.after, 3), true);
    assert.deepEqual(interestScores(traits, T0 + 6 * DAY), [{ name: 'shoes', score: 3 }]);
    // A week after the first view it no longer counts; read-time scores follow the window.
    assert.deepEqual(interestScores(traits, T0 + WEEK + HOUR), [{ name: 'shoes', score: 2 }]);
    assert.deepEqual(interestScores(traits, T0 + 14 * DAY), []);
    // The next view counts from what is left in the window.
    const later = view(T0 + 8 * DAY);
    assert.deepEqual([later.before, later.after], [2, 3]);
    assert.equal((traits.interests as Record<string, number>).shoes, 3);
  });

  it('three views spread over more than 7 days never reach 3', () => {
    let traits: Record<string, unknown> = {};
    const afters = [0, 4, 8, 12].map((d) => {
      const r = countInterest(traits, { name: 'bags', weight: 1, at: T0 + d * DAY, within: WEEK });
      traits = r.traits;
      return r.after;
    });
    assert.deepEqual(afters, [1, 2, 2, 2]);
  });

  it('keeps a bounded number of entries however busy the interest is', () => {
    let traits: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i += 1)
      traits = countInterest(traits, {
        name: 'hats',
        weight: 1,
        at: T0 + i * 60_000,
        within: WEEK,
      }).traits;
    const counts = traits.interest_counts as Record<string, { views: unknown[] }>;
    assert.ok(counts.hats!.views.length <= 101, `${counts.hats!.views.length} entries`);
    // 5000 minutes ≈ 3.5 days: every view is still inside the window.
    assert.deepEqual(interestScores(traits, T0 + 5000 * 60_000), [{ name: 'hats', score: 5000 }]);
  });

  it('without a window the score is a running total; malformed stored state is ignored', () => {
    let traits: Record<string, unknown> = { interests: { shoes: 'lots' }, interest_counts: 7 };
    traits = countInterest(traits, { name: 'shoes', weight: 2, at: T0 }).traits;
    traits = countInterest(traits, { name: 'shoes', weight: 0.5, at: T0 + WEEK * 10 }).traits;
    assert.deepEqual(interestScores(traits, T0 + WEEK * 100), [{ name: 'shoes', score: 2.5 }]);
    const broken = { interests: { a: 1, b: 5 }, interest_counts: { a: { within: 'x' } } };
    assert.deepEqual(interestScores(broken, T0), [
      { name: 'b', score: 5 },
      { name: 'a', score: 1 },
    ]);
  });

  it('crossing is upwards only', () => {
    assert.equal(thresholdCrossed(2, 3, 3), true);
    assert.equal(thresholdCrossed(3, 4, 3), false);
    assert.equal(thresholdCrossed(0, 5, 3), true);
    assert.equal(thresholdCrossed(4, 2, 3), false);
  });

  it('site flags keep booleans, strings and numbers', () => {
    const traits = withSiteFlag({ site_flags: { old: { x: 1 } } }, 'offer_live_chat', true);
    assert.deepEqual(siteFlags(traits), { offer_live_chat: true });
  });
});

const SHOES_JOURNEY = {
  trigger: { type: 'event' as const, event: 'page' },
  start: 'count',
  nodes: {
    count: {
      type: 'interest' as const,
      interest: '{{ trigger.properties.category }}',
      within: 'P7D',
      threshold: { count: 3, list: 'interest-{{ interest }}', flag: 'show_{{ interest }}_banner' },
      next: 'done',
    },
    done: { type: 'exit' as const },
  },
};

/** Applies the commands to a profile the way the runtime does. */
function replay(p: ProfileFact, commands: Command[]): ProfileFact {
  let out = p;
  for (const c of commands) {
    if (c.type === 'interest')
      out = { ...out, traits: countInterest(out.traits, { name: c.interest, ...c }).traits };
    if (c.type === 'site_flag') out = { ...out, traits: withSiteFlag(out.traits, c.flag, c.value) };
    if (c.type === 'list' && c.action === 'add') out = { ...out, lists: [...out.lists, c.list] };
  }
  return out;
}

describe('interest node', () => {
  it('the third view of a category within 7 days joins the list and sets the flag, once', () => {
    const def = journey(SHOES_JOURNEY);
    let p = profile();
    const kinds: string[][] = [];
    for (const [i, at] of [T0, T0 + DAY, T0 + 3 * DAY, T0 + 4 * DAY].entries()) {
      const run = new Driver(def, at, {
        profile: p,
        event: { ...event('page', at, { category: 'Shoes' }), type: 'page' },
      });
      kinds.push(
        run.last.commands
          .filter((c) => c.type !== 'complete' && c.type !== 'exit')
          .map((c) => c.type),
      );
      p = replay(p, run.last.commands);
      if (i === 2) assert.ok(run.last.trace.some((t) => t.detail.includes('reached 3')));
    }
    assert.deepEqual(kinds, [
      ['interest'],
      ['interest'],
      ['interest', 'list', 'site_flag'],
      ['interest'],
    ]);
    assert.deepEqual(p.lists, ['interest-shoes']);
    assert.deepEqual(siteFlags(p.traits), { show_shoes_banner: true });
    assert.deepEqual(interestScores(p.traits, T0 + 4 * DAY), [{ name: 'shoes', score: 4 }]);
  });

  it('counts nothing when the placeholder has no value', () => {
    const def = journey(SHOES_JOURNEY);
    const node = def.nodes.count;
    assert.equal(node?.type, 'interest');
    if (node?.type !== 'interest') return;
    const r = applyInterestNode({
      nodeId: 'count',
      node,
      profile: profile(),
      now: T0,
      fill: () => '',
    });
    assert.deepEqual(r.commands, []);
    assert.match(r.notes[0] ?? '', /nothing counted/);
  });

  it('validation names a bad threshold', () => {
    const base = { schemaVersion: 1, id: 'j', name: 'j', ...SHOES_JOURNEY };
    const bad = (threshold: unknown) => {
      const r = validateJourney({
        ...base,
        nodes: { ...base.nodes, count: { ...base.nodes.count, threshold } },
      });
      assert.equal(r.ok, false);
      return r.ok ? '' : r.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    };
    assert.match(bad({ count: 3 }), /nodes\.count\.threshold.*list or a flag/);
    assert.match(bad({ count: 3, list: 'interest {{ interest }}' }), /threshold\.list.*list id/);
    assert.match(bad({ count: 0, flag: 'x' }), /threshold\.count/);
    assert.equal(validateJourney(base).ok, true);
  });
});
