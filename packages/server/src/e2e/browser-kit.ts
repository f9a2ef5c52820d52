/**
 * What the browser tests share: a served Waymark on a fresh SQLite store with the demo
 * workspace loaded, serving the built operator app (built once when the checkout has none),
 * Debian's Chromium through playwright-core, the `.artifacts/` folder for screenshots, and
 * signing in as the first admin through the first-start setup link.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadDemo } from '../app/demo.ts';
import { configFromEnv } from '../config.ts';
import { startHttp, type RunningHttp } from '../http/server.ts';
import { TEST_ADMIN_TOKEN, TEST_WRITE_KEY } from '../http/testing.ts';
import { testDatabases } from '../storage/testing.ts';
import { ensureAppBuilt } from '../testing/app-build.ts';
import { createWaymark, type Waymark } from '../waymark.ts';

const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false. */
export const chromiumMissing = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run this test`;

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../../../.artifacts/', import.meta.url));

/** A served Waymark with the demo loaded, and a browser. */
export interface ServedApp {
  waymark: Waymark;
  http: RunningHttp;
  browser: Browser;
  /** The demo workspace's admin API token. */
  demoAdminToken: string;
  close(): Promise<void>;
}

/** Starts a Waymark on a fresh SQLite store, serving the built app, and Chromium. */
export async function startServedApp(): Promise<ServedApp> {
  ensureAppBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  const sqlite = testDatabases().find((kind) => kind.name === 'sqlite') ?? testDatabases()[0]!;
  const db = await sqlite.create();
  const waymark = await createWaymark(
    configFromEnv(
      {},
      {
        databaseUrl: db.url,
        writeKey: TEST_WRITE_KEY,
        adminToken: TEST_ADMIN_TOKEN,
        role: 'api',
      },
    ),
  );
  const demoAdminToken = (await loadDemo(waymark.deps)).adminToken;
  const http = await startHttp(waymark, { port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    waymark,
    http,
    browser,
    demoAdminToken,
    async close() {
      await browser.close();
      await http.close();
      await waymark.close();
      await db.drop();
    },
  };
}

/** The token of the first-start setup link (a store without users has one). */
export async function setupToken(app: ServedApp): Promise<string> {
  const { firstStartLink } = await import('../app/setup.ts');
  const link = await firstStartLink(app.waymark.deps);
  if (!link) throw new Error('a store without users gives a first-start link');
  return new URL(link).pathname.split('/').pop()!;
}

/** Creates the first admin through the setup link; the page ends on the journeys. */
export async function signInAsFirstAdmin(
  app: ServedApp,
  page: Page,
  who = { email: 'ana@shop.example', name: 'Ana Lima', password: 'a long and careful passphrase' },
): Promise<void> {
  await page.goto(`${app.http.address}/setup/${await setupToken(app)}`);
  await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByLabel('Password again').fill(who.password);
  await page.getByRole('button', { name: 'Create and sign in' }).click();
  await page.waitForURL(/\/journeys$/);
  await page.getByRole('heading', { name: 'Journeys' }).waitFor();
}

/** Adds a user to the demo workspace through the API; returns the path of its password link. */
export async function addDemoUser(
  app: ServedApp,
  user: { email: string; name: string; role: 'admin' | 'editor' | 'viewer' },
): Promise<string> {
  const res = await fetch(`${app.http.address}/api/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.demoAdminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`adding ${user.email}: ${res.status} ${text}`);
  return new URL((JSON.parse(text) as { passwordUrl: string }).passwordUrl).pathname;
}
