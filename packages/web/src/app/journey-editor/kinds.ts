/**
 * The node and trigger kinds named by a draft: a draft is being written, so its `type` may be
 * missing or name no kind; these answer undefined then.
 */
import { NODE_KINDS, TRIGGER_KINDS } from '@waymark/core';

/** The kind of a node type named in a draft, when it names one. */
export const nodeKindOf = (type: unknown) =>
  typeof type === 'string' && Object.hasOwn(NODE_KINDS, type)
    ? NODE_KINDS[type as keyof typeof NODE_KINDS]
    : undefined;

/** The kind of a trigger type named in a draft, when it names one. */
export const triggerKindOf = (type: unknown) =>
  typeof type === 'string' && Object.hasOwn(TRIGGER_KINDS, type)
    ? TRIGGER_KINDS[type as keyof typeof TRIGGER_KINDS]
    : undefined;
