import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadJourney, parseJourneyText } from './parse.ts';

const VALID_YAML = `schemaVersion: 1
id: welcome
name: Welcome
trigger: { type: event, event: signed_up }
start: hello
nodes:
  hello:
    type: send
    channel: email
    template: hello
    next: done
  done: { type: exit }
templates:
  hello: { subject: "Welcome", body: "Hello [[[first_name]]]" }
`;

describe('parseJourneyText', () => {
  it('reads YAML 1.2: times, dates and "on" stay strings', () => {
    const result = parseJourneyText('start: 09:00\non: enter\nday: 2025-03-01\nn: 12\n');
    assert.deepEqual(result, {
      ok: true,
      value: { start: '09:00', on: 'enter', day: '2025-03-01', n: 12 },
    });
  });

  it('reads JSON as YAML, and as strict JSON when asked', () => {
    const json = '{"id": "j", "nodes": {"a": {"type": "exit"}}}';
    const expected = { id: 'j', nodes: { a: { type: 'exit' } } };
    assert.deepEqual(parseJourneyText(json), { ok: true, value: expected });
    assert.deepEqual(parseJourneyText(json, 'json'), { ok: true, value: expected });
  });

  it('gives the line and column of a YAML syntax error', () => {
    const result = parseJourneyText('id: j\nnodes:\n  a: [1, 2\nname: x\n');
    assert.ok(!result.ok);
    const [first] = result.issues;
    assert.equal(first?.code, 'syntax_error');
    assert.equal(first?.line, 4);
    assert.match(first?.message ?? '', /^line 4, column 1: /);
  });

  it('rejects a node id written twice instead of keeping one silently', () => {
    const yaml = 'nodes:\n  a: { type: exit }\n  a: { type: wait }\n';
    const fromYaml = parseJourneyText(yaml);
    assert.ok(!fromYaml.ok);
    assert.deepEqual(
      fromYaml.issues.map((i) => [i.code, i.line]),
      [['duplicate_key', 3]],
    );
    const fromJson = parseJourneyText('{\n "nodes": {\n  "a": {},\n  "a": {}\n }\n}', 'json');
    assert.ok(!fromJson.ok);
    assert.deepEqual(
      fromJson.issues.map((i) => [i.code, i.line]),
      [['duplicate_key', 4]],
    );
  });

  it('gives the line and column of a JSON syntax error', () => {
    const cases: Array<[string, number, number]> = [
      ['{\n  "id": "j",\n  "name": }', 3, 11],
      ['{\n  "id": "j"\n  "name": "x"\n}', 3, 3],
      ['{"id": "j",', 1, 12],
      ['', 1, 1],
      ['{"id": "j"} extra', 1, 13],
      ['{"n": 01}', 1, 8],
      ['{"s": "a\\qb"}', 1, 9],
    ];
    for (const [text, line, column] of cases) {
      const result = parseJourneyText(text, 'json');
      assert.ok(!result.ok, text);
      const issue = result.issues[0];
      assert.equal(issue?.code, 'syntax_error');
      assert.deepEqual([issue?.line, issue?.column], [line, column], text);
      assert.match(issue?.message ?? '', new RegExp(`^line ${line}, column ${column}: \\S`));
    }
  });

  it('reports YAML aliases that point nowhere', () => {
    const result = parseJourneyText('a: *nowhere\n');
    assert.ok(!result.ok);
    assert.equal(result.issues[0]?.code, 'syntax_error');
  });
});

describe('loadJourney', () => {
  it('parses and validates', () => {
    const result = loadJourney(VALID_YAML);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.definition.id, 'welcome');
  });

  it('returns syntax errors as issues', () => {
    const result = loadJourney('id: [', { format: 'yaml' });
    assert.ok(!result.ok);
    assert.equal(result.issues[0]?.code, 'syntax_error');
  });

  it('points every issue at its line in the text', () => {
    const text = VALID_YAML.replace('next: done', 'next: gone').replace(
      'template: hello',
      'template: hallo',
    );
    const result = loadJourney(text);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((i) => [i.path, i.code, i.line]),
      [
        ['nodes.done', 'unreachable_node', 12],
        ['nodes.hello.next', 'unknown_target', 11],
        ['nodes.hello.template', 'unknown_template', 10],
      ],
    );
  });

  it('locates issues in JSON text too', () => {
    const text = JSON.stringify(
      { ...(parseJourneyText(VALID_YAML) as { value: object }).value, start: 'nope' },
      null,
      2,
    );
    const result = loadJourney(text, { format: 'json' });
    assert.ok(!result.ok);
    const start = result.issues.find((i) => i.path === 'start');
    assert.equal(start?.code, 'unknown_target');
    assert.equal(text.split('\n')[(start?.line ?? 0) - 1]?.trim(), '"start": "nope",');
  });

  it('passes the workspace options on to the validator', () => {
    const text = VALID_YAML.replace('template: hello', 'template: shared-hello');
    assert.ok(loadJourney(text, { knownTemplates: ['shared-hello'] }).ok);
    const result = loadJourney(VALID_YAML, { knownChannels: ['sms'] });
    assert.ok(!result.ok);
    assert.equal(result.issues[0]?.code, 'unknown_channel');
  });
});
