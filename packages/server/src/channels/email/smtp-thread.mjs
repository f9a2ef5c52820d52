// The SMTP adapter's sending thread (plain JavaScript: a worker thread does not inherit the
// TypeScript loader the CLI registers). It owns the pooled nodemailer transport: building each
// MIME message (encoding the HTML and text parts) and writing it to the sockets cost more CPU per
// email than everything else Waymark does for it, so they run here, beside the thread that claims,
// renders and records. Protocol with smtp.adapter.ts:
//   in:  { id, mail }  → out: { id, ok: true } | { id, ok: false, error: { message, code,
//                                                  responseCode, response } }
//   in:  { close: true } → closes the pool; the thread then ends.
import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';

const transport = nodemailer.createTransport(workerData.transport);

parentPort.on('message', (msg) => {
  if (msg.close) {
    transport.close();
    parentPort.close();
    return;
  }
  transport.sendMail(msg.mail).then(
    () => parentPort.postMessage({ id: msg.id, ok: true }),
    (err) =>
      parentPort.postMessage({
        id: msg.id,
        ok: false,
        error: {
          message: err instanceof Error ? err.message : String(err),
          code: typeof err?.code === 'string' ? err.code : undefined,
          responseCode: typeof err?.responseCode === 'number' ? err.responseCode : undefined,
          response: typeof err?.response === 'string' ? err.response : undefined,
        },
      }),
  );
});
