// The demo shop in a real browser (Debian's Chromium through playwright-core): a served Waymark
// with its worker running and the scenario 9 journeys published; viewing the shoes category
// three times makes the shoes banner appear, a low survey score makes the live-chat offer
// appear. Screenshots go to the OS temp dir (their paths are printed) to look at.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { configFromEnv } from '../config.ts';
import { createWaymark, type Waymark } from '../waymark.ts';
import { SCENARIO_JOURNEYS } from './personalize.fixtures.ts';
import { startHttp, type RunningHttp } from './server.ts';
import { testDatabaseUrls, TEST_ADMIN_TOKEN, TEST_WRITE_KEY } from './testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run this test`;

describe('personalisation demo in Chromium', { skip: missing }, () => {
  const [backend] = testDatabaseUrls();
  let waymark: Waymark;
  let http: RunningHttp;
  let browser: Browser;
  let drop: () => Promise<void>;

  before(async () => {
    const db = await backend!.create();
    drop = db.drop;
    waymark = await createWaymark(
      configFromEnv(
        {},
        {
          databaseUrl: db.url,
          writeKey: TEST_WRITE_KEY,
          adminToken: TEST_ADMIN_TOKEN,
          role: 'all',
        },
      ),
      { pollMs: 50 },
    );
    waymark.worker.start();
    http = await startHttp(waymark, { port: 0, host: '127.0.0.1' });
    for (const j of SCENARIO_JOURNEYS) {
      const res = await fetch(`${http.address}/api/journeys/${j.id}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'content-type': 'application/yaml',
        },
        body: j.yaml,
      });
      assert.equal(res.status, 200, await res.text());
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await http?.close();
    await waymark?.close();
    await drop?.();
  });

  it('shows the shoes banner after three views of shoes, and live chat after a low score', async () => {
    const page = await browser.newPage();
    const shop = (category: string) =>
      `${http.address}/demo?writeKey=${TEST_WRITE_KEY}&category=${category}`;
    const banner = page.locator('#shoes-banner');
    const chat = page.locator('#live-chat');
    const interests = page.locator('#interests');
    /** Waits until the page lists `text` among its interests (the answer came back). */
    const shown = (text: string) =>
      page.waitForFunction(
        `(document.querySelector('#interests').textContent || '').includes(${JSON.stringify(text)})`,
      );

    await page.goto(shop('shoes'));
    // The page's own view is counted and shown back, but one view shows no banner.
    await shown('shoes 1');
    assert.equal(await banner.isVisible(), false);
    await page.goto(shop('bags'));
    await shown('bags 1');
    await page.goto(shop('shoes'));
    await shown('shoes 2');
    assert.equal(await banner.isVisible(), false);
    const before = join(tmpdir(), 'waymark-personalize-before.png');
    await page.screenshot({ path: before, fullPage: true });

    // The third view of shoes: the banner appears on the page without a reload.
    await page.goto(shop('shoes'));
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await banner.innerText(), /Shoes week/);
    assert.match(await interests.innerText(), /shoes 3/);
    assert.equal(await chat.isVisible(), false);
    const shoes = join(tmpdir(), 'waymark-personalize-shoes.png');
    await page.screenshot({ path: shoes, fullPage: true });

    // A survey score of 1: the live-chat offer appears.
    await page.locator('[data-score="1"]').click();
    await chat.waitFor({ state: 'visible', timeout: 15_000 });
    const both = join(tmpdir(), 'waymark-personalize-live-chat.png');
    await page.screenshot({ path: both, fullPage: true });
    console.log(`screenshots: ${before}, ${shoes}, ${both}`);

    // The same visitor, as the server sees it.
    const anonymousId = String(await page.evaluate('window.waymark.anonymousId()'));
    const res = await fetch(`${http.address}/v1/personalize?anonymousId=${anonymousId}`, {
      headers: { authorization: `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}` },
    });
    const body = (await res.json()) as { lists: string[]; flags: Record<string, unknown> };
    assert.deepEqual(body.lists, ['high-touch', 'interest-shoes']);
    assert.deepEqual(body.flags, { show_shoes_banner: true, offer_live_chat: true });
  });
});
