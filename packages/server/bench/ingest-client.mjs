// Load generator for the ingestion benchmark, in its own process like a real client:
// sends `total` track events as /v1/batch requests of 100 with `concurrency` requests in flight,
// then prints the elapsed milliseconds as JSON.
// Usage: node ingest-client.mjs <base-url> <write-key> <total> <concurrency>
const [base, writeKey, totalText, concurrencyText] = process.argv.slice(2);
const total = Number(totalText);
const concurrency = Number(concurrencyText);
const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const batches = Math.ceil(total / 100);
let next = 0;

async function sender() {
  for (let b = next++; b < batches; b = next++) {
    const now = new Date().toISOString();
    const batch = Array.from({ length: 100 }, (_, i) => ({
      type: 'track',
      userId: `user-${(b * 100 + i) % 20000}`,
      event: 'Product Viewed',
      messageId: `m-${b}-${i}`,
      properties: { sku: `sku-${i}`, price: i * 1.5, category: 'shoes' },
      timestamp: now,
    }));
    const res = await fetch(`${base}/v1/batch`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ batch, sentAt: now }),
    });
    if (res.status !== 200) throw new Error(`batch ${b}: HTTP ${res.status} ${await res.text()}`);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, sender));
process.stdout.write(JSON.stringify({ ms: performance.now() - started, events: batches * 100 }));
