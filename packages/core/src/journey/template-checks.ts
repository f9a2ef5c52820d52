/**
 * Checks of the templates: the document's own parse as Liquid, use only known variables, have a
 * body and valid sender addresses; and every template a node uses (as its kind says,
 * `NodeKind.templatesOf`) exists in the journey or the workspace and is for the node's channel.
 */
import { nodeKindNamed } from '../nodes/registry.ts';
import { issue, nodeIssue, type Sink, type ValidateOptions } from './issues.ts';
import { liquidError, TEMPLATE_ROOTS, unknownVariables } from './liquid.ts';
import { Template } from './template.ts';
import { isRecord, rawType, suggest } from './words.ts';

// `Name <addr@domain>` or `addr@domain`.
const EMAIL_ADDRESS =
  /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

/** Reports a sender or Reply-To that is not an email address. */
export function checkAddress(value: unknown, path: string, sink: Sink): void {
  if (typeof value !== 'string' || EMAIL_ADDRESS.test(value.trim())) return;
  sink.error(
    issue(
      path,
      'invalid_address',
      `"${value}" is not an email address`,
      'write "addr@example.com" or "Name <addr@example.com>"',
    ),
  );
}

/** Checks the document's templates and the templates its nodes use. */
export function checkTemplates(
  rawTemplates: unknown,
  nodes: Map<string, Record<string, unknown>>,
  opts: ValidateOptions,
  sink: Sink,
): void {
  const templates = isRecord(rawTemplates) ? rawTemplates : {};
  const known = new Set(opts.knownTemplates ?? []);
  const ids = [...Object.keys(templates), ...known];
  for (const [id, template] of Object.entries(templates)) {
    if (!isRecord(template)) continue;
    for (const field of ['subject', 'body', 'html']) {
      const text = template[field];
      if (typeof text !== 'string') continue;
      const error = liquidError(text);
      if (error !== undefined) {
        sink.error(
          issue(
            `templates.${id}.${field}`,
            'template_syntax',
            `template "${id}" ${field}: ${error}`,
          ),
        );
      }
      for (const variable of new Set(unknownVariables(text))) {
        sink.error(
          issue(
            `templates.${id}.${field}`,
            'unknown_variable',
            `template "${id}" ${field}: unknown variable "${variable}"`,
            `variables start from ${TEMPLATE_ROOTS.join(', ')} (e.g. profile.traits.${variable.split('.').pop()})`,
          ),
        );
      }
    }
    if (typeof template['body'] !== 'string' && typeof template['html'] !== 'string') {
      sink.error(
        issue(
          `templates.${id}.body`,
          'missing_body',
          `template "${id}" has no body`,
          'add `body` (the text); an email may give `html` instead',
        ),
      );
    }
    checkAddress(template['from'], `templates.${id}.from`, sink);
    checkAddress(template['replyTo'], `templates.${id}.replyTo`, sink);
  }
  for (const [id, node] of nodes) {
    for (const use of nodeKindNamed(rawType(node))?.templatesOf(node) ?? []) {
      const own = templates[use.template];
      if (own === undefined && !known.has(use.template)) {
        sink.error(
          nodeIssue(
            id,
            use.field,
            'unknown_template',
            `template "${use.template}" does not exist in this journey or the workspace`,
            suggest(use.template, ids, 'existing templates') ?? 'add it under `templates:`',
          ),
        );
        continue;
      }
      // A channel the schema rejected is reported there; compare only valid ones.
      const wanted = Template.safeParse(own).data?.channel;
      const channel = use.channel;
      if (wanted !== undefined && channel !== undefined && wanted !== channel) {
        sink.error(
          nodeIssue(
            id,
            use.field,
            'unknown_template',
            `template "${use.template}" is for ${wanted}, but ${use.by} ${channel}`,
            `use a ${channel} template, or set the template's channel to ${channel}`,
          ),
        );
      }
    }
  }
}
