/**
 * The personalisation stage of `npm run bench`: `GET /v1/personalize` over HTTP on a warm server
 * with BENCH_PROFILES (10,000) profiles — each with interests counted in a 7-day window, site
 * flags and a few lists — answering BENCH_PERSONALIZE (20,000) requests from a load generator in
 * its own process (4 in flight, after 2,000 warm-up requests). Target: p99 under 5 ms.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { countInterest, withSiteFlag } from '@waymark/core';
import { DEFAULT_WORKSPACE } from '../src/app/workspaces.ts';
import { configFromEnv } from '../src/config.ts';
import { startHttp } from '../src/http/index.ts';
import { createWaymark } from '../src/waymark.ts';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 10_000);
const REQUESTS = Number(process.env.BENCH_PERSONALIZE ?? 20_000);
const CONCURRENCY = 4;
const WARMUP = 2_000;
const WRITE_KEY = 'bench-write-key';
const CLIENT = fileURLToPath(new URL('./personalize-client.mjs', import.meta.url));
const DAY = 24 * 3600_000;
const CATEGORIES = ['shoes', 'bags', 'hats', 'coats', 'socks'];

/** Latency percentiles (ms) of the personalisation API on the database at `url`. */
export async function benchPersonalize(
  url: string,
): Promise<{ p50: number; p99: number; max: number; perSecond: number }> {
  const wm = await createWaymark(
    configFromEnv({}, { databaseUrl: url, role: 'api', writeKey: WRITE_KEY }),
  );
  const now = Date.now();
  const ws = DEFAULT_WORKSPACE;
  for (let from = 0; from < PROFILES; from += 1000) {
    const ids = Array.from({ length: Math.min(1000, PROFILES - from) }, (_, i) => from + i);
    await wm.store.transaction(async (tx) => {
      await tx.profiles.insert(
        ids.map((i) => {
          let traits: Record<string, unknown> = { email: `v${i}@example.com` };
          for (let v = 0; v < 6; v += 1) {
            const name = CATEGORIES[(i + v) % CATEGORIES.length]!;
            const at = now - ((i * 7 + v) % 6) * DAY;
            traits = countInterest(traits, { name, weight: 1, at, within: 7 * DAY }).traits;
          }
          if (i % 3 === 0) traits = withSiteFlag(traits, 'show_shoes_banner', true);
          return {
            workspaceId: ws,
            id: `p-${i}`,
            traits,
            createdAt: now,
            updatedAt: now,
            lastSeenAt: now,
            mergedInto: null,
          };
        }),
      );
      await tx.profiles.link(
        ids.map((i) => ({
          workspaceId: ws,
          kind: 'anonymousId',
          value: `v-${i}`,
          profileId: `p-${i}`,
        })),
      );
      for (const i of ids)
        for (let l = 0; l < i % 4; l += 1)
          await tx.lists.addMember(ws, `interest-${CATEGORIES[l]}`, `p-${i}`, now);
    });
  }
  const http = await startHttp(wm, { port: 0, host: '127.0.0.1' });
  try {
    const client = spawn(
      process.execPath,
      [
        CLIENT,
        http.address,
        WRITE_KEY,
        String(REQUESTS),
        String(CONCURRENCY),
        String(PROFILES),
        String(WARMUP),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(client, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`personalize client failed (${code})`);
    const r = JSON.parse(out) as {
      ms: number;
      requests: number;
      p50: number;
      p99: number;
      max: number;
    };
    return { p50: r.p50, p99: r.p99, max: r.max, perSecond: (r.requests * 1000) / r.ms };
  } finally {
    await http.close();
    await wm.close();
  }
}
