/** The webhook node's schema: a signed JSON request to a URL. */
import { z } from 'zod';
import { Next } from '../../journey/ids.ts';

/** Signed JSON POST to a URL; the response can be branched on via `last.*`. */
export const WebhookNode = z
  .strictObject({
    type: z.literal('webhook'),
    url: z.string().url().describe('Where to send the request.'),
    method: z.enum(['POST', 'PUT', 'PATCH']).default('POST').describe('The HTTP method.'),
    headers: z.record(z.string(), z.string()).optional().describe('Extra request headers.'),
    body: z
      .unknown()
      .optional()
      .describe(
        'The JSON body; `{{ path }}` placeholders in its strings (and in header values) are filled when the node runs.',
      ),
    ...Next,
  })
  .describe('Signed JSON request to a URL; the response can be branched on via `last.*`.');
