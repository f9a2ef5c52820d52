// The YAML examples of docs/*.md are checked against the code, so the docs cannot drift from it.
// Fenced blocks are recognised by their info string:
//   ```yaml             a journey document (it has `schemaVersion:`): must validate
//   ```yaml journey     a journey document without `schemaVersion:` (version 0): must validate
//   ```yaml invalid     a journey document that must FAIL validation; `# expect-error: code, …`
//                       lines name issue codes that must be among the issues
//   ```yaml simulation  a `waymark simulate` script for the journey block before it: must run;
//                       `# expect: sms at 2026-05-06 09:00` lines must match an outbox line
//   ```yaml fragment    top-level fields (trigger, policies, templates…) merged into a minimal
//                       journey, which must validate
//   ```yaml nodes       a mapping of node ids to nodes: each must match the node schema
//   ```yaml condition   one condition: must match the condition schema
// Any other ```yaml block fails the test: every YAML example is checked.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Condition, JourneyNode, loadJourney, validateJourney } from '@waymark/core';
import type { ValidationIssue } from '@waymark/core';
import { parse as parseYaml } from 'yaml';
import { formatSimulation, simulate } from './simulate.ts';

const docsDir = fileURLToPath(new URL('../../../docs/', import.meta.url));

interface Block {
  file: string;
  /** 0-based index among the file's yaml blocks. */
  index: number;
  /** 1-based line of the opening fence. */
  line: number;
  tag: string;
  text: string;
}

const TAGS = ['', 'journey', 'invalid', 'simulation', 'fragment', 'nodes', 'condition'];

