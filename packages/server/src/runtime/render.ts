/**
 * Renders message templates with LiquidJS against the run's scope (profile, trigger event, run).
 * The seed articles' `[[[customer_name]]]` placeholders are accepted too.
 */
import { normaliseTemplateText, type JourneyDefinition, type Template } from '@waymark/core';
import { Liquid } from 'liquidjs';

const liquid = new Liquid({ cache: 1000, strictFilters: true });

/** Variables a template can use. */
export interface RenderScope {
  profile: { id: string; traits: Record<string, unknown> };
  trigger: { name: string; properties: Record<string, unknown> } | null;
  run: { id: string; journeyId: string; variant?: string | undefined };
}

/** Rendered content of a message. */
export interface RenderedContent {
  subject?: string;
  body: string;
  html?: string;
}

function render(text: string, scope: RenderScope): string {
  return liquid.parseAndRenderSync(normaliseTemplateText(text), { ...scope, event: scope.trigger });
}

/** Renders a template of the journey; throws when the template is missing or does not render. */
export function renderTemplate(
  definition: JourneyDefinition,
  templateId: string,
  scope: RenderScope,
): RenderedContent {
  const template: Template | undefined = definition.templates[templateId];
  if (!template)
    throw new Error(`template "${templateId}" is not defined in journey ${definition.id}`);
  const out: RenderedContent = { body: render(template.body, scope) };
  if (template.subject !== undefined) out.subject = render(template.subject, scope);
  if (template.html !== undefined) out.html = render(template.html, scope);
  return out;
}
