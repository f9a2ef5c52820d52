import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads ISO 8601 and shorthand durations', () => {
    assert.equal(parseDuration('PT12H'), 12 * 3_600_000);
    assert.equal(parseDuration('P2D'), 2 * 86_400_000);
    assert.equal(parseDuration('-P1D'), -86_400_000);
    assert.equal(parseDuration('P1DT30M'), 86_400_000 + 30 * 60_000);
    assert.equal(parseDuration('48h'), 48 * 3_600_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
  });
  it('rejects what is not a duration', () => {
    for (const bad of ['', 'P', 'PT', '12', 'twelve hours', '12 h', 'P1Y']) {
      assert.equal(parseDuration(bad), null, bad);
    }
  });
});
