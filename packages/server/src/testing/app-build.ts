/**
 * The built operator app for tests that serve it: `packages/web/dist/` as `npm ci` leaves it,
 * built here once (`npm run build -w @waymark/web`, a few seconds) when a checkout has none.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_DIST } from '@waymark/web';

/** The folder of the built app. */
export const APP_DIST_DIR = fileURLToPath(APP_DIST);

/** Builds the app unless `dist/index.html` exists; returns the dist folder. */
export function ensureAppBuilt(): string {
  if (!existsSync(join(APP_DIST_DIR, 'index.html'))) {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    execFileSync('npm', ['run', '-s', 'build', '-w', '@waymark/web'], { cwd: root, stdio: 'pipe' });
  }
  return APP_DIST_DIR;
}
