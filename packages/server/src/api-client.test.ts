// The operator app's API types cannot drift: packages/web/src/app/api/openapi.generated.ts (from
// the OpenAPI document, by openapi-typescript) is generated again here and must equal the file,
// and it must type every route of the table the app may call.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLIENT_FILE, clientTypes } from '../../../scripts/gen-client.ts';
import { routeTable } from './http/server.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe(`the app's API types (${CLIENT_FILE})`, () => {
  it('are up to date with the routes (run `npm run docs:reference` after changing them)', async () => {
    const fresh = await clientTypes();
    const stored = readFileSync(join(root, CLIENT_FILE), 'utf8');
    if (stored !== fresh) {
      const a = stored.split('\n');
      const b = fresh.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(
        `${CLIENT_FILE} is out of date: run npm run docs:reference\n` +
          `  line ${line + 1} is:        ${a[line] ?? '(end of file)'}\n` +
          `  and should be:  ${b[line] ?? '(end of file)'}`,
      );
    }
  });

  it('type every route, by its path and operation', () => {
    const stored = readFileSync(join(root, CLIENT_FILE), 'utf8');
    for (const r of routeTable()) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      assert.ok(stored.includes(`'${path}': {`), `${r.method} ${path}`);
      assert.ok(stored.includes(`${r.id}: {`), `operation ${r.id}`);
    }
  });
});
