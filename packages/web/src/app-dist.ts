/**
 * Where the operator app's build is (`vite build` writes it; the server serves it), and the page
 * the server answers instead when a checkout was never built. No I/O here: the server reads it.
 */

/** The folder of the built operator app (`packages/web/dist/`), as a file URL. */
export const APP_DIST: URL = new URL('../dist/', import.meta.url);

/** The page at `/` when `dist/` is missing: how to build the app. */
export function appMissingPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Waymark: the app is not built</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1d2330; }
  pre { background: #f4f5f7; padding: .8rem 1rem; border-radius: 6px; font-size: 14px; }
  a { color: #2557d6; }
</style>
</head>
<body>
<main>
<h1>The operator app is not built</h1>
<p>This checkout has no <code>packages/web/dist/</code>. <code>npm ci</code> builds it; to build it by hand, run:</p>
<pre>npm run build -w @waymark/web</pre>
<p>and reload this page. The API is running: see the <a href="/status">status page</a>.</p>
</main>
</body>
</html>
`;
}
