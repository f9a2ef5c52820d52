/**
 * The webhook node: a signed JSON request to a URL, its headers and body filled from the run's
 * scope. It is tracked like a sent message, so a wait_for `outcome` on it gets the response.
 */
import { fillDeep, fillPlaceholders } from '../../evaluator/placeholders.ts';
import { nextKey, note, scopeOf } from '../../evaluator/stepping.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { WebhookNode } from './webhook.schema.ts';

/** The webhook node kind. */
export const webhookKind = {
  type: 'webhook',
  schema: WebhookNode,
  label: 'Webhook',
  help: 'Send a signed JSON request to a URL; branch on the response.',
  icon: 'webhook',
  defaults: { type: 'webhook', method: 'POST' },
  waits: false,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: () => [],
  templatesOf: () => [],
  visit(s, id, node) {
    const key = nextKey(s, id);
    const scope = scopeOf(s);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(node.headers ?? {})) {
      const filled = fillPlaceholders(value, scope);
      if (filled !== undefined && filled !== null) headers[name] = String(filled);
    }
    s.commands.push({
      type: 'webhook',
      key,
      nodeId: id,
      url: node.url,
      method: node.method,
      headers,
      body: fillDeep(node.body, scope),
    });
    s.state.messages[id] = { key, outcomes: [] };
    note(s, 'node', `webhook ${node.method} ${node.url} (${key})`);
    return node.next;
  },
} satisfies NodeKind<'webhook'>;
