// A worker process for the crash test: runs the engine on the database given as argv[2] until
// killed. Small batches make a kill land mid-batch often.
import { configFromEnv } from '../config.ts';
import { createWaymark } from '../waymark.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: crash-child <database-url>');
const wm = await createWaymark(configFromEnv({}, { databaseUrl: url, role: 'worker' }), {
  sizes: { events: 100, runs: 100, messages: 50 },
  pollMs: 10,
  onError: (err) => console.error(err),
});
wm.worker.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void wm.close().then(() => process.exit(0));
});
