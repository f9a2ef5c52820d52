// The visual journey builder in a real browser (Chromium through playwright-core): the first
// admin creates a journey from the list and builds scenario 7 — cart_abandoned → email → wait
// 12 hours for it to be opened → if not, an SMS, only 09:00–21:00 → exit — with the palette
// (a click and a drag), by dragging handles onto nodes and through the inspector's fields, sees
// the validator's error on a node before fixing it, and uses copy, paste, undo and delete from
// the keyboard. The saved draft is then read back, checked with core's validator, and
// published. Screenshots go to .artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { draftNodes, validateJourney } from '@waymark/core';
import type { Locator, Page } from 'playwright-core';
import {
  ARTIFACTS,
  addDemoUser,
  chromiumMissing,
  signInAsFirstAdmin,
  startServedApp,
  type ServedApp,
} from './browser-kit.ts';

const shot = (name: string) => join(ARTIFACTS, `journey-editor-${name}.png`);

/** A node of the canvas by its journey node id (or `__trigger`). */
const nodeOn = (page: Page, id: string): Locator =>
  page.locator(`.react-flow__node[data-id="${id}"]`);

/** Drags from an output handle of one node onto the input handle of another. */
async function connect(page: Page, o: { from: string; handle: string; to: string }) {
  await page.getByRole('button', { name: 'Zoom to fit' }).click();
  const source = nodeOn(page, o.from).locator(`.react-flow__handle[data-handleid="${o.handle}"]`);
  const target = nodeOn(page, o.to).locator('.react-flow__handle.target');
  const a = (await source.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** The inspector panel. */
const inspector = (page: Page) => page.getByRole('complementary', { name: 'Inspector' });

describe('the journey builder in Chromium', { skip: chromiumMissing }, () => {
  let app: ServedApp;
  let page: Page;
  const errors: string[] = [];
  before(async () => {
    app = await startServedApp();
    const context = await app.browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
  });
  after(async () => {
    await app?.close();
  });

  it('builds scenario 7 on the canvas with the mouse and the keyboard', async () => {
    await signInAsFirstAdmin(app, page);
    await page.getByRole('button', { name: 'New journey' }).click();
    await page.getByLabel('Journey name').fill('Cart reminder');
    assert.match(await page.getByRole('dialog').innerText(), /Its id: cart_reminder/);
    await page.getByRole('button', { name: 'Create and open' }).click();
    await page.waitForURL(/\/journeys\/cart_reminder\?name=Cart/);
    await page.getByRole('heading', { name: 'Cart reminder' }).waitFor();
    await nodeOn(page, '__trigger').waitFor();
    const panel = inspector(page);

    // The trigger: an event, cart_abandoned.
    await nodeOn(page, '__trigger').click();
    assert.equal(await panel.getByLabel('What starts a run').inputValue(), 'event');
    await panel.getByLabel('Event', { exact: true }).fill('cart_abandoned');
    assert.match(await nodeOn(page, '__trigger').innerText(), /event cart_abandoned/);

    // A click adds the email after the selected trigger: it is the start.
    await page.getByRole('button', { name: 'Add Send', exact: true }).click();
    await nodeOn(page, 'send').waitFor();
    assert.equal(await page.locator('.react-flow__edge').count(), 1);
    await panel.getByLabel('Template', { exact: true }).fill('basket_email');
    await panel.getByRole('button', { name: 'Create template “basket_email”' }).click();
    await panel.getByLabel('Subject').fill('Your basket is waiting');
    await panel.getByLabel('HTML').fill('<p>Hi {{ profile.traits.first_name }}</p>');
    assert.match(await nodeOn(page, 'send').innerText(), /Email · basket_email/);

    // A drag from the palette puts a wait-for on the canvas; the validator flags it at once.
    const pane = page.locator('.react-flow__pane');
    const area = (await pane.boundingBox())!;
    await page
      .getByRole('button', { name: 'Add Wait for' })
      .dragTo(pane, { targetPosition: { x: area.width - 150, y: area.height / 2 } });
    const wait = nodeOn(page, 'wait_for');
    await wait.waitFor();
    await wait.locator('.node-issues').waitFor();
    assert.ok(
      Number(
        await wait
          .locator('.node-issues')
          .innerText()
          .then((t) => parseInt(t)),
      ) > 0,
    );
    await wait.click();
    await panel
      .getByText('a wait-for must say what it waits for: one of event, outcome, reply or task')
      .waitFor();
    assert.ok(await page.getByRole('button', { name: 'Publish' }).isDisabled());
    await page.screenshot({ path: shot('validation'), fullPage: true });

    // The email's Next handle dragged onto the wait.
    await connect(page, { from: 'send', handle: 'next', to: 'wait_for' });
    await page.locator('.react-flow__edge[data-id="send:next"]').waitFor();

    // The wait: the email's open, 12 hours.
    await panel.getByRole('button', { name: 'Add outcome' }).click();
    await panel.getByLabel('Node', { exact: true }).selectOption('send');
    await panel.getByRole('checkbox', { name: 'opened' }).check();
    await panel.getByLabel('Timeout').fill('12');
    await panel.getByLabel('Unit').first().selectOption('h');
    assert.match(await wait.innerText(), /Wait for opened · 12h/);

    // The SMS, added by a click with nothing selected, then connected on the timeout.
    await page.keyboard.press('Escape');
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await page.getByRole('button', { name: 'Add Send', exact: true }).click();
    const sms = nodeOn(page, 'send_2');
    await sms.waitFor();
    await connect(page, { from: 'wait_for', handle: 'onTimeout', to: 'send_2' });
    await page.locator('.react-flow__edge[data-id="wait_for:onTimeout"]').waitFor();
    await sms.click();
    await panel.getByLabel('Channel').selectOption('sms');
    await panel.getByLabel('Template', { exact: true }).fill('basket_sms');
    await panel.getByRole('button', { name: 'Create template “basket_sms”' }).click();
    await panel.getByLabel('Text').fill('Your basket is waiting: {{ trigger.properties.url }}');

    // The exit after the SMS (a click with it selected), and the wait's Happened through the
    // inspector's select (the keyboard's way to connect).
    await page.getByRole('button', { name: 'Add Exit', exact: true }).click();
    await nodeOn(page, 'exit').waitFor();
    await page.locator('.react-flow__edge[data-id="send_2:next"]').waitFor();
    await wait.click();
    await panel.getByLabel('Happened').selectOption('exit');
    await page.locator('.react-flow__edge[data-id="wait_for:next"]').waitFor();

    // Shift-click selects two nodes; copy and paste gives them fresh ids and keeps the edge
    // between them; undo takes the paste back. An edge selected and deleted is undone too.
    await page.getByRole('button', { name: 'Zoom to fit' }).click();
    await sms.click();
    await nodeOn(page, 'exit').click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await nodeOn(page, 'send_3').waitFor();
    await nodeOn(page, 'exit_2').waitFor();
    await page.locator('.react-flow__edge[data-id="send_3:next"]').waitFor();
    assert.equal(await page.locator('.react-flow__edge[data-id="exit_2:next"]').count(), 0);
    await page.keyboard.press('Delete');
    await nodeOn(page, 'exit_2').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+z');
    await nodeOn(page, 'exit_2').waitFor();
    await page.keyboard.press('Control+z');
    await nodeOn(page, 'exit_2').waitFor({ state: 'detached' });
    await nodeOn(page, 'send_3').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Zoom to fit' }).click();
    await page.locator('.react-flow__edge[data-id="send_2:next"]').click();
    await page.keyboard.press('Delete');
    await page.locator('.react-flow__edge[data-id="send_2:next"]').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Shift+z');
    assert.equal(await page.locator('.react-flow__edge[data-id="send_2:next"]').count(), 0);
    await page.keyboard.press('Control+z');
    await page.locator('.react-flow__edge[data-id="send_2:next"]').waitFor();

    // Settings: SMS only from 09:00 to 21:00.
    await page.getByRole('button', { name: 'Tidy up' }).click();
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await panel.getByRole('group', { name: 'Journey settings' }).waitFor();
    await panel.getByRole('button', { name: 'Add send windows' }).click();
    await panel.getByRole('button', { name: 'Add sms window' }).click();
    const smsWindow = panel.getByRole('group', { name: 'SMS window' });
    await smsWindow.getByLabel('Start').fill('09:00');
    await smsWindow.getByLabel('End').fill('21:00');

    await page.getByRole('region', { name: 'Issues' }).getByText('No errors').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Publish' }).isEnabled());
    assert.equal(await page.locator('.node-issues').count(), 0);
    await page.screenshot({ path: shot('scenario-7'), fullPage: true });
    assert.deepEqual(errors, []);
  });

  it('saves the draft: a journey the validator accepts, then publishes it', async () => {
    await page.getByText('All changes saved').waitFor();
    const workspace = await page.evaluate<string | null>(
      "localStorage.getItem('waymark.workspace')",
    );
    const res = await page.request.get(`${app.http.address}/api/journeys/cart_reminder/draft`, {
      headers: workspace ? { 'waymark-workspace': workspace } : {},
    });
    assert.equal(res.status(), 200, await res.text());
    const { document } = (await res.json()) as { document: Record<string, unknown> };
    const checked = validateJourney(document);
    assert.ok(checked.ok, JSON.stringify(checked));
    assert.deepEqual(document.trigger, { type: 'event', event: 'cart_abandoned' });
    assert.equal(document.start, 'send');
    const nodes = draftNodes(document);
    assert.deepEqual(nodes.send, {
      type: 'send',
      channel: 'email',
      template: 'basket_email',
      next: 'wait_for',
    });
    assert.deepEqual(nodes.wait_for, {
      type: 'wait_for',
      timeout: '12h',
      outcome: { node: 'send', is: ['opened'] },
      next: 'exit',
      onTimeout: 'send_2',
    });
    assert.equal(nodes.send_2?.channel, 'sms');
    assert.equal(nodes.send_2?.next, 'exit');
    assert.deepEqual((document.policies as { sendWindows: unknown }).sendWindows, {
      sms: { start: '09:00', end: '21:00' },
    });

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByLabel('Note (optional)').fill('first version from the canvas');
    await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Published as version \d+$/ })
      .waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0);
    await page.screenshot({ path: shot('published'), fullPage: true });
  });

  it('a save made elsewhere since is a conflict: this tab can overwrite it', async () => {
    const other = await page.context().newPage();
    await other.goto(`${app.http.address}/journeys/cart_reminder`);
    await inspector(other).getByLabel('Name', { exact: true }).fill('Cart reminder (other tab)');
    await other.getByText('All changes saved').waitFor();

    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await inspector(page).getByLabel('Name', { exact: true }).fill('Cart reminder, mine');
    const banner = page.getByRole('alert').filter({ hasText: 'changed elsewhere' });
    await banner.waitFor();
    assert.match(
      await banner.innerText(),
      /This draft was changed elsewhere \(by ana@shop\.example, .+\)\. Reload it, or keep yours and overwrite\./,
    );
    await page.screenshot({ path: shot('conflict'), fullPage: true });
    await banner.getByRole('button', { name: 'Keep mine and overwrite' }).click();
    await page.getByText('All changes saved').waitFor();
    await other.reload();
    await other.getByRole('heading', { name: 'Cart reminder, mine' }).waitFor();
    await other.close();
  });

  it('a viewer sees the draft read-only, with no Publish button', async () => {
    const passwordPath = await addDemoUser(app, {
      email: 'vic@shop.example',
      name: 'Vic Viewer',
      role: 'viewer',
    });
    const context = await app.browser.newContext();
    const viewer = await context.newPage();
    await viewer.goto(`${app.http.address}${passwordPath}`);
    await viewer.getByLabel('Password', { exact: true }).fill('another careful passphrase');
    await viewer.getByLabel('Password again').fill('another careful passphrase');
    await viewer.getByRole('button', { name: 'Set password and sign in' }).click();
    await viewer.waitForURL(/\/journeys$/);
    await viewer
      .getByRole('row', { name: /Basket retargeting/ })
      .getByRole('link')
      .click();
    await viewer.getByText('Read only').waitFor();
    await viewer.locator('.react-flow__node').first().waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Publish' }).count(), 0);
    assert.equal(await viewer.getByRole('button', { name: 'New journey' }).count(), 0);
    assert.ok(await viewer.getByRole('button', { name: 'Add Send', exact: true }).isDisabled());
    await viewer.screenshot({ path: shot('viewer'), fullPage: true });
    await context.close();
  });
});
