// The storage contract of forms and their submissions, run against every backend
// (storage/testing.ts): SQLite always, PostgreSQL when DATABASE_URL is set. Each test gets a fresh,
// migrated store.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AppError } from '../../errors.ts';
import type { FormSubmissionRow as FormSubmission } from '../store.ts';
import { backends, type TestStore } from '../testing.ts';
import { WS, OTHER, T0, MIN, rich } from './fixtures.ts';

// Forms (003): definitions, and submissions that become final once.

function submission(over: Partial<FormSubmission> = {}): FormSubmission {
  return {
    workspaceId: WS,
    profileId: 'p1',
    formId: 'feedback',
    key: 'm:m1',
    id: 's1',
    status: 'provisional',
    answers: { score: 4 },
    messageId: 'm1',
    runId: 'r1',
    createdAt: T0,
    updatedAt: T0,
    submittedAt: null,
    ...over,
  };
}

for (const backend of backends()) {
  describe(`storage contract: forms (${backend.name})`, () => {
    let store: TestStore;
    beforeEach(async () => {
      store = await backend.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores, replaces, lists and removes definitions per workspace', async () => {
      const form = { workspaceId: WS, id: 'feedback', createdAt: T0, updatedAt: T0 };
      await store.forms.upsert({ ...form, definition: { title: 'Feedback', rich } });
      await store.forms.upsert({ ...form, id: 'a-form', definition: { title: 'A' } });
      await store.forms.upsert({ ...form, workspaceId: OTHER, definition: { title: 'Other' } });
      await store.forms.upsert({
        ...form,
        definition: { title: 'Feedback v2' },
        createdAt: T0 + MIN,
        updatedAt: T0 + MIN,
      });
      const got = await store.forms.get(WS, 'feedback');
      assert.deepEqual(got, { ...form, definition: { title: 'Feedback v2' }, updatedAt: T0 + MIN });
      assert.deepEqual(
        (await store.forms.list(WS)).map((f) => f.id),
        ['a-form', 'feedback'],
      );
      assert.equal(await store.forms.remove(WS, 'feedback'), true);
      assert.equal(await store.forms.remove(WS, 'feedback'), false);
      assert.equal(await store.forms.get(WS, 'feedback'), null);
      assert.equal((await store.forms.get(OTHER, 'feedback'))?.definition.title, 'Other');
    });

    it('keeps JSON answers unchanged', async () => {
      await store.formSubmissions.saveProvisional(submission({ answers: { rich } }));
      const got = await store.formSubmissions.get(WS, 'p1', 'feedback', 'm:m1');
      assert.deepEqual(got?.answers, { rich });
    });

    it('replaces provisional answers until the submission is final', async () => {
      const first = await store.formSubmissions.saveProvisional(submission());
      assert.equal(first.status, 'provisional');
      const again = await store.formSubmissions.saveProvisional(
        submission({ id: 's2', answers: { score: 2 }, updatedAt: T0 + MIN }),
      );
      assert.equal(again.id, 's1', 'the first row is kept');
      assert.deepEqual(again.answers, { score: 2 });
      assert.equal(again.updatedAt, T0 + MIN);

      const final = submission({
        id: 's3',
        status: 'submitted',
        answers: { score: 3, why: 'price' },
        updatedAt: T0 + 2 * MIN,
        submittedAt: T0 + 2 * MIN,
      });
      assert.equal(await store.formSubmissions.submit(final), true);
      const stored = await store.formSubmissions.get(WS, 'p1', 'feedback', 'm:m1');
      assert.deepEqual(stored, { ...final, id: 's1', createdAt: T0 });

      // Neither a second submission nor a late one-click answer changes a final one.
      assert.equal(
        await store.formSubmissions.submit({ ...final, answers: { score: 5 }, submittedAt: T0 }),
        false,
      );
      const late = await store.formSubmissions.saveProvisional(
        submission({ answers: { score: 1 } }),
      );
      assert.deepEqual(late, { ...final, id: 's1', createdAt: T0 });
    });

    it('submits at once without a provisional row; only one of two submits wins', async () => {
      const row = submission({ key: 'r:r9', status: 'submitted', submittedAt: T0 });
      const results = await Promise.all([
        store.transaction((tx) => tx.formSubmissions.submit(row)),
        store.transaction((tx) => tx.formSubmissions.submit({ ...row, id: 's9' })),
      ]);
      assert.deepEqual(results.sort(), [false, true]);
      assert.equal(
        (await store.formSubmissions.get(WS, 'p1', 'feedback', 'r:r9'))?.status,
        'submitted',
      );
    });

    it("lists a form's submissions in id order, a page at a time", async () => {
      for (const [i, p] of ['p1', 'p2', 'p3'].entries())
        await store.formSubmissions.saveProvisional(
          submission({ profileId: p, id: `s${i}`, key: `m:m${i}` }),
        );
      await store.formSubmissions.saveProvisional(submission({ formId: 'other', id: 's7' }));
      const first = await store.formSubmissions.list(WS, 'feedback', { limit: 2 });
      assert.deepEqual(
        first.items.map((s) => s.id),
        ['s0', 's1'],
      );
      assert.ok(first.next);
      const second = await store.formSubmissions.list(WS, 'feedback', {
        limit: 2,
        cursor: first.next,
      });
      assert.deepEqual(
        second.items.map((s) => s.id),
        ['s2'],
      );
      assert.equal(second.next, null);
      await assert.rejects(
        store.formSubmissions.list(WS, 'feedback', { limit: 2, cursor: 'junk' }),
        AppError,
      );
    });
  });
}
