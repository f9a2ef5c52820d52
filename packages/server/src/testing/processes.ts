/**
 * Test helpers for crash tests: a real worker child process (testing/worker-child.ts), a CPU hog,
 * and waiting on a condition with a deadline. Used only by tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a worker child is started with (see testing/worker-child.ts). */
export interface WorkerChildOptions {
  /** Environment variables its channels are configured from. */
  env?: Record<string, string>;
  /** Delivery lease (ms); short, so a killed worker's claims come back quickly. */
  leaseMs?: number;
  /** Small batches, so a kill lands mid-batch often. */
  small?: boolean;
}

const child = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

/** Starts a worker process on the database at `url`. */
export function startWorker(url: string, options: WorkerChildOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', child, url, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** A process that keeps one core busy until killed. */
export function cpuHog(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

/** Resolves once `check` holds; throws naming `what` after `ms`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
