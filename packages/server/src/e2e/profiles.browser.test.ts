// The profiles pages in a real browser (Chromium through playwright-core): a customer abandons a
// basket (events through the Segment API), the admin finds them by email, reads on their profile
// why their run waits — in the customer's own time zone — sees the email in their timeline, and
// takes them off the journey, after which the run reads as exited. Screenshots go to .artifacts/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { basicAuth, TEST_ADMIN_TOKEN, TEST_WRITE_KEY } from '../http/testing.ts';
import {
  ARTIFACTS,
  chromiumMissing,
  signInAsFirstAdmin,
  startServedApp,
  type ServedApp,
} from './browser-kit.ts';
import { basketRetargeting } from '../testing/journeys.ts';

const shot = (name: string) => join(ARTIFACTS, `profiles-${name}.png`);

const basket = basketRetargeting();

async function call(app: ServedApp, path: string, body: unknown, auth: string): Promise<void> {
  const res = await fetch(`${app.http.address}${path}`, {
    method: path.startsWith('/api/journeys/') ? 'PUT' : 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `${path}: ${res.status} ${await res.text()}`);
}

describe('the profiles pages in Chromium', { skip: chromiumMissing }, () => {
  let app: ServedApp;
  let page: Page;
  const errors: string[] = [];
  before(async () => {
    app = await startServedApp();
    page = await (await app.browser.newContext()).newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await call(app, '/api/journeys/basket', basket, `Bearer ${TEST_ADMIN_TOKEN}`);
    const segment = basicAuth(TEST_WRITE_KEY);
    await call(
      app,
      '/v1/identify',
      {
        userId: 'ana',
        traits: { email: 'ana@example.com', first_name: 'Ana', timezone: 'Europe/Lisbon' },
      },
      segment,
    );
    await call(app, '/v1/track', { userId: 'ana', event: 'cart_abandoned' }, segment);
    await app.waymark.worker.drain();
  });
  after(async () => {
    await app?.close();
  });

  it('finds a customer, says why their run waits, and takes them off the journey', async () => {
    await signInAsFirstAdmin(app, page);
    await page.getByRole('link', { name: 'Profiles' }).click();
    await page.getByRole('heading', { name: 'Profiles' }).waitFor();
    await page.getByLabel('Find a profile by id, email or phone').fill('ANA@example.com');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: 'Ana' }).click();
    await page.getByRole('heading', { name: 'Ana', level: 1 }).waitFor();

    const where = page.locator('.run .where');
    await where.waitFor();
    assert.match(await where.innerText(), /waiting for .*opened.*Europe\/Lisbon/);
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText('Your basket is waiting').waitFor();
    await timeline.getByText('cart_abandoned').waitFor();
    await page.screenshot({ path: shot('1-waiting'), fullPage: true });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Take Ana off basket' }).click();
    await page.locator('.run .badge', { hasText: 'Exited' }).waitFor();
    assert.match(await where.innerText(), /cancelled: removed by ana@shop\.example/);
    await page.screenshot({ path: shot('2-cancelled'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});
