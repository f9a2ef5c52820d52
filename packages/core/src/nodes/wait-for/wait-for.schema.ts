/** The wait_for node's schema: one awaited thing and a timeout path. */
import { z } from 'zod';
import { Condition, MessageOutcomeType } from '../../conditions/schema.ts';
import { PositiveDuration } from '../../journey/duration.ts';
import { NodeRef } from '../../journey/ids.ts';

/** Wait for an event, a message outcome, a reply or a task outcome, with a timeout path. */
export const WaitForNode = z
  .strictObject({
    type: z.literal('wait_for'),
    /** An event of the profile (`form_submitted`, `payment_received`). */
    event: z
      .string()
      .min(1)
      .optional()
      .describe('Wait for an event of the profile (`form_submitted`, `payment_received`).'),
    /** Filter on the awaited event (`event.*` paths). */
    where: Condition.optional().describe('With `event`: a filter on it (`event.*` paths).'),
    /**
     * An outcome of the message sent by a node of this journey. Machine outcomes (privacy-proxy
     * opens, link-scanner clicks) count unless `ignoreMachine` (default: `policies.tracking`).
     */
    outcome: z
      .strictObject({
        node: NodeRef.describe('The send node whose message is awaited.'),
        is: z
          .array(MessageOutcomeType)
          .min(1)
          .describe('Outcomes that end the wait (any of them).'),
        ignoreMachine: z
          .boolean()
          .optional()
          .describe(
            'Ignore machine opens and clicks (privacy proxies, link scanners). Default: `policies.tracking.ignoreMachine`.',
          ),
      })
      .optional()
      .describe('Wait for an outcome of the message a send node of this journey sent.'),
    /** A reply to the message sent by a node (SMS reply). */
    reply: z
      .strictObject({ node: NodeRef.describe('The send node whose message is answered.') })
      .optional()
      .describe('Wait for a reply to the message a send node sent (SMS).'),
    /** The outcome of a task created by a node. */
    task: z
      .strictObject({ node: NodeRef.describe('The task node.') })
      .optional()
      .describe('Wait for the outcome of the task a task node created.'),
    timeout: PositiveDuration.describe('How long to wait before giving up.'),
    onTimeout: NodeRef.describe('The node to go to when the wait times out.'),
    next: NodeRef.describe('The node to go to when what was awaited happened.'),
  })
  .describe(
    'Wait for one thing — an event, a message outcome, a reply or a task outcome — with a timeout path.',
  );
