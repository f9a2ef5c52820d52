/**
 * Template previews: a journey's template (or an edited one given inline) rendered for a real
 * profile and an example event, exactly as the engine would render it at enqueue — MJML, Liquid,
 * the text part, dates and money in the profile's zone and locale. A variable the profile or
 * event lacks is a 422 naming the field and the variable, as it would fail the message.
 */
import { resolveZone, type JourneyDefinition, type Template } from '@waymark/core';
import { AppError } from '../errors.ts';
import { profileZone } from '../runtime/recipient-zone.ts';
import { RenderError, recipientLocale, renderTemplateContent } from '../runtime/render.ts';
import type { AppDeps } from './deps.ts';
import { findProfileId } from './profiles.ts';

/** What to preview: a template id of the journey or a template, for a profile and an event. */
export interface PreviewRequest {
  template: string | Template;
  /** Profile id, userId, or `kind:value` (`email:ana@example.com`). */
  profile: string;
  /** The trigger event the template sees as `event` / `trigger`. */
  event?: { name: string; properties: Record<string, unknown> } | undefined;
}

/** A rendered preview. */
export interface Preview {
  subject: string | null;
  html: string | null;
  text: string;
  from: string | null;
  replyTo: string | null;
}

async function latestDefinition(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
): Promise<JourneyDefinition> {
  const journey = await deps.store.journeys.get(workspaceId, journeyId);
  const row = journey
    ? await deps.store.journeys.getVersion(workspaceId, journeyId, journey.latestVersion)
    : null;
  if (!row)
    throw new AppError('not_found', `journey ${journeyId} not found`, [
      { path: 'id', message: 'no such journey' },
    ]);
  return row.definition;
}

/** Renders a template of a journey's latest version for a profile (see the module header). */
export async function previewTemplate(
  deps: AppDeps,
  workspaceId: string,
  journeyId: string,
  request: PreviewRequest,
): Promise<Preview> {
  const definition = await latestDefinition(deps, workspaceId, journeyId);
  const templateId = typeof request.template === 'string' ? request.template : 'inline';
  const template =
    typeof request.template === 'string'
      ? definition.templates[request.template]
      : request.template;
  if (!template)
    throw new AppError('not_found', `template "${templateId}" is not in journey ${journeyId}`, [
      {
        path: 'body.template',
        message: 'no such template',
        hint: `templates: ${Object.keys(definition.templates).join(', ') || 'none'}`,
      },
    ]);
  const profileId = await findProfileId(deps, workspaceId, request.profile);
  const profile = await deps.store.profiles.get(workspaceId, profileId);
  if (!profile) throw new AppError('not_found', `no profile ${request.profile}`);
  const workspaceZone = (await deps.store.workspaces.get(workspaceId))?.timezone ?? 'UTC';
  const event = request.event ?? null;
  try {
    const out = await renderTemplateContent(definition, template, {
      profile: { id: profile.id, traits: profile.traits },
      trigger: event,
      run: { id: 'preview', journeyId },
      message: { id: 'preview' },
      // A link that unsubscribes nobody: previews are opened by staff.
      unsubscribeUrl: `${deps.publicUrl}/u/preview`,
      // Form links that record nothing either (the page says the link is not valid).
      formUrl: (form) => `${deps.publicUrl}/f/preview-${encodeURIComponent(form)}`,
      timezone: resolveZone(
        profileZone(profile.traits, workspaceZone),
        definition.policies.timezone,
        workspaceZone,
      ),
      locale: recipientLocale(profile.traits),
      now: deps.clock.now(),
    });
    return {
      subject: out.subject ?? null,
      html: out.html ?? null,
      text: out.body,
      from: out.from ?? null,
      replyTo: out.replyTo ?? null,
    };
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    const variable = /undefined variable: ([^\s,]+)/.exec(err.message)?.[1];
    throw new AppError(
      'invalid_journey',
      `template "${templateId}" cannot be rendered for ${request.profile}: ${err.message}`,
      [
        {
          path: `templates.${templateId}.${err.field}`,
          message: err.message,
          code: variable ? 'undefined_variable' : 'render_failed',
          hint: variable
            ? `${variable} is missing for this profile or event; give it, or use \`| default: '…'\``
            : undefined,
        },
      ],
    );
  }
}
