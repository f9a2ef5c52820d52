/**
 * TwiML, the XML Twilio's voice calls run: the callback script played to the contact-centre
 * agent (a short whisper, then `<Dial>` the customer) and the empty/hang-up answers.
 */
import { WebhookRejected } from '../sdk/index.ts';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** TwiML content type. */
export const TWIML_TYPE = 'text/xml; charset=utf-8';

/** An empty TwiML answer (status callbacks; Twilio ignores the body). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** Hangs up (after the bridged call or a failed dial). */
export const HANGUP_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';

/**
 * What the agent hears when they answer: the whisper, then the customer is dialled and bridged;
 * when the dial ends Twilio posts its result (`DialCallStatus`) to `action`.
 */
export function callbackTwiml(a: {
  whisper: string;
  customer: string;
  callerId: string;
  action: string;
  /** Seconds the customer's phone rings. */
  timeout: number;
}): string {
  const say = a.whisper.trim() ? `<Say>${escapeXml(a.whisper.trim())}</Say>` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?><Response>' +
    say +
    `<Dial action="${escapeXml(a.action)}" method="POST" callerId="${escapeXml(a.callerId)}" ` +
    `timeout="${a.timeout}"><Number>${escapeXml(a.customer)}</Number></Dial>` +
    '</Response>'
  );
}

/**
 * The TwiML answered to `…/voice/answer/{id}` once `parseWebhook` has verified the request: the
 * whisper, then `<Dial>` to the customer named in the (signed) URL, with the dial's result posted
 * to `…/voice/dial/{id}`.
 */
export function answerTwiml(verifiedUrl: string, whisper: string): string {
  const url = new URL(verifiedUrl);
  const customer = url.searchParams.get('customer');
  const callerId = url.searchParams.get('callerId');
  if (!customer || !callerId)
    throw new WebhookRejected('the TwiML URL names no customer or caller ID', 400);
  const action = new URL(url);
  action.pathname = action.pathname.replace(/\/answer\/([^/]+)$/, '/dial/$1');
  action.search = '';
  const key = url.searchParams.get('key');
  if (key) action.searchParams.set('key', key);
  return callbackTwiml({
    whisper,
    customer,
    callerId,
    action: action.toString(),
    timeout: Number(url.searchParams.get('ring') ?? 30),
  });
}
