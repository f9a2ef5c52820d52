/**
 * The pages of an email's tracked links (`/t/c/{token}`): the body of the click redirect (a link
 * to follow for clients that do not follow a 302) and the page of a link that is not valid.
 */
import { escapeHtml } from './html.ts';

/** The page of a tracked link that is forged or altered. */
export const LINK_NOT_FOUND_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Link not valid</title></head>
<body style="font: 18px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem">
<h1>This link is not valid</h1><p>It may be incomplete: open it again from the email you received.</p>
</body>
</html>
`;

/** The body of a redirect to `url`: one link to it. */
export function redirectPage(url: string): string {
  return `<!doctype html><a href="${escapeHtml(url)}">Continue</a>\n`;
}
