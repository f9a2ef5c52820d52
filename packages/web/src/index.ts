/**
 * @waymark/web: the pages people see. Pure functions from data to HTML, with no I/O and nothing
 * of the server: the server gathers the data and serves the result.
 */
export { escapeHtml } from './html.ts';
export { statusPage, type StatusPageData } from './status-page.ts';
export {
  formNotFoundPage,
  formPage,
  formThanksPage,
  type FormPageData,
  type FormPageQuestion,
  type FormQuestionType,
  type FormThanksData,
} from './form-page.ts';
export {
  DEMO_CATEGORIES,
  personalizationDemoPage,
  type DemoPageData,
} from './personalization-demo.ts';
