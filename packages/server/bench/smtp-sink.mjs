// The delivery benchmark's SMTP peer, in a process of its own (as a relay would be): accepts
// every message without parsing it, counts them, and prints `{"port"}` once listening and
// `{"done": <epoch ms>}` when the count given as argv[2] is reached.
import { SMTPServer } from 'smtp-server';

const target = Number(process.argv[2]);
let count = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, cb) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      count += 1;
      cb();
      if (count === target) process.stdout.write(JSON.stringify({ done: Date.now() }) + '\n');
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.server.address().port }) + '\n');
});
