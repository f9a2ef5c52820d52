/**
 * http/ owns the HTTP edge: the Segment-compatible tracking API (`/v1/*`), the admin API
 * (`/api/*`), the OpenAPI document generated from the same route table, the operator app (the
 * built @waymark/web app at `/`) and the pages of @waymark/web (status page, forms, unsubscribe).
 * It goes through app/ (use-cases) and the composition root, never storage/ (enforced by lint).
 */
export { buildHttp, startHttp, type RunningHttp } from './server.ts';
