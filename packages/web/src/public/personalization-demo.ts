/**
 * The personalisation demo (`GET /demo`): a tiny shop whose pages send their views through
 * `/waymark.js` and change with the answer of `/v1/personalize` — a shoes banner after three
 * views of the shoes category within 7 days, a live-chat offer after a low survey score (the
 * journeys of `examples/journeys/interest-*.yaml` and `low-score-live-chat.yaml`).
 */
import { escapeHtml } from './html.ts';

/** Categories of the demo shop. */
export const DEMO_CATEGORIES = ['shoes', 'bags', 'hats'] as const;

/** What the demo page shows. */
export interface DemoPageData {
  /** The category this page shows, or null for the home page. */
  category: string | null;
  /** The write key the page's script tag carries; null shows how to pass one. */
  writeKey: string | null;
}

/** The demo shop page. */
export function personalizationDemoPage(d: DemoPageData): string {
  const title = d.category ? `Waymark shop: ${d.category}` : 'Waymark shop';
  const nav = DEMO_CATEGORIES.map(
    (c) =>
      `<a href="?writeKey=${encodeURIComponent(d.writeKey ?? '')}&amp;category=${c}" data-category="${c}">${c}</a>`,
  ).join(' · ');
  const script = d.writeKey
    ? `<script src="/waymark.js" data-write-key="${escapeHtml(d.writeKey)}"></script>`
    : '';
  const body = d.writeKey
    ? `<nav>${nav}</nav>
<div id="shoes-banner" class="banner" data-waymark-show-if="flag:show_shoes_banner" hidden>
  <strong>Shoes week</strong>: you keep coming back to shoes — 20% off every pair today.
</div>
<div id="live-chat" class="banner chat" data-waymark-show-if="flag:offer_live_chat" hidden>
  Sorry we let you down. <button type="button">Chat with us now</button> or call 0800 123 456.
</div>
<main>
  <h1>${escapeHtml(d.category ? `Our ${d.category}` : 'Welcome')}</h1>
  <p>${d.category ? `Browse our ${escapeHtml(d.category)}.` : 'Pick a category above.'}</p>
  <section id="survey">
    <p>How was your last order? (1 = bad, 5 = great)</p>
    ${[1, 2, 3, 4, 5].map((n) => `<button type="button" data-score="${n}">${n}</button>`).join(' ')}
  </section>
  <p class="small">Interests: <span id="interests">…</span></p>
</main>
<script>
  document.querySelectorAll('[data-score]').forEach(function (b) {
    b.addEventListener('click', function () {
      window.waymark.track('survey_answered', { score: Number(b.getAttribute('data-score')) });
    });
  });
  document.addEventListener('waymark:personalized', function (e) {
    var names = e.detail.interests.map(function (i) { return i.name + ' ' + i.score; });
    document.getElementById('interests').textContent = names.join(', ') || 'none yet';
  });
</script>`
    : `<main><h1>Waymark personalisation demo</h1>
<p>Open this page with your workspace's write key: <code>/demo?writeKey=wk_…</code>, publish the
journeys <code>examples/journeys/interest-personalisation.yaml</code> and
<code>examples/journeys/low-score-live-chat.yaml</code>, then view the shoes category three times.</p></main>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${d.category ? `<meta name="waymark:category" content="${escapeHtml(d.category)}">` : ''}
<title>${escapeHtml(title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; padding: 0 1rem; }
  nav a { margin-right: .5rem; text-transform: capitalize; }
  .banner { padding: 1rem; border-radius: .5rem; margin: 1rem 0; background: #ffe9a8; }
  .chat { background: #d8ecff; }
  .small { color: #666; font-size: .875rem; }
</style>
${script}
</head>
<body>
${body}
</body>
</html>
`;
}
