/** The inbound trigger's schema: a channel, a number and a keyword. */
import { z } from 'zod';

/** An inbound message (SMS keyword to a virtual number). */
export const InboundTrigger = z
  .strictObject({
    type: z.literal('inbound'),
    channel: z
      .enum(['sms', 'whatsapp', 'email'])
      .default('sms')
      .describe('The channel the message comes in on.'),
    /** The number or address written to; any when absent. */
    to: z.string().min(1).optional().describe('The number or address written to; any when absent.'),
    /** Matched case-insensitively against the first word of the message. */
    keyword: z
      .string()
      .min(1)
      .describe('Matched case-insensitively against the first word of the message.'),
  })
  .describe('An inbound message (an SMS keyword to a virtual number) starts a run.');
