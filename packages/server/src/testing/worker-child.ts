// A worker process for the crash tests (testing/processes.ts starts it): runs the engine on the
// database given as argv[2] until killed, with the options given as JSON in argv[3]: `env`,
// channels configured from environment variables as an operator would (SMS_GATEWAY_URL,
// SMTP_URL, …); `leaseMs`, a short lease so a killed worker's claims come back quickly; `small`,
// small batches so a kill lands mid-batch often.
import { configFromEnv } from '../config.ts';
import { createWaymark } from '../waymark.ts';
import type { WorkerChildOptions } from './processes.ts';

const [url, json] = process.argv.slice(2);
if (!url || !json) throw new Error('usage: worker-child <database-url> <options-json>');
const o = JSON.parse(json) as WorkerChildOptions;
const wm = await createWaymark(configFromEnv({}, { databaseUrl: url, role: 'worker' }), {
  ...(o.env ? { env: o.env } : {}),
  ...(o.leaseMs ? { delivery: { leaseMs: o.leaseMs } } : {}),
  ...(o.small ? { sizes: { events: 100, runs: 100, messages: 50 } } : {}),
  pollMs: 10,
  onError: (err) => console.error(err),
});
wm.worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void wm.close().then(() => process.exit(0));
});
