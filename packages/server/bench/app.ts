/**
 * The operator app stage of `npm run bench` (BENCH_ONLY=app), in Debian's Chromium:
 * 1. the built bundle: every asset of packages/web/dist, raw and gzip;
 * 2. first screen: from navigation to the sign-in form being usable (its email field enabled),
 *    cold (a fresh browser context each time) and warm (the same context again), median of 5;
 *    target under 1 s on localhost;
 * 3. a 200-node journey (BENCH_APP_NODES) in the editor: from navigation to every node on the
 *    canvas, cold (a fresh browser context) and warm (opened again, the app's chunks cached;
 *    target under 1 s), then frames per second while the canvas is panned by the mouse for 2 s,
 *    timed with requestAnimationFrame in the page (target at least 50).
 * The editor part runs when the app has one (`/journeys/:id` shows a React Flow canvas).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { firstStartLink } from '../src/app/setup.ts';
import { configFromEnv } from '../src/config.ts';
import { startHttp } from '../src/http/index.ts';
import { ensureAppBuilt } from '../src/testing/app-build.ts';
import { createWaymark } from '../src/waymark.ts';

const NODES = Number(process.env.BENCH_APP_NODES ?? 200);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const PASSWORD = 'bench password 1234';

/** What the app stage measured. */
export interface AppBench {
  assets: Array<{ file: string; bytes: number; gzip: number }>;
  coldMs: number;
  warmMs: number;
  /** Opening cold (a fresh browser context) and warm (the app's chunks cached). */
  editor: { openMs: number; warmOpenMs: number; fps: number; nodes: number } | null;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A journey of `n` nodes: sends and waits in a line, then an exit. */
function longJourney(n: number): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  for (let i = 0; i < n - 1; i += 1) {
    const next = i === n - 2 ? 'done' : `n${i + 1}`;
    nodes[`n${i}`] =
      i % 2 === 0
        ? { type: 'send', channel: 'email', template: 'mail', next }
        : { type: 'wait', duration: 'PT1H', next };
  }
  nodes.done = { type: 'exit' };
  return {
    schemaVersion: 1,
    id: 'long',
    name: `${n} nodes`,
    trigger: { type: 'event', event: 'go' },
    start: 'n0',
    nodes,
    templates: { mail: { channel: 'email', subject: 'Hi', html: '<p>Hi</p>' } },
  };
}

/** Milliseconds from navigation to the sign-in form being usable. */
async function firstScreen(page: Page, url: string): Promise<number> {
  const t0 = performance.now();
  await page.goto(`${url}/sign-in`, { waitUntil: 'commit' });
  await page.locator('input[type="email"]:enabled').waitFor({ state: 'visible' });
  return performance.now() - t0;
}

/** Opens the long journey in the editor and pans it; null when the app has no canvas there. */
async function editor(
  browser: Browser,
  url: string,
  setupUrl: string,
): Promise<AppBench['editor']> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const token = setupUrl.split('/setup/')[1]!;
  const made = await page.request.post(`${url}/api/setup`, {
    data: { token, email: 'bench@example.com', name: 'Bench', password: PASSWORD },
  });
  if (!made.ok()) throw new Error(`setup failed: ${made.status()} ${await made.text()}`);
  const session = (await made.json()) as { csrfToken: string; workspaces: Array<{ id: string }> };
  const saved = await page.request.put(`${url}/api/journeys/long/draft`, {
    headers: { 'x-csrf-token': session.csrfToken },
    data: { document: longJourney(NODES), layout: {}, baseRevision: 0 },
  });
  if (!saved.ok()) throw new Error(`draft save failed: ${saved.status()} ${await saved.text()}`);
  const t0 = performance.now();
  await page.goto(`${url}/journeys/long`, { waitUntil: 'commit' });
  const canvas = page.locator('.react-flow__node');
  try {
    await page.waitForFunction(
      `document.querySelectorAll('.react-flow__node').length >= ${NODES}`,
      undefined,
      { timeout: 15_000 },
    );
  } catch {
    await context.close();
    return null;
  }
  const openMs = performance.now() - t0;
  const nodes = await canvas.count();
  // Again, as a user opening it a second time does: the app's chunks are in the browser's cache.
  await page.goto(`${url}/journeys`);
  await page.getByRole('heading', { name: 'Journeys' }).waitFor();
  const t1 = performance.now();
  await page.goto(`${url}/journeys/long`, { waitUntil: 'commit' });
  await page.waitForFunction(
    `document.querySelectorAll('.react-flow__node').length >= ${NODES}`,
    undefined,
    { timeout: 15_000 },
  );
  const warmOpenMs = performance.now() - t1;
  const pane = page.locator('.react-flow__pane');
  const box = (await pane.boundingBox())!;
  // Page scripts as text: the bench runs under tsx, whose helpers do not exist in the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__on = true;
    const tick = (t) => {
      if (!window.__on) return;
      window.__frames.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);

  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const start = performance.now();
  for (let i = 0; performance.now() - start < 2_000; i += 1) {
    await page.mouse.move(cx + 200 * Math.sin(i / 10), cy + 120 * Math.cos(i / 10));
  }
  await page.mouse.up();
  const frames = (await page.evaluate(
    '(() => { window.__on = false; return window.__frames; })()',
  )) as number[];

  await context.close();
  const span = (frames.at(-1)! - frames[0]!) / 1000;
  return { openMs, warmOpenMs, fps: (frames.length - 1) / span, nodes };
}

/** Measures the operator app (see the module header). */
export async function benchApp(): Promise<AppBench> {
  const dist = ensureAppBuilt();
  const assetsDir = join(dist, 'assets');
  const assets = readdirSync(assetsDir)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((file) => {
      const body = readFileSync(join(assetsDir, file));
      return { file, bytes: body.length, gzip: gzipSync(body).length };
    })
    .sort((a, b) => b.gzip - a.gzip);

  const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-app-'));
  const wm = await createWaymark(
    configFromEnv({}, { databaseUrl: `sqlite:${join(dir, 'bench.db')}`, role: 'all' }),
  );
  const http = await startHttp(wm, { port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  try {
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      cold.push(await firstScreen(page, http.address));
      warm.push(await firstScreen(page, http.address));
      await context.close();
    }
    const setupUrl = await firstStartLink(wm.deps);
    const edited = setupUrl ? await editor(browser, http.address, setupUrl) : null;
    return { assets, coldMs: median(cold), warmMs: median(warm), editor: edited };
  } finally {
    await browser.close();
    await http.close();
    await wm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
