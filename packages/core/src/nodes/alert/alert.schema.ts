/** The alert node's schema: a staff notice by email, SMS or webhook. */
import { z } from 'zod';
import { AlertChannel } from '../../journey/channel.ts';
import { Id, Next } from '../../journey/ids.ts';

/** Notify staff (manager alert), outside the recipients' delivery policies. */
export const AlertNode = z
  .strictObject({
    type: z.literal('alert'),
    channel: AlertChannel.describe('How staff are told.'),
    to: z
      .string()
      .min(1)
      .describe('An email address, a phone number (E.164) or a webhook URL, as `channel` needs.'),
    template: Id.describe('The template of the alert.'),
    ...Next,
  })
  .describe("Notify staff (manager alert), outside the recipients' delivery policies.");
