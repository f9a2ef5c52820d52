// The split node's own rules, on the seed scenarios: weights above 0, a holdout below 100%.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VOUCHER, broken, set, type Doc } from '../../journey/examples.fixtures.ts';

describe('broken scenarios', () => {
  it('split_weights and holdout_all', () => {
    assert.deepEqual(
      broken(VOUCHER, (d) => {
        const ab = (d['nodes'] as Doc)['ab'] as { variants: Doc[] };
        set(ab.variants[0] as Doc, ['weight'], 0);
      }),
      [['nodes.ab.variants.0.weight', 'split_weights']],
    );
    assert.deepEqual(
      broken(VOUCHER, (d) => set(d, ['nodes', 'ab', 'holdout'], 100)),
      [['nodes.ab.holdout', 'holdout_all']],
    );
  });
});
