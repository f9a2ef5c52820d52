/**
 * Link tracking at render time: every `http(s)` link of a rendered email becomes a signed click
 * redirect `{publicUrl}/t/c/{token}`, and an open pixel `{publicUrl}/t/o/{token}.gif` goes in
 * before `</body>`. The links and their signed tokens are made by tracking.ts; this module only
 * decides which links of the content get them.
 *
 * Left as written: the unsubscribe link (and any `{publicUrl}/u/…` link), `mailto:`, `tel:` and
 * other schemes, anchors, links already pointing at `{publicUrl}/t/`, links marked
 * `data-waymark-notrack`, and URLs too long for a token in one path segment.
 *
 * Plain text (an SMS body) gets the same click redirects with `rewriteTextLinks`, when its
 * template asks for it: the `http(s)` URLs written in the text become `{publicUrl}/t/c/{token}`.
 */
import { linkRoot } from './base.ts';
import { clickUrl, openPixelUrl, type TrackedMessage } from './tracking.ts';

/** What tracking a rendered email needs: the message, and which links to put in. */
export interface EmailTracking extends TrackedMessage {
  /** Insert the open pixel (default true). */
  opens?: boolean | undefined;
  /** Rewrite links to click redirects (default true). */
  clicks?: boolean | undefined;
  /** The message's unsubscribe URL: never rewritten. */
  unsubscribeUrl?: string | undefined;
}

/** `href` attributes of `<a>` and `<area>` tags: the attribute's quote and value. */
const LINK = /(<(?:a|area)\b[^>]*?\s)(href)(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))([^>]*>)/gi;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the HTML character references of an attribute value (`&amp;` → `&`). */
export function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Whether a link (decoded) is one tracking leaves alone. */
function untracked(url: string, t: EmailTracking): boolean {
  if (!/^https?:\/\//i.test(url)) return true;
  const root = linkRoot(t.publicUrl);
  if (t.unsubscribeUrl !== undefined && url === t.unsubscribeUrl) return true;
  return url.startsWith(`${root}/u/`) || url.startsWith(`${root}/t/`);
}

/** Rewrites the links of rendered HTML to click redirects (see the module header). */
export function rewriteLinks(html: string, t: EmailTracking): string {
  let index = 0;
  return html.replace(
    LINK,
    (
      whole,
      open: string,
      attr: string,
      eq: string,
      dq?: string,
      sq?: string,
      bare?: string,
      rest?: string,
    ) => {
      const raw = dq ?? sq ?? bare ?? '';
      if (/\bdata-waymark-notrack\b/i.test(open + (rest ?? ''))) return whole;
      const url = decodeAttribute(raw).trim();
      if (untracked(url, t)) return whole;
      const tracked = clickUrl(t, url, index);
      if (tracked === null) return whole;
      index += 1;
      return `${open}${attr}${eq}"${tracked}"${rest ?? ''}`;
    },
  );
}

/** An `http(s)` URL in plain text: up to white space or a character no URL holds unescaped. */
const TEXT_URL = /https?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence rather than the URL written before it. */
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Rewrites the `http(s)` URLs of plain text (an SMS body) to click redirects, in order; trailing
 * punctuation (`…/pay/F-17.`) stays outside the link. The same links as in HTML are left alone.
 */
export function rewriteTextLinks(text: string, t: EmailTracking): string {
  let index = 0;
  return text.replace(TEXT_URL, (found: string) => {
    const tail = TRAILING.exec(found)?.[0] ?? '';
    const url = found.slice(0, found.length - tail.length);
    if (untracked(url, t)) return found;
    const tracked = clickUrl(t, url, index);
    if (tracked === null) return found;
    index += 1;
    return `${tracked}${tail}`;
  });
}

/** Puts the open pixel before the last `</body>` (at the end when there is none). */
export function insertPixel(html: string, t: EmailTracking): string {
  const img = `<img src="${openPixelUrl(t)}" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0">`;
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at === -1 ? `${html}${img}` : `${html.slice(0, at)}${img}${html.slice(at)}`;
}

/** Applies click and open tracking to a rendered email's HTML as `t` asks. */
export function trackEmailHtml(html: string, t: EmailTracking): string {
  let out = html;
  if (t.clicks !== false) out = rewriteLinks(out, t);
  if (t.opens !== false) out = insertPixel(out, t);
  return out;
}
