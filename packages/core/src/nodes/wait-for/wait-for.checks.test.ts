// The wait_for node's own rules, on the seed scenarios: one awaited thing, a timeout and its path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASKET, broken, load, remove, set } from '../../journey/examples.fixtures.ts';
import { validateJourney } from '../../journey/validate.ts';

describe('broken scenarios', () => {
  it('wait_for_without_target: waiting for nothing, or for two things', () => {
    assert.deepEqual(
      broken(BASKET, (d) => remove(d, ['nodes', 'wait-open', 'outcome'])),
      [['nodes.wait-open', 'wait_for_without_target']],
    );
    assert.deepEqual(
      broken(BASKET, (d) => set(d, ['nodes', 'wait-open', 'event'], 'order_completed')),
      [['nodes.wait-open', 'wait_for_without_target']],
    );
  });

  it('a wait-for without a timeout says it needs a timeout and an onTimeout path', () => {
    const doc = load(BASKET);
    remove(doc, ['nodes', 'wait-open', 'timeout']);
    const result = validateJourney(doc);
    assert.ok(!result.ok);
    const [only] = result.issues;
    assert.equal(result.issues.length, 1);
    assert.equal(only?.path, 'nodes.wait-open.timeout');
    assert.equal(only?.node, 'wait-open');
    assert.match(only?.message ?? '', /wait-for needs a timeout and an onTimeout path/);
  });
});
