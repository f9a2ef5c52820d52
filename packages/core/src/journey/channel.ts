/**
 * The channel enums of the journey language: the channels a send node can use and those staff
 * alerts go out on. What Waymark knows of each channel is in `channels/catalogue.ts`.
 */
import { z } from 'zod';

/** Channels a send node can use. Voice and push/WhatsApp deliver to the dev outbox until configured. */
export const Channel = z
  .enum(['email', 'sms', 'voice', 'push', 'whatsapp'])
  .meta({ title: 'channel' });
/** A message channel. */
export type Channel = z.infer<typeof Channel>;

/** Channels staff alerts can go out on. */
export const AlertChannel = z.enum(['email', 'sms', 'webhook']);
