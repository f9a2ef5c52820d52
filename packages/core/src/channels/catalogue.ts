/**
 * The channel catalogue: what Waymark knows of each message channel, in one record per channel —
 * its label, the profile trait holding the recipient's address, whether its messages may carry
 * tracked links, whether customers can write back, and the consent words it answers. The
 * evaluator, the engine, the delivery policies, profiles and the consent routes read it; a new
 * channel is one entry here (the compiler asks for it: `satisfies Record<Channel, ChannelKind>`).
 */
import type { Channel } from '../journey/schema.ts';

/** What an SMS keyword does: opt out, opt back in, or ask for help. */
export type ConsentKeyword = 'stop' | 'start' | 'help';

/**
 * The consent words of text channels, as carriers spell them (CTIA, Twilio's defaults), lower
 * case. A message that is exactly one of them (punctuation aside) is that keyword.
 */
export const TEXT_CONSENT_WORDS: Readonly<Record<string, ConsentKeyword>> = {
  stop: 'stop',
  stopall: 'stop',
  unsubscribe: 'stop',
  cancel: 'stop',
  end: 'stop',
  quit: 'stop',
  start: 'start',
  yes: 'start',
  unstop: 'start',
  help: 'help',
  info: 'help',
};

/** One channel's entry in the catalogue. */
export interface ChannelKind {
  /** How people name it ("SMS", "Voice call"). */
  label: string;
  /** The profile trait a send reads its recipient from, unless the node says `to`. */
  addressTrait: 'email' | 'phone' | 'push_token';
  /** Whether its messages may carry tracked links: email always, texts when their template asks. */
  tracksLinks: boolean;
  /** Whether customers can write back (replies a journey can wait for and branch on). */
  twoWay: boolean;
  /** The consent words its inbound messages answer (STOP, START, HELP); empty for none. */
  consentWords: Readonly<Record<string, ConsentKeyword>>;
}

/** Every message channel; see the module header. */
export const CHANNELS = {
  email: {
    label: 'Email',
    addressTrait: 'email',
    tracksLinks: true,
    twoWay: true,
    consentWords: {},
  },
  sms: {
    label: 'SMS',
    addressTrait: 'phone',
    tracksLinks: true,
    twoWay: true,
    consentWords: TEXT_CONSENT_WORDS,
  },
  voice: {
    label: 'Voice call',
    addressTrait: 'phone',
    tracksLinks: false,
    twoWay: false,
    consentWords: {},
  },
  push: {
    label: 'Push',
    addressTrait: 'push_token',
    tracksLinks: false,
    twoWay: false,
    consentWords: {},
  },
  whatsapp: {
    label: 'WhatsApp',
    addressTrait: 'phone',
    tracksLinks: true,
    twoWay: true,
    consentWords: TEXT_CONSENT_WORDS,
  },
} as const satisfies Record<Channel, ChannelKind>;

/** The catalogue entry of a channel named at run time, or undefined (`webhook`, a typo). */
export function channelKind(name: string): ChannelKind | undefined {
  return Object.hasOwn(CHANNELS, name) ? CHANNELS[name as Channel] : undefined;
}

/** The channels whose recipients' addresses live in `trait` (`phone` → sms, voice, whatsapp). */
export function channelsByAddress(trait: ChannelKind['addressTrait']): Channel[] {
  return (Object.keys(CHANNELS) as Channel[]).filter((c) => CHANNELS[c].addressTrait === trait);
}
