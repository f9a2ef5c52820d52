/**
 * http/ owns the HTTP edge: the Segment-compatible tracking API (`/v1/*`), the admin API
 * (`/api/*`), the OpenAPI document generated from the same route table, and the status page.
 * It goes through app/ (use-cases) and the composition root, never storage/ (enforced by lint).
 */
export { buildHttp, startHttp, type RunningHttp } from './server.ts';
