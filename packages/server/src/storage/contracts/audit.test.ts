// The storage contract of the audit log, run against every backend (storage/testing.ts).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { newId } from '../../ids.ts';
import { backends, type TestStore } from '../testing.ts';
import { OTHER, T0, WS } from './fixtures.ts';

for (const backend of backends()) {
  describe(`storage contract: ${backend.name}`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('audit', () => {
      it('lists a workspace’s entries newest first, a page at a time', async () => {
        for (let i = 0; i < 5; i += 1)
          await store.audit.append({
            workspaceId: i === 4 ? OTHER : WS,
            id: newId(T0 + i),
            at: T0 + i,
            actorKind: 'user',
            actorId: 'u1',
            actorEmail: 'a@example.com',
            action: 'journey.published',
            target: `journey:j${i}`,
            detail: { version: i },
          });
        const first = await store.audit.list(WS, { limit: 3 });
        assert.deepEqual(
          first.items.map((e) => e.target),
          ['journey:j3', 'journey:j2', 'journey:j1'],
        );
        assert.deepEqual(first.items[0]?.detail, { version: 3 });
        assert.equal(first.items[0]?.actorEmail, 'a@example.com');
        assert.ok(first.next);
        const second = await store.audit.list(WS, { limit: 3, cursor: first.next });
        assert.deepEqual(
          second.items.map((e) => e.target),
          ['journey:j0'],
        );
        assert.equal(second.next, null);
      });
    });
  });
}
