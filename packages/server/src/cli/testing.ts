/** Helpers of the CLI tests: `waymark start` as a child process, and polling for a result. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of the checkout (where `npm start` runs). */
export const root = fileURLToPath(new URL('../../../../', import.meta.url));
/** The `waymark` command. */
export const bin = join(root, 'packages/server/bin/waymark.js');

/** A running `waymark start`: its output so far, and its address once it listens. */
export interface Started {
  child: ChildProcess;
  output: () => string;
  /** The HTTP address (`''` for a worker), once started; rejects if the process exits first. */
  address: Promise<string>;
}

/**
 * Starts `waymark start <args>` from the root of the checkout with `env` over the test's own
 * environment (DATABASE_URL emptied unless `env` sets it).
 */
export function startWaymark(env: Record<string, string>, args: string[] = []): Started {
  const child = spawn(process.execPath, [bin, 'start', ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const address = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
      if (/worker running/.test(out)) resolve('');
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return { child, output: () => out, address };
}

/** Calls `fn` every 100 ms until it returns something, for at most `ms`. */
export async function poll<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