function yamlBlocks(file: string): Block[] {
  const lines = readFileSync(join(docsDir, file), 'utf8').split('\n');
  const out: Block[] = [];
  let open: { tag: string; line: number; body: string[] } | null = null;
  let inOtherFence = false;
  lines.forEach((text, i) => {
    if (open) {
      if (/^```\s*$/.test(text)) {
        out.push({
          file,
          index: out.length,
          line: open.line,
          tag: open.tag,
          text: open.body.join('\n'),
        });
        open = null;
      } else open.body.push(text);
      return;
    }
    if (inOtherFence) {
      if (/^```\s*$/.test(text)) inOtherFence = false;
      return;
    }
    const fence = /^```(\S*)\s*(.*)$/.exec(text);
    if (!fence) return;
    if (fence[1] === 'yaml') open = { tag: (fence[2] ?? '').trim(), line: i + 1, body: [] };
    else inOtherFence = true;
  });
  assert.equal(open, null, `${file}: a yaml block is not closed`);
  return out;
}

function where(b: Block): string {
  return `docs/${b.file}, yaml block ${b.index} (line ${b.line})`;
}

function showIssues(issues: ValidationIssue[]): string {
  return issues.map((i) => `  ${i.path || '(document)'}: ${i.message} [${i.code}]`).join('\n');
}

function isJourney(b: Block): boolean {
  return b.tag === 'journey' || (b.tag === '' && /^schemaVersion:/m.test(b.text));
}

/** A valid journey the fragment blocks are merged into. */
const MINIMAL = {
  schemaVersion: 1,
  id: 'fragment',
  name: 'Fragment',
  trigger: { type: 'manual' },
  start: 'end',
  nodes: { end: { type: 'exit' } },
};

function mapping(b: Block): Record<string, unknown> {
  const value: unknown = parseYaml(b.text);
  assert.ok(
    typeof value === 'object' && value !== null && !Array.isArray(value),
    `${where(b)}: expected a YAML mapping`,
  );
  return value as Record<string, unknown>;
}

/** `# expect: sms at 2026-05-06 09:00` lines of a simulation block. */
function expectations(b: Block): Array<{ channel: string; time: string }> {
  const out: Array<{ channel: string; time: string }> = [];
  for (const line of b.text.split('\n')) {
    if (!/^\s*#\s*expect:/.test(line)) continue;
    const m = /^\s*#\s*expect:\s*([a-z]+) at (\d{4}-\d{2}-\d{2} \d{2}:\d{2})\s*$/.exec(line);
    assert.ok(
      m,
      `${where(b)}: malformed "${line.trim()}"; write "# expect: sms at YYYY-MM-DD HH:MM"`,
    );
    out.push({ channel: m[1]!, time: m[2]! });
  }
  return out;
}

const files = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .sort();

describe('docs: YAML examples', () => {
  const all = files.flatMap(yamlBlocks);

  it('finds the docs and their examples', () => {
    assert.ok(files.length >= 5, `expected the docs pages in ${docsDir}`);
    assert.ok(all.filter(isJourney).length >= 5, 'expected journey examples');
    assert.ok(
      all.some((b) => b.tag === 'simulation'),
      'expected simulation examples',
    );
    assert.ok(
      all.some((b) => b.tag === 'invalid'),
      'expected invalid examples',
    );
  });

  for (const b of all) {
    const name = `${where(b)}${b.tag ? ` [${b.tag}]` : ''}`;

    if (!TAGS.includes(b.tag) || (b.tag === '' && !isJourney(b))) {
      it(name, () => {
        assert.fail(
          `${where(b)}: a yaml block must be a journey (with schemaVersion) or be tagged one of: ` +
            TAGS.filter(Boolean).join(', '),
        );
      });
      continue;
    }

    if (isJourney(b)) {
      it(`${name}: the journey is valid`, () => {
        const result = loadJourney(b.text);
        assert.ok(
          result.ok,
          `${where(b)}: invalid journey\n${result.ok ? '' : showIssues(result.issues)}`,
        );
      });
    } else if (b.tag === 'invalid') {
      it(`${name}: the journey is rejected`, () => {
        const result = loadJourney(b.text);
        assert.ok(!result.ok, `${where(b)}: expected validation to fail, but the journey is valid`);
        const codes = new Set(result.issues.map((i) => i.code));
        for (const m of b.text.matchAll(/^\s*#\s*expect-error:\s*(.+)$/gm)) {
          for (const code of m[1]!.split(',').map((c) => c.trim())) {
            assert.ok(
              codes.has(code),
              `${where(b)}: expected an issue "${code}"; got\n${showIssues(result.issues)}`,
            );
          }
        }
      });
    } else if (b.tag === 'fragment') {
      it(`${name}: the fragment makes a valid journey`, () => {
        const result = validateJourney({ ...MINIMAL, ...mapping(b) });
        assert.ok(result.ok, `${where(b)}: invalid\n${result.ok ? '' : showIssues(result.issues)}`);
      });
    } else if (b.tag === 'nodes') {
      it(`${name}: every node matches the schema`, () => {
        for (const [id, node] of Object.entries(mapping(b))) {
          const parsed = JourneyNode.safeParse(node);
          assert.ok(
            parsed.success,
            `${where(b)}: node "${id}": ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
        }
      });
    } else if (b.tag === 'condition') {
      it(`${name}: the condition matches the schema`, () => {
        const parsed = Condition.safeParse(parseYaml(b.text));
        assert.ok(parsed.success, `${where(b)}: not a condition: ${parsed.error?.message}`);
      });
    } else if (b.tag === 'simulation') {
      const journey = all
        .filter((j) => j.file === b.file && j.index < b.index && isJourney(j))
        .at(-1);
      it(`${name}: the simulation runs`, async () => {
        assert.ok(journey, `${where(b)}: no journey block before this simulation`);
        const result = await simulate(journey.text, b.text);
        const output = formatSimulation(result);
        for (const e of expectations(b)) {
          assert.ok(
            output.includes(`${e.time}  ${e.channel} to `),
            `${where(b)}: expected an outbox line "${e.time}  ${e.channel} to …"; the simulation printed\n${output}`,
          );
        }
      });
    }
  }
});
