/**
 * Reads the TwiML Waymark answers a voice call with, as Twilio would: the `<Say>` whisper and
 * the `<Dial>` to the customer (its number, action URL, caller ID and timeout).
 */

/** The `<Dial>` of a TwiML document, as Twilio would read it. */
export interface DialInstruction {
  number: string;
  action: string | null;
  callerId: string | null;
  timeout: number | null;
}

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeXml(m[1]!) : null;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Reads `<Say>` and `<Dial><Number>` from TwiML (enough for the callback script). */
export function readTwiml(twiml: string): { say: string | null; dial: DialInstruction | null } {
  const say = /<Say[^>]*>([\s\S]*?)<\/Say>/.exec(twiml);
  const dial = /(<Dial[^>]*>)([\s\S]*?)<\/Dial>/.exec(twiml);
  let instruction: DialInstruction | null = null;
  if (dial) {
    const number = /<Number[^>]*>([\s\S]*?)<\/Number>/.exec(dial[2]!);
    const timeout = attr(dial[1]!, 'timeout');
    instruction = {
      number: unescapeXml((number ? number[1]! : dial[2]!).trim()),
      action: attr(dial[1]!, 'action'),
      callerId: attr(dial[1]!, 'callerId'),
      timeout: timeout === null ? null : Number(timeout),
    };
  }
  return { say: say ? unescapeXml(say[1]!) : null, dial: instruction };
}
