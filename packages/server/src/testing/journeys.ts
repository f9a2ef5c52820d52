/**
 * Named fixture journeys for tests: small journey documents that several tests publish, so a
 * test names the journey it needs ("one email when the customer goes quiet") instead of carrying
 * its YAML. Journeys that only one test uses stay inline in that test, where they are read.
 * Used only by tests.
 */

/** What `oneMessage` builds. */
export interface OneMessage {
  id: string;
  /** Default: the id. */
  name?: string;
  /** The trigger, as in a journey document (`{ type: 'inactivity', after: 'P30D' }`). */
  trigger: Record<string, unknown>;
  /** Journey policies (re-entry, caps, send windows), when the test needs any. */
  policies?: Record<string, unknown>;
  /** Default email. */
  channel?: string;
  /** The template's name (what the outbox shows as `template`); default `message`. */
  template?: string;
  subject?: string;
  /** Default `-`. */
  body?: string;
  /** More fields of the send node (`topic`, `transactional`, `to`…). */
  send?: Record<string, unknown>;
}

/**
 * The smallest useful journey: when `trigger` fires, send one message, then exit. Its nodes are
 * `send` and `done`.
 */
export function oneMessage(o: OneMessage): Record<string, unknown> {
  const channel = o.channel ?? 'email';
  const template = o.template ?? 'message';
  return {
    schemaVersion: 1,
    id: o.id,
    name: o.name ?? o.id,
    trigger: o.trigger,
    ...(o.policies ? { policies: o.policies } : {}),
    start: 'send',
    nodes: {
      send: { type: 'send', channel, template, ...o.send, next: 'done' },
      done: { type: 'exit' },
    },
    templates: {
      [template]: {
        channel,
        ...(o.subject === undefined ? {} : { subject: o.subject }),
        body: o.body ?? '-',
      },
    },
  };
}

/**
 * Scenario 7, basket retargeting: on `cart_abandoned`, an email (`email`); wait up to 12 hours
 * for it to be opened (`wait`); if not, an SMS (`sms`); then exit (`done`).
 */
export function basketRetargeting(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id: 'basket',
    name: 'Basket retargeting',
    trigger: { type: 'event', event: 'cart_abandoned' },
    start: 'email',
    nodes: {
      email: { type: 'send', channel: 'email', template: 'mail', next: 'wait' },
      wait: {
        type: 'wait_for',
        outcome: { node: 'email', is: ['opened'] },
        timeout: 'PT12H',
        next: 'done',
        onTimeout: 'sms',
      },
      sms: { type: 'send', channel: 'sms', template: 'text', next: 'done' },
      done: { type: 'exit' },
    },
    templates: {
      mail: { channel: 'email', subject: 'Your basket is waiting', html: '<p>Still yours</p>' },
      text: { channel: 'sms', body: 'Your basket is waiting' },
    },
  };
}
