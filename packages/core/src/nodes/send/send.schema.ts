/** The send node's schema: a message on a channel from a template. */
import { z } from 'zod';
import { Condition } from '../../conditions/schema.ts';
import { Channel } from '../../journey/channel.ts';
import { Id, Next } from '../../journey/ids.ts';

/** Send a message on a channel from a template of the journey (or of the workspace). */
export const SendNode = z
  .strictObject({
    type: z.literal('send'),
    channel: Channel.describe('The channel to send on.'),
    template: Id.describe(
      'A template of the journey (`templates:`) or of the workspace, written for this channel.',
    ),
    /** Recipient override as a field path (`profile.traits.work_email`); default per channel. */
    to: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Recipient as a field path (`profile.traits.work_email`). Default: `profile.traits.email` for email, `profile.traits.phone` for SMS, WhatsApp and voice.',
      ),
    /** Transactional sends bypass marketing caps and topics, never a hard suppression. */
    transactional: z
      .boolean()
      .optional()
      .describe(
        'Transactional: not held by send windows, frequency caps or marketing unsubscribes; never sent to a suppressed address.',
      ),
    /** Marketing topic for consent (issue: channels). */
    topic: z
      .string()
      .min(1)
      .optional()
      .describe('Marketing topic: a recipient unsubscribed from it is skipped.'),
    /** Re-checked just before the send; when true the node is skipped (recorded on the run). */
    skipIf: Condition.optional().describe(
      'Checked just before the send; when it holds the message is skipped (recorded on the run).',
    ),
    /** Voice callbacks: the number to call first (contact centre); the customer is bridged in. */
    connectTo: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Voice callbacks: the number called first (the contact centre); the customer is bridged in.',
      ),
    ...Next,
  })
  .describe('Send a message on a channel from a template of the journey (or of the workspace).');
