// A worker process for the send-crash test: runs the engine on the database given as argv[2],
// delivering SMS through the HTTP SMS gateway at argv[3] (configured from the environment, as an
// operator would), with a short lease so a killed worker's claims come back quickly.
import { configFromEnv } from '../config.ts';
import { createWaymark } from '../waymark.ts';

const [url, gateway] = process.argv.slice(2);
if (!url || !gateway) throw new Error('usage: send-crash-child <database-url> <gateway-url>');
const wm = await createWaymark(configFromEnv({}, { databaseUrl: url, role: 'worker' }), {
  env: { SMS_GATEWAY_URL: gateway },
  delivery: { leaseMs: 2_000 },
  pollMs: 10,
  onError: (err) => console.error(err),
});
wm.worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void wm.close().then(() => process.exit(0));
});
