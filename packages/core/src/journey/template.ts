/** The message template schema (`templates.<id>`). */
import { z } from 'zod';

/**
 * A message template: Liquid text (`{{ profile.traits.first_name }}`); email adds a subject, HTML
 * (or MJML) and its own sender. `body` is the text; an email with `html` may leave it out (the
 * text part is then made from the HTML). Validation requires one of the two.
 */
export const Template = z
  .strictObject({
    channel: z
      .enum(['email', 'sms', 'voice', 'push', 'whatsapp', 'webhook'])
      .optional()
      .describe('The channel it is written for; absent: any channel.'),
    subject: z.string().optional().describe('Email subject (Liquid).'),
    body: z
      .string()
      .optional()
      .describe('The text (Liquid): SMS text, voice script, email text part.'),
    /** Email only: MJML (`<mjml>…`) or HTML markup. */
    html: z.string().optional().describe('Email only: MJML (`<mjml>…`) or HTML markup (Liquid).'),
    /** Email only: sender (`Name <addr@domain>`), overriding `policies.email.from`. */
    from: z
      .string()
      .min(1)
      .optional()
      .describe('Email only: sender (`Name <addr@domain>`), overriding `policies.email.from`.'),
    /** Email only: Reply-To, overriding `policies.email.replyTo`. */
    replyTo: z
      .string()
      .min(1)
      .optional()
      .describe('Email only: Reply-To, overriding `policies.email.replyTo`.'),
    /**
     * Email: open pixel / click redirects for this template, overriding `policies.tracking`. A text
     * (SMS, WhatsApp) tracks its links only with `clicks: true`.
     */
    tracking: z
      .strictObject({
        opens: z.boolean().optional().describe('Email: add the open pixel.'),
        clicks: z
          .boolean()
          .optional()
          .describe('Turn links into click redirects (a text only with `true`).'),
      })
      .optional()
      .describe(
        'Open pixel and click redirects for this template, overriding `policies.tracking`. A text (SMS, WhatsApp) tracks its links only with `clicks: true`.',
      ),
  })
  .describe(
    'A message template in Liquid (`{{ profile.traits.first_name }}`). `body` or (email) `html` is required.',
  );
/** A message template. */
export type Template = z.infer<typeof Template>;
