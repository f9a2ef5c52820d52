// The report's intervals against the worked examples of Newcombe (1998), "Interval estimation for
// the difference between independent proportions", Statistics in Medicine 17, table II (method 10,
// hybrid score) and of Wilson's score interval.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lift, wilson } from './reports-stats.ts';

const near = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 5e-5, `${actual} is not ${expected}`);

describe('report statistics', () => {
  it("Newcombe's hybrid score interval of a difference of proportions", () => {
    const a = lift({ x: 56, n: 70 }, { x: 48, n: 80 });
    assert.ok(a);
    near(a.difference, 0.2);
    near(a.interval.low, 0.0524);
    near(a.interval.high, 0.3339);
    assert.equal(a.significant, true);
    near(a.relative ?? NaN, 0.2 / 0.6);

    const b = lift({ x: 9, n: 10 }, { x: 3, n: 10 });
    near(b!.interval.low, 0.1705);
    near(b!.interval.high, 0.809);

    // Both at zero: the interval straddles 0, and no relative lift exists.
    const c = lift({ x: 0, n: 10 }, { x: 0, n: 20 });
    near(c!.interval.low, -0.1611);
    near(c!.interval.high, 0.2775);
    assert.equal(c!.relative, null);
    assert.equal(c!.significant, false);
  });

  it('no interval without runs', () => {
    assert.equal(lift({ x: 0, n: 0 }, { x: 1, n: 10 }), null);
    assert.equal(wilson(0, 0), null);
  });

  it("Wilson's score interval stays inside [0, 1]", () => {
    const w = wilson(0, 10)!;
    assert.equal(w.low, 0);
    near(w.high, 0.2775);
    const full = wilson(10, 10)!;
    near(full.low, 0.7225);
    near(full.high, 1);
  });
});
