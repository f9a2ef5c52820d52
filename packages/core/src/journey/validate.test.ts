import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateJourney } from './validate.ts';
import type { ValidationIssue, ValidationResult } from './validate.ts';

type Doc = Record<string, unknown>;

/** A small valid journey: send -> wait_for opened (1h) -> exit, with `extra` merged in. */
function journey(nodes: Doc = {}, extra: Doc = {}): Doc {
  return {
    schemaVersion: 1,
    id: 'j',
    name: 'J',
    trigger: { type: 'manual' },
    start: 'hello',
    nodes: {
      hello: { type: 'send', channel: 'email', template: 'hello', next: 'wait' },
      wait: {
        type: 'wait_for',
        outcome: { node: 'hello', is: ['opened'] },
        timeout: '1h',
        onTimeout: 'done',
        next: 'done',
      },
      done: { type: 'exit' },
      ...nodes,
    },
    templates: { hello: { channel: 'email', subject: 'Hi', body: 'Hello {{ profile.id }}' } },
    ...extra,
  };
}

function issuesOf(result: ValidationResult): ValidationIssue[] {
  assert.equal(result.ok, false, 'expected the document to be rejected');
  return result.ok ? [] : result.issues;
}

function only(result: ValidationResult): ValidationIssue {
  const issues = issuesOf(result);
  assert.equal(issues.length, 1, JSON.stringify(issues, null, 2));
  return issues[0] as ValidationIssue;
}

describe('validateJourney', () => {
  it('returns the definition with defaults applied', () => {
    const result = validateJourney(journey());
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.definition.policies, { reentry: { mode: 'after_exit' } });
    assert.deepEqual(result.warnings, []);
  });

  it('names the valid node types when a type is unknown, and guesses the intended one', () => {
    const issue = only(validateJourney(journey({ done: { type: 'exitt' } })));
    assert.equal(issue.path, 'nodes.done.type');
    assert.equal(issue.node, 'done');
    assert.equal(issue.code, 'unknown_type');
    assert.match(
      issue.message,
      /unknown node type "exitt"; valid types: send, wait, wait_for,.* exit/,
    );
    assert.equal(issue.hint, 'did you mean "exit"?');
  });

  it('names an unknown field and suggests the right one', () => {
    const issue = only(validateJourney(journey({ done: { type: 'exit', reasn: 'finished' } })));
    assert.deepEqual(
      { path: issue.path, code: issue.code, message: issue.message, hint: issue.hint },
      {
        path: 'nodes.done.reasn',
        code: 'unknown_field',
        message: 'unknown field "reasn" on an exit node',
        hint: 'did you mean "reason"?',
      },
    );
  });

  it('says which field a node is missing', () => {
    const issue = only(
      validateJourney(journey({ hello: { type: 'send', channel: 'email', next: 'wait' } })),
    );
    assert.equal(issue.path, 'nodes.hello.template');
    assert.equal(issue.code, 'required');
    assert.equal(issue.message, '"template" is required on a send node');
  });

  it('explains a bad condition by the form it was meant to be', () => {
    const branch = (when: unknown) =>
      journey({
        wait: { type: 'branch', cases: [{ when, next: 'done' }], default: 'done' },
      });
    const missingOp = only(validateJourney(branch({ field: 'profile.traits.plan', value: 'pro' })));
    assert.equal(missingOp.path, 'nodes.wait.cases.0.when.op');
    assert.equal(missingOp.code, 'required');
    const badOp = only(validateJourney(branch({ all: [{ field: 'x', op: 'equals', value: 1 }] })));
    assert.equal(badOp.path, 'nodes.wait.cases.0.when.all.0.op');
    assert.equal(badOp.code, 'invalid_value');
    const nonsense = only(validateJourney(branch({ plan: 'pro' })));
    assert.equal(nonsense.path, 'nodes.wait.cases.0.when');
    assert.equal(nonsense.code, 'invalid_condition');
    assert.match(nonsense.hint ?? '', /\{field, op, value\}/);
  });

  it('reports bad values in words', () => {
    const issues = issuesOf(
      validateJourney(
        journey({
          wait: { type: 'wait', duration: 'twelve hours', next: 'done' },
          'bad id': { type: 'exit' },
        }),
      ),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    assert.equal(byPath['nodes.wait.duration']?.code, 'invalid_value');
    assert.match(byPath['nodes.wait.duration']?.message ?? '', /duration .*got "twelve hours"/);
    assert.ok(issues.some((i) => i.path === 'nodes.bad id' && i.code === 'invalid_id'));
  });

  it('still runs the graph checks when the schema rejects another part', () => {
    const issues = issuesOf(
      validateJourney(
        journey({
          // Rejected by the schema, yet its `next` still counts: "done" stays reachable.
          hello: { type: 'send', channel: 'fax', template: 'hello', next: 'wait' },
          wait: { type: 'wait', duration: '1h', next: 'nowhere' },
        }),
      ),
    );
    assert.deepEqual(
      issues.map((i) => [i.path, i.code]),
      [
        ['nodes.done', 'unreachable_node'],
        ['nodes.hello.channel', 'invalid_value'],
        ['nodes.wait.next', 'unknown_target'],
      ],
    );
  });

  it('sorts issues by path, array indexes numerically', () => {
    const cases = Array.from({ length: 12 }, (_, i) => ({
      when: { field: 'profile.traits.n', op: 'eq', value: i },
      next: i === 2 || i === 10 ? 'missing' : 'done',
    }));
    const issues = issuesOf(
      validateJourney(journey({ wait: { type: 'branch', cases, default: 'done' } })),
    );
    assert.deepEqual(
      issues.map((i) => i.path),
      ['nodes.wait.cases.2.next', 'nodes.wait.cases.10.next'],
    );
  });

  it('rejects a wait that waits for nothing and split variants with the same name', () => {
    assert.equal(
      only(validateJourney(journey({ wait: { type: 'wait', until: {}, next: 'done' } }))).code,
      'empty_wait',
    );
    const split = only(
      validateJourney(
        journey({
          wait: {
            type: 'split',
            variants: [
              { name: 'a', weight: 1, next: 'done' },
              { name: 'a', weight: 1, next: 'done' },
            ],
          },
        }),
      ),
    );
    assert.deepEqual([split.path, split.code], ['nodes.wait.variants.1.name', 'duplicate_variant']);
  });

  it('parses update_profile values as templates', () => {
    const issue = only(
      validateJourney(
        journey({
          wait: {
            type: 'update_profile',
            set: { plan: '{{ trigger.plan | nope }}' },
            next: 'done',
          },
        }),
      ),
    );
    assert.deepEqual([issue.path, issue.code], ['nodes.wait.set.plan', 'template_syntax']);
  });

  it('accepts [[[name]]] placeholders in templates', () => {
    const doc = journey();
    doc['templates'] = { hello: { body: 'Hello [[[customer_name]]]' } };
    assert.ok(validateJourney(doc).ok);
  });

  it('migrates version-0 documents before validating them', () => {
    const result = validateJourney({
      id: 'old',
      name: 'Old',
      trigger: { type: 'manual' },
      nodes: [
        { id: 'first', type: 'wait', duration: '1d', next: 'last' },
        { id: 'last', type: 'exit' },
      ],
    });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.definition.start, 'first');
    assert.deepEqual(Object.keys(result.definition.nodes), ['first', 'last']);
  });

  it('rejects what is not a journey document at all', () => {
    assert.equal(only(validateJourney('hello')).code, 'not_an_object');
    assert.equal(
      only(validateJourney(journey({}, { schemaVersion: 99 }))).code,
      'unsupported_schema_version',
    );
  });
});
