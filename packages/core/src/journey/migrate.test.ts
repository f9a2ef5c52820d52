import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIGRATIONS, MigrationError, migrateDocument } from './migrate.ts';
import type { Migration } from './migrate.ts';
import { CURRENT_SCHEMA_VERSION } from './schema.ts';

describe('migrateDocument with the real registry', () => {
  it('leaves a current document as it is', () => {
    const doc = { schemaVersion: CURRENT_SCHEMA_VERSION, id: 'j', nodes: {} };
    const result = migrateDocument(doc);
    assert.ok(result.ok);
    assert.equal(result.doc, doc);
    assert.deepEqual(result.applied, []);
  });

  it('turns a version-0 document (no schemaVersion, nodes as a list) into version 1', () => {
    const v0 = {
      id: 'welcome',
      name: 'Welcome',
      trigger: { type: 'manual' },
      nodes: [
        { id: 'hello', type: 'send', channel: 'email', template: 'hello', next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    };
    const before = structuredClone(v0);
    const result = migrateDocument(v0);
    assert.ok(result.ok);
    assert.deepEqual(result.doc, {
      schemaVersion: 1,
      id: 'welcome',
      name: 'Welcome',
      trigger: { type: 'manual' },
      start: 'hello',
      nodes: {
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
        done: { type: 'exit' },
      },
    });
    assert.deepEqual(result.applied, [`0 -> 1: ${MIGRATIONS[0]?.describe}`]);
    assert.deepEqual(v0, before, 'the input is not mutated');
  });

  it('reports version-0 documents it cannot migrate', () => {
    const codes = (doc: unknown) => {
      const result = migrateDocument(doc);
      assert.ok(!result.ok);
      return result.issues.map((i) => [i.path, i.code]);
    };
    assert.deepEqual(codes({ nodes: [] }), [['nodes', 'required']]);
    assert.deepEqual(codes({ nodes: [{ type: 'exit' }] }), [['nodes.0.id', 'required']]);
    assert.deepEqual(
      codes({
        nodes: [
          { id: 'a', type: 'exit' },
          { id: 'a', type: 'exit' },
        ],
      }),
      [['nodes.1.id', 'duplicate_node_id']],
    );
    // A current-style document that forgot its version: say so rather than guess.
    const forgot = migrateDocument({ start: 'a', nodes: { a: { type: 'exit' } } });
    assert.ok(!forgot.ok);
    assert.equal(forgot.issues[0]?.code, 'missing_schema_version');
    assert.match(forgot.issues[0]?.hint ?? '', /schemaVersion: 1/);
  });

  it('refuses documents from a newer Waymark, bad versions and non-objects', () => {
    const first = (doc: unknown) => {
      const result = migrateDocument(doc);
      assert.ok(!result.ok);
      return result.issues[0];
    };
    const newer = first({ schemaVersion: CURRENT_SCHEMA_VERSION + 1 });
    assert.equal(newer?.code, 'unsupported_schema_version');
    assert.equal(newer?.path, 'schemaVersion');
    assert.match(newer?.message ?? '', /newer than this Waymark reads/);
    assert.equal(first({ schemaVersion: '1' })?.code, 'invalid_schema_version');
    assert.equal(first({ schemaVersion: 0.5 })?.code, 'invalid_schema_version');
    for (const input of [null, 'text', 42, [1, 2]]) {
      assert.equal(first(input)?.code, 'not_an_object', String(input));
    }
  });
});

describe('migrateDocument with a synthetic registry', () => {
  const registry: Migration[] = [
    { from: 0, to: 1, describe: 'add a', up: (d) => ({ ...d, a: true }) },
    {
      from: 1,
      to: 2,
      describe: 'rename title -> name',
      up: ({ title, ...rest }) => ({ ...rest, name: title }),
    },
    {
      from: 2,
      to: 3,
      describe: 'reject legacy',
      up: (d) => {
        if (d['legacy']) {
          throw new MigrationError({
            code: 'legacy_field',
            path: 'legacy',
            message: 'legacy documents cannot be migrated',
            hint: 'remove "legacy"',
          });
        }
        return d;
      },
    },
  ];

  it('applies every step in order from the document version to the target', () => {
    const result = migrateDocument({ title: 'T' }, registry, 3);
    assert.ok(result.ok);
    assert.deepEqual(result.doc, { a: true, name: 'T', schemaVersion: 3 });
    assert.deepEqual(result.applied, [
      '0 -> 1: add a',
      '1 -> 2: rename title -> name',
      '2 -> 3: reject legacy',
    ]);
  });

  it('starts at the version the document declares', () => {
    const result = migrateDocument({ schemaVersion: 2, name: 'N' }, registry, 3);
    assert.ok(result.ok);
    assert.deepEqual(result.applied, ['2 -> 3: reject legacy']);
  });

  it('turns a MigrationError into an issue and keeps the steps already applied', () => {
    const result = migrateDocument({ schemaVersion: 1, title: 'T', legacy: 1 }, registry, 3);
    assert.ok(!result.ok);
    assert.deepEqual(result.applied, ['1 -> 2: rename title -> name']);
    assert.deepEqual(result.issues, [
      {
        path: 'legacy',
        code: 'legacy_field',
        message: 'legacy documents cannot be migrated',
        hint: 'remove "legacy"',
      },
    ]);
  });

  it('reports a gap in the registry instead of looping', () => {
    const gap = registry.filter((m) => m.from !== 1);
    const result = migrateDocument({ schemaVersion: 1 }, gap, 3);
    assert.ok(!result.ok);
    assert.equal(result.issues[0]?.code, 'unsupported_schema_version');
    assert.match(result.issues[0]?.message ?? '', /no migration from schemaVersion 1 to 3/);
  });

  it('lets other errors through: they are bugs in a migration, not in the document', () => {
    const buggy: Migration[] = [
      {
        from: 0,
        to: 1,
        describe: 'bug',
        up: () => {
          throw new TypeError('oops');
        },
      },
    ];
    assert.throws(() => migrateDocument({}, buggy, 1), TypeError);
  });
});
