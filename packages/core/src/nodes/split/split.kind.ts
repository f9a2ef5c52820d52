/**
 * The split node: a random variant by weight, reproducible from the run's seed, after an
 * optional holdout (the control group leaves the journey). Variant names must differ, or the
 * reports could not tell them apart.
 */
import { endRun, note, type Stepping } from '../../evaluator/stepping.ts';
import { nodeIssue } from '../../journey/issues.ts';
import { isRecord, show } from '../../journey/words.ts';
import type { NodeOf } from '../../journey/schema.ts';
import { itemsOf, type NodeKind } from '../kind.ts';
import { SplitNode } from './split.schema.ts';

function visit(s: Stepping, node: NodeOf<'split'>): string | null {
  const holdout = node.holdout ?? 0;
  if (holdout > 0 && s.rng() < holdout / 100) {
    s.state.variant = 'holdout';
    note(s, 'split', `held out (${holdout}% control group)`);
    endRun(s, { kind: 'holdout' }, 'the run leaves the journey as part of the control group');
    return null;
  }
  const total = node.variants.reduce((sum, v) => sum + v.weight, 0);
  let pick = s.rng() * total;
  let chosen = node.variants[node.variants.length - 1];
  for (const variant of node.variants) {
    pick -= variant.weight;
    if (pick < 0) {
      chosen = variant;
      break;
    }
  }
  if (!chosen) return null; // unreachable: the schema requires a variant
  s.state.variant = chosen.name;
  note(s, 'split', `variant ${chosen.name} (weight ${chosen.weight} of ${total}) → ${chosen.next}`);
  return chosen.next;
}

/** The split node kind. */
export const splitKind = {
  type: 'split',
  schema: SplitNode,
  label: 'Split',
  help: 'Send runs down weighted random variants (A/B tests), with an optional holdout.',
  icon: 'split',
  defaults: { type: 'split' },
  waits: false,
  edgesOf: (node) => node.variants.map((v, i) => ({ field: `variants.${i}.next`, target: v.next })),
  outputs: (raw) =>
    itemsOf(raw, 'variants').map((v, i) => ({
      field: `variants.${i}.next`,
      label: isRecord(v) && typeof v.name === 'string' && v.name ? v.name : `Variant ${i + 1}`,
    })),
  conditionsOf: () => [],
  templatesOf: () => [],
  checkRaw(raw, { id, sink }) {
    if (raw['holdout'] !== 100) return;
    sink.error(
      nodeIssue(
        id,
        'holdout',
        'holdout_all',
        'a holdout of 100% holds everyone out: no variant would ever run',
        'use a holdout below 100, e.g. 10',
      ),
    );
  },
  check(node, { id, sink }) {
    const names = new Set<string>();
    node.variants.forEach((variant, i) => {
      if (names.has(variant.name)) {
        sink.error(
          nodeIssue(
            id,
            `variants.${i}.name`,
            'duplicate_variant',
            `variant name "${variant.name}" is used twice; reports could not tell them apart`,
          ),
        );
      }
      names.add(variant.name);
    });
  },
  explain({ kind, field, value }) {
    if (kind !== 'bound' || field[0] !== 'variants' || field[field.length - 1] !== 'weight') {
      return undefined;
    }
    return {
      code: 'split_weights',
      message: `split weights must be greater than 0, got ${show(value)}`,
      hint: 'drop the variant instead of giving it weight 0',
    };
  },
  visit: (s, _id, node) => visit(s, node),
} satisfies NodeKind<'split'>;
