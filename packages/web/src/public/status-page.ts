/**
 * The status page served at `/status` (the operator app has `/`): version, journeys by status,
 * the API's entry points and a quick start with the server's own address filled in.
 */
import { escapeHtml } from './html.ts';

/** What the status page shows. */
export interface StatusPageData {
  /** The server's version. */
  version: string;
  /** The address this page was requested at (`http://127.0.0.1:3000`), for the examples. */
  base: string;
  /** Journeys of the default workspace by status (`live`, `draft`, `paused`, …). */
  journeys: Record<string, number>;
}

/** Renders the status page as a complete HTML document. */
export function statusPage(data: StatusPageData): string {
  const base = escapeHtml(data.base);
  const journeys = Object.entries(data.journeys)
    .map(([status, n]) => `<li><strong>${n}</strong> ${escapeHtml(status)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Waymark</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #1d2330; }
  h1 { margin-bottom: 0; } .muted { color: #667085; margin-top: 0; }
  pre { background: #f4f5f7; padding: .8rem 1rem; border-radius: 6px; overflow-x: auto; font-size: 14px; }
  ul { padding-left: 1.2rem; } a { color: #2557d6; }
</style>
</head>
<body>
<h1>Waymark</h1>
<p class="muted">customer-journey engine · version ${escapeHtml(data.version)} · running</p>
<h2>Journeys</h2>
${journeys ? `<ul>${journeys}</ul>` : '<p>No journeys yet: apply one with <code>waymark journeys apply &lt;file&gt;</code>.</p>'}
<h2>API</h2>
<ul>
  <li><a href="/api/openapi.json">/api/openapi.json</a> — OpenAPI document of every route</li>
  <li><code>/v1/*</code> — Segment HTTP tracking API (write key as HTTP Basic user name)</li>
  <li><code>/api/*</code> — admin API (<code>Authorization: Bearer &lt;admin token&gt;</code>)</li>
  <li><a href="/healthz">/healthz</a></li>
</ul>
<h2>Quick start</h2>
<p>Send an event (the write key was printed at first start, or set <code>WAYMARK_WRITE_KEY</code>):</p>
<pre>curl -u "$WAYMARK_WRITE_KEY:" ${base}/v1/track \\
  -H 'content-type: application/json' \\
  -d '{"userId": "user-1", "event": "Signed Up", "properties": {"plan": "pro"}}'</pre>
<p>Then look at the profile and its events:</p>
<pre>curl -H "Authorization: Bearer $WAYMARK_ADMIN_TOKEN" ${base}/api/profiles/user-1
curl -H "Authorization: Bearer $WAYMARK_ADMIN_TOKEN" ${base}/api/profiles/user-1/events</pre>
</body>
</html>
`;
}
