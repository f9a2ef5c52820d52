/**
 * The unsubscribe pages (`/u/{token}`) of every message's unsubscribe link: the confirmation
 * (choose the link's topic or the whole channel), the page after unsubscribing, and the page of
 * a link that is not valid. Plain HTML that works without JavaScript on a phone.
 */
import { escapeHtml } from './html.ts';

/** What the confirmation page shows. */
export interface UnsubscribePageData {
  /** The channel of the message (`email`, `sms`, …). */
  channel: string;
  /** The topic of the link; '' is the whole channel. */
  topic: string;
  /** The recipient no longer receives marketing messages of the channel. */
  channelOff: boolean;
  /** The recipient no longer receives messages of the topic. */
  topicOff: boolean;
}

const CHANNEL_WORDS: Record<string, string> = {
  email: 'emails',
  sms: 'text messages',
  voice: 'calls',
  push: 'notifications',
  whatsapp: 'WhatsApp messages',
};

const wordsOf = (channel: string): string => CHANNEL_WORDS[channel] ?? `${channel} messages`;

function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 18px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; }
  fieldset { border: 0; padding: 0; margin: 1rem 0; }
  label { display: block; padding: .6rem 0; }
  input[type=radio] { width: 1.2rem; height: 1.2rem; vertical-align: -.2rem; margin-right: .5rem; }
  button { font: inherit; padding: .7rem 1.4rem; border: 0; border-radius: 6px; background: #2557d6; color: #fff; }
  button:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The confirmation page of an unsubscribe link: choose the topic or the whole channel. */
export function unsubscribePage(view: UnsubscribePageData): string {
  const what = wordsOf(view.channel);
  const topic = escapeHtml(view.topic);
  if (view.channelOff)
    return shell(
      'Unsubscribed',
      `<h1>You are unsubscribed</h1><p>You no longer receive marketing ${escapeHtml(what)} from us.</p>`,
    );
  const choices = view.topic
    ? `<fieldset>
<legend>What do you want to stop receiving?</legend>
<label><input type="radio" name="scope" value="topic" checked> Only “${topic}” ${escapeHtml(what)}${view.topicOff ? ' (already stopped)' : ''}</label>
<label><input type="radio" name="scope" value="channel"> All marketing ${escapeHtml(what)}</label>
</fieldset>`
    : `<p>You will no longer receive marketing ${escapeHtml(what)} from us.</p>
<input type="hidden" name="scope" value="channel">`;
  return shell(
    'Unsubscribe',
    `<h1>Unsubscribe</h1>
<form method="post">
${choices}
<button type="submit">Unsubscribe</button>
</form>
<p><small>Messages you need for an order or your account still reach you.</small></p>`,
  );
}

/** The page after unsubscribing from a topic ('' : the whole channel). */
export function unsubscribedPage(channel: string, topic: string): string {
  const what = wordsOf(channel);
  const text = topic
    ? `You will no longer receive “${escapeHtml(topic)}” ${escapeHtml(what)}.`
    : `You will no longer receive marketing ${escapeHtml(what)}.`;
  return shell('Unsubscribed', `<h1>You are unsubscribed</h1><p>${text}</p>`);
}

/** The page of an unsubscribe link that is forged or incomplete. */
export function unsubscribeNotFoundPage(): string {
  return shell(
    'Link not valid',
    '<h1>This link is not valid</h1><p>It may be incomplete: open it again from the message you received.</p>',
  );
}
