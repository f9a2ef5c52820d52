/**
 * Liquid as the validator reads it: the same strictness as the server's renderer (an unknown
 * filter is an error now, not at send time), the variables a template may start from, and the
 * syntax error of a text, if any.
 */
import { Liquid } from 'liquidjs';
import { normaliseTemplateText } from './template-text.ts';

const liquid = new Liquid({ strictFilters: true });
// Filters the server's renderer adds (only their names matter for parsing).
liquid.registerFilter('money', (v: unknown) => v);
liquid.registerFilter('form_url', (v: unknown) => v);

/**
 * Variables a message template may start from: the profile, the trigger event (`event` and its
 * older name `trigger`), the run, the message, and the signed one-click unsubscribe link.
 */
export const TEMPLATE_ROOTS: readonly string[] = [
  'profile',
  'event',
  'trigger',
  'run',
  'message',
  'unsubscribe_url',
];

/** Roots of a template's global variables that are not in `TEMPLATE_ROOTS` (full paths). */
export function unknownVariables(text: string): string[] {
  try {
    return liquid
      .globalVariableSegmentsSync(normaliseTemplateText(text))
      .filter((segments) => !TEMPLATE_ROOTS.includes(String(segments[0])))
      .map((segments) => segments.map(String).join('.'));
  } catch {
    return []; // a syntax error is reported by `liquidError`
  }
}

/** The syntax error of a Liquid text, in words; undefined when it parses. */
export function liquidError(text: string): string | undefined {
  try {
    liquid.parse(normaliseTemplateText(text));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
