import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../evaluator/rng.ts';
import { Driver, T0, journey } from '../../evaluator/step.fixtures.ts';

const end = { type: 'exit' } as const;

const abTest = journey({
  start: 'split',
  nodes: {
    split: {
      type: 'split',
      holdout: 10,
      variants: [
        { name: 'A', weight: 3, next: 'a' },
        { name: 'B', weight: 1, next: 'b' },
      ],
    },
    a: { type: 'send', channel: 'email', template: 'subject-a', next: 'done' },
    b: { type: 'send', channel: 'email', template: 'subject-b', next: 'done' },
    done: end,
  },
});

describe('createRng', () => {
  it('the same seed gives the same numbers, another seed others, all in [0, 1)', () => {
    const a = createRng('run-42');
    const b = createRng('run-42');
    const c = createRng('run-43');
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(
      xs,
      Array.from({ length: 1000 }, () => b()),
    );
    assert.notDeepEqual(
      xs.slice(0, 5),
      Array.from({ length: 5 }, () => c()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });
});

describe('split with a holdout', () => {
  it('the same seed always gives the same assignment', () => {
    for (const seed of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      const first = new Driver(abTest, T0, { seed });
      const again = new Driver(abTest, T0, { seed });
      assert.equal(first.state.variant, again.state.variant, seed);
      assert.deepEqual(first.commands, again.commands, seed);
    }
  });

  it('over 10,000 seeds: 10% held out, the rest 3:1 between A and B (±2%)', () => {
    const counts: Record<string, number> = { holdout: 0, A: 0, B: 0 };
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const run = new Driver(abTest, T0, { seed: `journey:1:profile-${i}` });
      const variant = run.state.variant ?? 'none';
      counts[variant] = (counts[variant] ?? 0) + 1;
      if (variant === 'holdout') {
        assert.deepEqual(run.state.exit, { kind: 'holdout' });
        assert.deepEqual(run.sends(), [], 'the control group gets nothing');
      }
    }
    const share = (k: string): number => (counts[k] ?? 0) / n;
    assert.ok(Math.abs(share('holdout') - 0.1) <= 0.02, `holdout ${share('holdout')}`);
    assert.ok(Math.abs(share('A') - 0.9 * 0.75) <= 0.02, `A ${share('A')}`);
    assert.ok(Math.abs(share('B') - 0.9 * 0.25) <= 0.02, `B ${share('B')}`);
  });

  it('the variant is on the run and branches can read run.variant', () => {
    const def = journey({
      start: 'split',
      nodes: {
        split: { type: 'split', variants: [{ name: 'only', weight: 1, next: 'check' }] },
        check: {
          type: 'branch',
          cases: [{ when: { field: 'run.variant', op: 'eq', value: 'only' }, next: 'email' }],
          default: 'done',
        },
        email: { type: 'send', channel: 'email', template: 'x', next: 'done' },
        done: end,
      },
    });
    const run = new Driver(def, T0);
    assert.equal(run.state.variant, 'only');
    assert.deepEqual(run.sends(), ['email x']);
    assert.ok(
      run.last.trace.some((t) => t.what === 'split' && t.detail.startsWith('variant only')),
    );
  });
});
