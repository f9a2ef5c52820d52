// Template text conventions: the seed article's `[[[customer_name]]]` placeholders are rewritten
// to Liquid (`{{ profile.traits.customer_name }}`) before templates are validated or rendered.

const PLACEHOLDER = /\[\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\]/g;
const LIQUID_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Rewrites `[[[name]]]` placeholders to `{{ profile.traits.name }}`; other text is unchanged. */
export function normaliseTemplateText(text: string): string {
  return text.replace(PLACEHOLDER, (_match, name: string) =>
    LIQUID_IDENTIFIER.test(name)
      ? `{{ profile.traits.${name} }}`
      : `{{ profile.traits["${name}"] }}`,
  );
}
