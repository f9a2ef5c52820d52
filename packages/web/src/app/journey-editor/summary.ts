/**
 * The one line a node shows under its label on the canvas ("Email · basket_email", "Wait for
 * opened · 12h"), read from a draft node defensively (it may be half filled in).
 */
import { channelKind, parseDuration } from '@waymark/core';
import { nodeKindOf } from './kinds.ts';
import { recordOf } from './json.ts';

const UNITS: Array<[string, number]> = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** A duration in its shortest whole unit: `PT12H` → `12h`, `P2D` → `2d`. */
export function shortDuration(value: unknown): string {
  if (typeof value !== 'string') return '?';
  const ms = parseDuration(value);
  if (ms === null) return value;
  for (const [unit, size] of UNITS) if (ms % size === 0 && ms !== 0) return `${ms / size}${unit}`;
  return value;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
/** The name of a channel ("Email", "SMS"), or the raw word. */
export function channelLabel(channel: unknown): string {
  const name = text(channel);
  if (!name) return 'No channel';
  return channelKind(name)?.label ?? name;
}

/** The summary line of a draft node. */
export function nodeSummary(node: Record<string, unknown>): string {
  switch (node.type) {
    case 'send':
      return `${channelLabel(node.channel)} · ${text(node.template) ?? 'no template'}`;
    case 'wait':
      return node.duration === undefined ? 'Until a time' : `Wait ${shortDuration(node.duration)}`;
    case 'wait_for': {
      const outcome = recordOf(node.outcome);
      const is = Array.isArray(outcome.is) ? outcome.is.join(' or ') : undefined;
      const what =
        (is && `Wait for ${is}`) ??
        (text(node.event) && `Wait for ${String(node.event)}`) ??
        (node.reply ? 'Wait for a reply' : node.task ? 'Wait for the task' : 'Wait for …');
      return `${what} · ${shortDuration(node.timeout)}`;
    }
    case 'branch':
      return `${Array.isArray(node.cases) ? node.cases.length : 0} case(s) and otherwise`;
    case 'split':
      return `${Array.isArray(node.variants) ? node.variants.length : 0} variant(s)`;
    case 'exit':
      return text(node.reason) ?? 'The run ends';
    default:
      return nodeKindOf(node.type)?.label ?? 'Unknown kind';
  }
}
