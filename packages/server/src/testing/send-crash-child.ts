// A worker process for the send-crash tests: runs the engine on the database given as argv[2],
// with channels configured from the environment variables given as JSON in argv[3] (as an
// operator would: SMS_GATEWAY_URL, SMTP_URL, …), and a short lease so a killed worker's claims
// come back quickly.
import { configFromEnv } from '../config.ts';
import { createWaymark } from '../waymark.ts';

const [url, env] = process.argv.slice(2);
if (!url || !env) throw new Error('usage: send-crash-child <database-url> <env-json>');
const wm = await createWaymark(configFromEnv({}, { databaseUrl: url, role: 'worker' }), {
  env: JSON.parse(env) as Record<string, string>,
  delivery: { leaseMs: 2_000 },
  pollMs: 10,
  onError: (err) => console.error(err),
});
wm.worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void wm.close().then(() => process.exit(0));
});
