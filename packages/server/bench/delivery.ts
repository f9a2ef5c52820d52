/**
 * The delivery benchmark, one measurement per process (so its peak RSS is its own):
 * `tsx bench/delivery.ts <email|sms> <recipients> <database-url>` seeds the profiles, then
 * publishes a broadcast journey — an MJML + Liquid email to a local SMTP server, or an SMS to the
 * local Twilio peer, each peer in a process of its own — and times publish → the peer accepting
 * the last message. Prints one JSON line: `{ kind, recipients, seconds, perSecond, rssMb }`.
 * Run by bench/main.ts (stage `delivery`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/app/ingest.ts';
import { applyJourney, checkJourney } from '../src/app/journeys.ts';
import { parseCall } from '../src/app/segment.ts';
import { DEFAULT_WORKSPACE } from '../src/app/workspaces.ts';
import { configFromEnv } from '../src/config.ts';
import { createWaymark } from '../src/waymark.ts';

const [kind, countArg, url] = process.argv.slice(2);
if ((kind !== 'email' && kind !== 'sms') || !countArg || !url)
  throw new Error('usage: delivery.ts <email|sms> <recipients> <database-url>');
const COUNT = Number(countArg);

const emailJourney = `
schemaVersion: 1
id: voucher
name: Voucher broadcast
trigger: { type: broadcast, audience: { field: profile.traits.bench, op: eq, value: true } }
start: email
nodes:
  email: { type: send, channel: email, template: voucher, next: done }
  done: { type: exit }
templates:
  voucher:
    channel: email
    subject: "{{ profile.traits.first_name }}, your voucher {{ profile.traits.code }}"
    html: |
      <mjml>
        <mj-body>
          <mj-section>
            <mj-column>
              <mj-text>Hello {{ profile.traits.first_name | default: 'there' }},</mj-text>
              <mj-text>Here is 10% off with the code {{ profile.traits.code }}.</mj-text>
              <mj-button href="https://shop.example/redeem/{{ profile.traits.code }}">Redeem</mj-button>
              <mj-text font-size="11px"><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
            </mj-column>
          </mj-section>
        </mj-body>
      </mjml>
`;

const smsJourney = `
schemaVersion: 1
id: voucher-sms
name: Voucher SMS
trigger: { type: broadcast, audience: { field: profile.traits.bench, op: eq, value: true } }
start: sms
nodes:
  sms: { type: send, channel: sms, template: voucher, next: done }
  done: { type: exit }
templates:
  voucher: { channel: sms, body: "Hi {{ profile.traits.first_name }}, 10% off with {{ profile.traits.code }}" }
`;

/**
 * CPU microseconds of this process's main thread (Linux /proc; null elsewhere): the thread that
 * claims, renders and records — the one a single process cannot add cores to.
 */
function mainThreadCpuUs(): number | null {
  const stat = `/proc/self/task/${process.pid}/stat`;
  if (!existsSync(stat)) return null;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Starts a peer process; resolves its first JSON line, and `done` with its completion time. */
async function startPeer(
  args: string[],
): Promise<{ child: ChildProcess; info: Record<string, unknown>; done: Promise<number> }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let resolveDone!: (at: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const info = await new Promise<Record<string, unknown>>((resolve) => {
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (typeof msg.done === 'number') resolveDone(msg.done);
      else resolve(msg);
    });
  });
  return { child, info, done };
}

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const peer =
  kind === 'email'
    ? await startPeer([here('./smtp-sink.mjs'), String(COUNT)])
    : await startPeer(['--import', 'tsx', here('./twilio-sink.ts'), String(COUNT)]);
const env: NodeJS.ProcessEnv =
  kind === 'email'
    ? {
        SMTP_URL: `smtp://127.0.0.1:${String(peer.info.port)}`,
        EMAIL_FROM: 'Shop <shop@example.com>',
        SMTP_MAX_CONNECTIONS: '16',
      }
    : {
        TWILIO_ACCOUNT_SID: String(peer.info.sid),
        TWILIO_AUTH_TOKEN: String(peer.info.token),
        TWILIO_FROM: '+15005550006',
        TWILIO_API_BASE: String(peer.info.apiBase),
      };

const wm = await createWaymark(configFromEnv({}, { databaseUrl: url, role: 'worker' }), { env });
try {
  for (let i = 0; i < COUNT; i += 1000) {
    const calls = [];
    for (let j = i; j < Math.min(COUNT, i + 1000); j += 1) {
      calls.push(
        parseCall(
          'identify',
          {
            userId: `r${j}`,
            traits: {
              bench: true,
              first_name: `Name${j}`,
              code: `V${j.toString(36).toUpperCase()}`,
              email: `r${j}@example.com`,
              phone: `+3519${String(j).padStart(8, '0')}`,
            },
          },
          '',
        ),
      );
    }
    await ingest(wm.deps, DEFAULT_WORKSPACE, calls);
    await wm.worker.drain();
  }
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuUs();
  await applyJourney(
    wm.deps,
    DEFAULT_WORKSPACE,
    checkJourney(kind === 'email' ? emailJourney : smsJourney),
  );
  wm.worker.start();
  const t1 = await peer.done;
  const seconds = (t1 - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadCpuUs();
  process.stdout.write(
    JSON.stringify({
      kind,
      recipients: COUNT,
      seconds,
      perSecond: COUNT / seconds,
      // The server's own CPU per message (user + system; robust to a busy machine).
      cpuUsPerMessage: (cpu.user + cpu.system) / COUNT,
      mainThreadCpuUsPerMessage: main0 === null || main1 === null ? null : (main1 - main0) / COUNT,
      rssMb: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
} finally {
  await wm.close();
  peer.child.kill();
}
