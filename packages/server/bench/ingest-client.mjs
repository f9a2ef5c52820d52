// Load generator for the ingestion benchmark, in its own process like a real client:
// sends `total` track events as /v1/batch requests of 100 with `concurrency` requests in flight,
// then prints the elapsed milliseconds and its own CPU time as JSON. Request bodies are built
// before the clock starts and sent over keep-alive connections with node:http, so the generator
// takes as little as it can of the machine it shares with the server (as wrk or k6 would).
// Usage: node ingest-client.mjs <base-url> <write-key> <total> <concurrency>
import { Agent, request } from 'node:http';

const [base, writeKey, totalText, concurrencyText] = process.argv.slice(2);
const total = Number(totalText);
const concurrency = Number(concurrencyText);
const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const batches = Math.ceil(total / 100);
const url = new URL('/v1/batch', base);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

const now = new Date().toISOString();
const bodies = Array.from({ length: batches }, (_, b) =>
  Buffer.from(
    JSON.stringify({
      batch: Array.from({ length: 100 }, (_, i) => ({
        type: 'track',
        userId: `user-${(b * 100 + i) % 20000}`,
        event: 'Product Viewed',
        messageId: `m-${b}-${i}`,
        properties: { sku: `sku-${i}`, price: i * 1.5, category: 'shoes' },
        timestamp: now,
      })),
      sentAt: now,
    }),
  ),
);

function post(body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: auth,
          'content-type': 'application/json',
          'content-length': body.length,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let next = 0;
async function sender() {
  for (let b = next++; b < batches; b = next++) {
    const res = await post(bodies[b]);
    if (res.status !== 200) throw new Error(`batch ${b}: HTTP ${res.status} ${res.text}`);
  }
}

const cpu0 = process.cpuUsage();
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, sender));
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
agent.destroy();
process.stdout.write(
  JSON.stringify({ ms, events: batches * 100, cpuMs: (cpu.user + cpu.system) / 1000 }),
);
