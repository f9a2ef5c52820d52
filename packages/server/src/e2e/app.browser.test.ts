// The operator app in a real browser (Debian's Chromium through playwright-core): a served
// Waymark on a fresh SQLite store, with the demo workspace loaded, serving the built app
// (built here once when the checkout has no packages/web/dist/). Nobody signed in: `/` opens the
// app on its sign-in page, and `/status` is still the server's status page. With the access API
// mounted, a setup link creates the first admin, who lands on the journeys, chooses the demo
// workspace, sees its journeys, pauses one and signs out and in again; a viewer set up by a
// password link sees no edit buttons, and too many wrong passwords say how long to wait.
// Screenshots go to .artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ARTIFACTS,
  addDemoUser,
  chromiumMissing,
  setupToken,
  startServedApp,
  type ServedApp,
} from './browser-kit.ts';

describe('the operator app in Chromium', { skip: chromiumMissing }, () => {
  let app: ServedApp;
  const shot = (name: string) => join(ARTIFACTS, `app-${name}.png`);

  before(async () => {
    app = await startServedApp();
  });
  after(async () => {
    await app?.close();
  });
  const address = () => app.http.address;

  it('opens on the sign-in page when nobody is signed in, and /status is the status page', async () => {
    const page = await app.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${address()}/journeys`);
    await page.waitForURL(/\/sign-in\?next=%2Fjourneys$/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.title(), 'Sign in · Waymark');
    // Labelled fields, reachable from the keyboard in order.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.name'), 'email');
    assert.ok(await page.getByLabel('Email').isVisible());
    assert.ok(await page.getByLabel('Password').isVisible());
    await page.screenshot({ path: shot('sign-in'), fullPage: true });

    await page.goto(`${address()}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${address()}/status`);
    assert.equal(await page.title(), 'Waymark');
    assert.match(await page.locator('body').innerText(), /customer-journey engine · version/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a setup link creates the first admin, who sees the demo journeys', async () => {
    const token = await setupToken(app);
    const page = await app.browser.newPage();
    await page.goto(`${address()}/setup/${token}`);
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    await page.getByLabel('Email').fill('ana@shop.example');
    await page.getByLabel('Name').fill('Ana Lima');
    await page.getByLabel('Password', { exact: true }).fill('a long and careful passphrase');
    await page.getByLabel('Password again').fill('a long and careful passphrase');
    await page.screenshot({ path: shot('setup'), fullPage: true });
    await page.getByRole('button', { name: 'Create and sign in' }).click();

    await page.waitForURL(/\/journeys$/);
    await page.getByRole('heading', { name: 'Journeys' }).waitFor();
    // The first admin is admin of every workspace: choose the demo one.
    await page.getByRole('button', { name: /^Workspace: / }).click();
    await page.getByRole('menuitemradio', { name: /Demo/ }).click();
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    const table = await page.locator('table').innerText();
    assert.match(table, /Basket/i);
    assert.ok((await rows.count()) >= 5, `${await rows.count()} demo journeys`);
    // An admin may pause a live journey.
    assert.ok((await page.getByRole('button', { name: /^Pause / }).count()) > 0);
    await page.screenshot({ path: shot('journeys'), fullPage: true });

    // Pausing and resuming are writes: they carry the session's CSRF token and the workspace.
    const basket = page.getByRole('row', { name: /Basket retargeting/ });
    await basket.getByRole('button', { name: 'Pause Basket retargeting' }).click();
    await basket.getByText('Paused', { exact: true }).waitFor();
    await basket.getByRole('button', { name: 'Resume Basket retargeting' }).click();
    await basket.getByText('Live', { exact: true }).waitFor();

    // Signing out, a wrong password, then back to where the user was going.
    await page.getByRole('button', { name: /^Account: Ana Lima/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${address()}/journeys`);
    await page.waitForURL(/\/sign-in\?next=%2Fjourneys$/);
    await page.getByLabel('Email').fill('ana@shop.example');
    await page.getByLabel('Password').fill('not the passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /do not match/);
    await page.screenshot({ path: shot('sign-in-error'), fullPage: true });
    await page.getByLabel('Password').fill('a long and careful passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/journeys$/);
    await page.getByRole('heading', { name: 'Journeys' }).waitFor();
    await page.close();
  });

  it('a viewer set up by a password link sees the journeys without edit buttons', async () => {
    const passwordPath = await addDemoUser(app, {
      email: 'vic@shop.example',
      name: 'Vic Viewer',
      role: 'viewer',
    });
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${address()}${passwordPath}`);
    await page.getByRole('heading', { name: 'Set your password' }).waitFor();
    assert.match(await page.locator('main').innerText(), /vic@shop\.example/);
    await page.getByLabel('Password', { exact: true }).fill('another careful passphrase');
    await page.getByLabel('Password again').fill('another careful passphrase');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForURL(/\/journeys$/);
    await page.getByRole('row', { name: /Basket retargeting/ }).waitFor();
    // One workspace: no switcher; a viewer: no pause, resume or archive.
    assert.equal(await page.getByRole('button', { name: /^Workspace: / }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Pause|Resume|Archive) / }).count(), 0);
    await page.screenshot({ path: shot('journeys-viewer'), fullPage: true });

    // Too many wrong passwords: the page says how long to wait.
    await context.clearCookies();
    await page.goto(`${address()}/sign-in`);
    await page.getByLabel('Email').fill('vic@shop.example');
    await page.getByLabel('Password').fill('wrong');
    const alert = page.getByRole('alert');
    for (let attempt = 0; attempt < 12; attempt += 1) {
      await page.getByRole('button', { name: 'Sign in' }).click();
      await alert.waitFor();
      await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
      if (/Too many attempts/.test(await alert.innerText())) break;
    }
    assert.match(
      await alert.innerText(),
      /Too many attempts\. Try again in \d+ (seconds|minutes)\./,
    );
    await page.screenshot({ path: shot('sign-in-rate-limited'), fullPage: true });
    await context.close();
  });
});
