// Load generator for the personalisation benchmark, in its own process like a real client:
// sends `total` GET /v1/personalize requests for random visitors among `profiles` (1 in 20 an
// unknown visitor) with `concurrency` requests in flight over keep-alive connections, after
// `warmup` unmeasured ones, and prints the latency percentiles (ms) as JSON.
// Usage: node personalize-client.mjs <base-url> <write-key> <total> <concurrency> <profiles> <warmup>
import { Agent, request } from 'node:http';

const [base, writeKey, totalText, concurrencyText, profilesText, warmupText] =
  process.argv.slice(2);
const total = Number(totalText);
const concurrency = Number(concurrencyText);
const profiles = Number(profilesText);
const warmup = Number(warmupText);
const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const { hostname, port } = new URL(base);

function once(i) {
  const visitor = i % 20 === 0 ? `unknown-${i}` : `v-${Math.floor(Math.random() * profiles)}`;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      {
        agent,
        hostname,
        port,
        path: `/v1/personalize?anonymousId=${visitor}`,
        headers: { authorization: auth },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function run(count, record) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const ms = await once(i);
      if (record) record.push(ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

await run(warmup, null);
const latencies = [];
const t0 = performance.now();
await run(total, latencies);
const ms = performance.now() - t0;
latencies.sort((a, b) => a - b);
const at = (p) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
process.stdout.write(
  JSON.stringify({ ms, requests: total, p50: at(50), p99: at(99), max: latencies.at(-1) }),
);
agent.destroy();
