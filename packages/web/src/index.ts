/**
 * @waymark/web: what the browser gets. Two halves, and nothing of the server in either:
 *
 * - `public/`: the pages customers and visitors see (hosted forms, unsubscribe pages, tracked
 *   links, the demo shop, the status page), pure functions from data to HTML; the server gathers
 *   the data and serves the result.
 * - `app/`: the operator app, a React single-page app built by Vite into `dist/`, which the
 *   server serves at `/` (`APP_DIST`).
 */
export { escapeHtml } from './public/html.ts';
export { statusPage, type StatusPageData } from './public/status-page.ts';
export {
  formNotFoundPage,
  formPage,
  formThanksPage,
  type FormPageData,
  type FormPageQuestion,
  type FormQuestionType,
  type FormThanksData,
} from './public/form-page.ts';
export {
  unsubscribeNotFoundPage,
  unsubscribePage,
  unsubscribedPage,
  type UnsubscribePageData,
} from './public/unsubscribe-page.ts';
export { LINK_NOT_FOUND_PAGE, redirectPage } from './public/link-page.ts';
export {
  DEMO_CATEGORIES,
  personalizationDemoPage,
  type DemoPageData,
} from './public/personalization-demo.ts';
export { APP_DIST, appMissingPage } from './app-dist.ts';
