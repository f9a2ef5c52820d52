/**
 * Regular expressions of the condition language (`matches`, reply `pattern`): written plain
 * (`^slides`), as a literal with flags (`/^slides/i`), or with a leading inline flag group as in
 * PCRE (`(?i)^slides`, `^(?i)slides`), which JavaScript lacks. One parser for validation and
 * evaluation, so a journey that validates evaluates the same regex.
 */

/** Flags the language accepts. */
const FLAGS = 'imsu';

/** Source and flags of a condition regex, before compiling. */
function parts(text: string, extraFlags: string): { source: string; flags: string } {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(text);
  let source = literal?.[1] ?? text;
  let flags = `${literal?.[2] ?? ''}${extraFlags}`;
  const inline = /^(\^?)\(\?([a-z]+)\)/.exec(source);
  if (inline) {
    flags += inline[2];
    source = inline[1]! + source.slice(inline[0].length);
  }
  return { source, flags: [...new Set(flags)].filter((f) => FLAGS.includes(f)).join('') };
}

/** Why `text` is not a usable regex (an unknown flag, a syntax error), or null when it is. */
export function regexError(text: string): string | null {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(text);
  const inline = /^\^?\(\?([a-z]+)\)/.exec(literal?.[1] ?? text);
  const bad = [...`${literal?.[2] ?? ''}${inline?.[1] ?? ''}`].filter((f) => !FLAGS.includes(f));
  if (bad.length) return `unknown regex flag ${bad.join('')}; flags: i, m, s, u`;
  const { source, flags } = parts(text, '');
  try {
    new RegExp(source, flags);
    return null;
  } catch (err) {
    return (err as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

const cache = new Map<string, RegExp | null>();

/** Compiles a condition regex (cached); null when it is not valid. */
export function compileRegex(text: string, extraFlags = ''): RegExp | null {
  const key = `${extraFlags}\u0001${text}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const { source, flags } = parts(text, extraFlags);
  let compiled: RegExp | null;
  try {
    compiled = new RegExp(source, flags);
  } catch {
    compiled = null;
  }
  if (cache.size >= 1000) cache.clear();
  cache.set(key, compiled);
  return compiled;
}
