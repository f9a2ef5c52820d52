// The send node's own rules, on the seed scenarios: a channel the workspace has configured.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QUEUE, broken } from '../../journey/examples.fixtures.ts';

describe('broken scenarios', () => {
  it('unknown_channel: a channel the workspace has not configured', () => {
    assert.deepEqual(
      broken(QUEUE, () => {}, { knownChannels: ['email', 'sms'] }),
      [['nodes.callback.channel', 'unknown_channel']],
    );
  });
});
