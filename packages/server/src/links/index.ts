/**
 * links/ owns every signed link the server puts in a message or a page and reads back when it is
 * followed: form links (`/f/…`), one-click unsubscribe links (`/u/…`), and the open pixel and
 * click redirects of tracking (`/t/o/…`, `/t/c/…`), and the rewriting that puts tracking links
 * into rendered content (rewrite.ts). Each kind signs its own payload for its own
 * purpose (secrets.ts derives a key per purpose), so a token of one kind never reads as another.
 *
 * The token formats are a promise to links already sent: change a payload's keys or a purpose
 * and the links in people's inboxes stop working. links.test.ts pins them byte for byte.
 *
 * Imports only core, secrets.ts and node (and zod): the runtime (which makes links when it
 * renders) and app/ (which reads them when they come back) both depend on it, not on each other.
 */
export { linkRoot } from './base.ts';
export {
  FORM_TOKEN_PURPOSE,
  formUrl,
  readFormToken,
  type FormLinkTarget,
  type FormToken,
  type OneClickAnswer,
} from './form.ts';
export {
  CLICK_PURPOSE,
  OPEN_PURPOSE,
  clickUrl,
  openPixelUrl,
  readClickToken,
  readOpenToken,
  type ClickToken,
  type OpenToken,
  type TrackedMessage,
} from './tracking.ts';
export {
  decodeAttribute,
  insertPixel,
  rewriteLinks,
  rewriteTextLinks,
  trackEmailHtml,
  type EmailTracking,
} from './rewrite.ts';
export {
  UNSUBSCRIBE_PURPOSE,
  readUnsubscribeToken,
  unsubscribeUrl,
  type UnsubscribeTarget,
  type UnsubscribeToken,
} from './unsubscribe.ts';
