// The delivery benchmark's Twilio peer (channels/twilio/testing/twilio-peer.ts), in a process of its
// own: prints its API base and credentials once listening and `{"done": <epoch ms>}` when it has
// accepted the number of messages given as argv[2].
import { TwilioPeer } from '../src/channels/twilio/testing/twilio-peer.ts';

const target = Number(process.argv[2]);
const peer = await TwilioPeer.start({ record: false });
process.stdout.write(
  JSON.stringify({ apiBase: peer.apiBase, sid: peer.accountSid, token: peer.authToken }) + '\n',
);
const timer = setInterval(() => {
  if (peer.counts.messages >= target) {
    process.stdout.write(JSON.stringify({ done: Date.now() }) + '\n');
    clearInterval(timer);
  }
}, 5);
