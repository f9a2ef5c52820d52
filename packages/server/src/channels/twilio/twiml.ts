/**
 * TwiML, the XML Twilio's voice calls run: the callback script played to the contact-centre
 * agent (a short whisper, then `<Dial>` the customer) and the empty/hang-up answers.
 */

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
