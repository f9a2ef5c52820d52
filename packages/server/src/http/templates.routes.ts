/**
 * Template routes of the admin API: `POST /api/journeys/:id/preview` renders a template of the
 * journey's latest version (or an edited template given inline) for a profile and an example
 * event — subject, HTML and text as the recipient would get them — or answers 422 naming the
 * field and the variable that is missing.
 */
import { Template } from '@waymark/core';
import { z } from 'zod';
import { previewTemplate } from '../app/templates.ts';
import { defineRoute, type AnyRoute } from './route.ts';

const PreviewBody = z.object({
  template: z
    .union([z.string().min(1), Template])
    .describe("a template id of the journey, or a template (the editor's unsaved text)"),
  profile: z.string().min(1).describe('profile id, userId, or kind:value (email:ana@example.com)'),
  event: z
    .object({
      name: z.string().min(1).default('preview'),
      properties: z.record(z.string(), z.unknown()).default({}),
    })
    .optional()
    .describe('the trigger event the template sees as `event`'),
});

const PreviewResponse = z.object({
  subject: z.string().nullable(),
  html: z.string().nullable().describe('final HTML (MJML compiled, Liquid rendered)'),
  text: z.string().describe('the text part: `body`, else made from the HTML'),
  from: z.string().nullable().describe("the journey's sender; null: the channel default"),
  replyTo: z.string().nullable(),
});

/** Template routes. */
export const templateRoutes: AnyRoute[] = [
  defineRoute({
    id: 'previewTemplate',
    method: 'POST',
    url: '/api/journeys/:id/preview',
    auth: 'admin',
    role: 'viewer',
    tag: 'journeys',
    summary: 'Render a template for a profile and an example event',
    params: z.object({ id: z.string().min(1) }),
    body: PreviewBody,
    response: PreviewResponse,
    errors: ['not_found', 'invalid_journey'],
    async handler({ deps, workspaceId, params, body }) {
      return previewTemplate(deps, workspaceId, params.id, body);
    },
  }),
];
