// Template rendering as a recipient sees it: MJML compiled to responsive tables with the Liquid
// personalised per recipient, the text part made from the HTML, dates and money in the
// recipient's zone and locale, `[[[customer_name]]]` placeholders, HTML escaping, and a missing
// variable or broken MJML failing with an error naming field and variable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateJourney, type JourneyDefinition } from '@waymark/core';
import {
  RenderError,
  recipientLocale,
  renderTemplate,
  renderTemplateContent,
  textFromHtml,
  type RenderScope,
} from './render.ts';
import { CLICK_PURPOSE } from '../links/index.ts';
import { Secrets } from '../secrets.ts';

const MJML = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Olá {{ profile.traits.first_name }}, a sua encomenda de {{ event.properties.placed_at | date: '%d %B %Y, %H:%M' }}</mj-text>
        <mj-text>Total: {{ event.properties.total | money: 'EUR' }}</mj-text>
        <mj-raw>{% if profile.traits.vip %}</mj-raw>
        <mj-text>Cliente VIP</mj-text>
        <mj-raw>{% endif %}</mj-raw>
        <mj-button href="https://shop.example/orders/{{ event.properties.order_id }}">Ver encomenda</mj-button>
        <mj-text><a href="{{ unsubscribe_url }}">Cancelar subscrição</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

function definition(templates: Record<string, unknown>, policies: Record<string, unknown> = {}) {
  const result = validateJourney({
    schemaVersion: 1,
    id: 'orders',
    name: 'Orders',
    trigger: { type: 'event', event: 'order_placed' },
    start: 'email',
    nodes: {
      email: { type: 'send', channel: 'email', template: Object.keys(templates)[0], next: 'done' },
      done: { type: 'exit' },
    },
    templates,
    policies,
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.definition as JourneyDefinition;
}

function scope(traits: Record<string, unknown>, properties: Record<string, unknown> = {}) {
  return {
    profile: { id: 'p1', traits },
    trigger: { name: 'order_placed', properties },
    run: { id: 'r1', journeyId: 'orders' },
    message: { id: 'm1' },
    unsubscribeUrl: 'https://waymark.example/u/tok.en',
    timezone: typeof traits.timezone === 'string' ? traits.timezone : 'UTC',
    locale: recipientLocale(traits),
    now: Date.parse('2026-03-02T10:00:00Z'),
  } satisfies RenderScope;
}

const ORDER = { placed_at: '2026-03-05T23:30:00Z', total: 1234.5, order_id: 'A-17' };

describe('renderTemplate', () => {
  it('compiles MJML to responsive tables and personalises it per recipient', async () => {
    const def = definition({
      receipt: {
        channel: 'email',
        subject: 'Encomenda {{ event.properties.order_id }}',
        html: MJML,
      },
    });
    const ana = await renderTemplate(
      def,
      'receipt',
      scope({ first_name: 'Ana', locale: 'pt_PT', timezone: 'Europe/Lisbon', vip: true }, ORDER),
    );
    assert.equal(ana.subject, 'Encomenda A-17');
    assert.match(ana.html!, /<table[^>]*role="presentation"/);
    assert.match(ana.html!, /@media only screen and \(min-width:480px\)/);
    assert.match(ana.html!, /Olá Ana, a sua encomenda de 05 março 2026, 23:30/);
    assert.match(ana.html!, /Total: 1234,50\s€/);
    assert.match(ana.html!, /Cliente VIP/);
    assert.match(ana.html!, /href="https:\/\/shop\.example\/orders\/A-17"/);
    assert.match(ana.html!, /href="https:\/\/waymark\.example\/u\/tok\.en"/);
    assert.doesNotMatch(ana.html!, /\{\{|\{%/);
    // No body: the text part comes from the HTML, links included.
    assert.match(ana.body, /Olá Ana, a sua encomenda de 05 março 2026, 23:30/);
    assert.match(ana.body, /Ver encomenda \[https:\/\/shop\.example\/orders\/A-17\]/);
    assert.doesNotMatch(ana.body, /<|&nbsp;/);

    // Same template, another recipient in Tokyo and US English: another day, other formats.
    const bob = await renderTemplate(
      def,
      'receipt',
      scope({ first_name: 'Bob', locale: 'en-US', timezone: 'Asia/Tokyo' }, ORDER),
    );
    assert.match(bob.html!, /Olá Bob, a sua encomenda de 06 March 2026, 08:30/);
    assert.match(bob.html!, /Total: €1,234\.50/);
    assert.doesNotMatch(bob.html!, /Cliente VIP/);
  });

  it('formats date presets and Luxon tokens in the recipient locale and zone', async () => {
    const def = definition({
      t: {
        channel: 'email',
        subject: "{{ event.properties.at | date: 'long' }}",
        body: "{{ event.properties.at | date: 'cccc HH:mm' }} / {{ event.properties.at | date: 'iso' }} / {{ 'now' | date: 'short' }}",
      },
    });
    const out = await renderTemplate(
      def,
      't',
      scope({ locale: 'de-DE', timezone: 'Europe/Berlin' }, { at: '2026-07-01T10:00:00Z' }),
    );
    assert.equal(out.subject, '1. Juli 2026');
    assert.equal(out.body, 'Mittwoch 12:00 / 2026-07-01T12:00:00.000+02:00 / 2.3.2026');
  });

  it('tracks the links of a text only when its template asks (tracking: { clicks: true })', async () => {
    const tracking = {
      publicUrl: 'https://waymark.example',
      secrets: new Secrets(Buffer.alloc(32, 3)),
      workspaceId: 'default',
      messageId: 'm1',
    };
    const def = definition({
      tracked: {
        body: 'Pay: {{ event.properties.url }}',
        tracking: { clicks: true },
      },
      plain: { body: 'Pay: {{ event.properties.url }}' },
    });
    const withScope = { ...scope({}, { url: 'https://pay.example.com/F-17' }), tracking };
    const tracked = await renderTemplate(def, 'tracked', withScope);
    const token = /^Pay: https:\/\/waymark\.example\/t\/c\/(\S+)$/.exec(tracked.body)?.[1];
    assert.ok(token, tracked.body);
    assert.deepEqual(tracking.secrets.verify(CLICK_PURPOSE, token), {
      w: 'default',
      m: 'm1',
      u: 'https://pay.example.com/F-17',
      i: 0,
    });
    const plain = await renderTemplate(def, 'plain', withScope);
    assert.equal(plain.body, 'Pay: https://pay.example.com/F-17');
  });

  it('accepts the seed articles [[[customer_name]]] placeholders', async () => {
    const def = definition({
      t: { body: 'Hello [[[customer_name]]]. Call 900-900-900.' },
    });
    const out = await renderTemplate(def, 't', scope({ customer_name: 'Rita' }));
    assert.equal(out.body, 'Hello Rita. Call 900-900-900.');
  });

  it('escapes values in HTML but not in the subject or text', async () => {
    const def = definition({
      t: {
        channel: 'email',
        subject: 'Hi {{ profile.traits.first_name }}',
        body: 'Hi {{ profile.traits.first_name }}',
        html: '<p>Hi {{ profile.traits.first_name }}</p>',
      },
    });
    const out = await renderTemplate(def, 't', scope({ first_name: 'Tom & <Jerry>' }));
    assert.equal(out.subject, 'Hi Tom & <Jerry>');
    assert.equal(out.body, 'Hi Tom & <Jerry>');
    assert.equal(out.html, '<p>Hi Tom &amp; &lt;Jerry&gt;</p>');
  });

  it('makes the text part once per template: the same text as converting each rendered HTML', async () => {
    const html = `<mjml><mj-body><mj-section><mj-column>
      <mj-text>Hello {{ profile.traits.first_name }}, here are your {{ event.properties.items.size }} items:</mj-text>
      <mj-raw>{% for item in event.properties.items %}</mj-raw>
      <mj-text>{{ item.name }} — {{ item.price | money: 'EUR' }}</mj-text>
      <mj-raw>{% endfor %}</mj-raw>
      <mj-raw>{% if profile.traits.vip %}</mj-raw><mj-text>Thanks for being VIP!</mj-text><mj-raw>{% endif %}</mj-raw>
      <mj-button href="https://shop.example/cart/{{ profile.id }}">My cart</mj-button>
      <mj-image src="https://cdn.example/{{ profile.id }}.png" alt="" />
    </mj-column></mj-section></mj-body></mjml>`;
    const def = definition({ t: { channel: 'email', subject: 's', html } });
    const items = [
      { name: 'Boots', price: 80 },
      { name: 'Tom & <Jerry> socks', price: 4.5 },
    ];
    for (const traits of [
      { first_name: 'Ana', vip: true },
      { first_name: 'Rui', vip: false },
    ]) {
      const out = await renderTemplate(def, 't', {
        ...scope(traits, { items }),
        tracking: undefined,
      });
      // Per message, as before: the recipient's rendered HTML converted.
      assert.equal(out.body, textFromHtml(out.html!));
      assert.match(out.body, /Tom & <Jerry> socks/);
      assert.equal(out.body.includes('Thanks for being VIP!'), traits.vip);
      assert.match(out.body, /My cart \[https:\/\/shop\.example\/cart\/p1\]/);
    }
  });

  it("drops MJML's indentation, unless the email keeps white space as written", async () => {
    const lean = definition({ t: { channel: 'email', subject: 's', html: MJML } });
    const out = await renderTemplate(
      lean,
      't',
      scope({ first_name: 'Ana' }, { total: 1, order_id: 'o1', placed_at: '2026-05-01T10:00:00Z' }),
    );
    assert.doesNotMatch(out.html!, /\n[ \t]+</);
    assert.match(out.html!, /<!--\[if mso \| IE\]>|<!--\[if mso\]>/, 'Outlook conditionals stay');
    const poem = MJML.replace(
      '<mj-text>Cliente VIP</mj-text>',
      '<mj-raw><pre>  two\n    spaces</pre></mj-raw>',
    );
    const kept = await renderTemplate(
      definition({ t: { channel: 'email', subject: 's', html: poem } }),
      't',
      scope(
        { first_name: 'Ana', vip: true },
        { total: 1, order_id: 'o1', placed_at: '2026-05-01T10:00:00Z' },
      ),
    );
    assert.ok(kept.html!.includes('<pre>  two\n    spaces</pre>'));
    assert.match(kept.html!, /\n[ \t]+</);
  });

  it('falls back to converting each message when a {% %} tag would not survive', async () => {
    // The tag sits in an image's address, which the text part leaves out.
    const html =
      '<p>Hi {{ profile.traits.first_name }}</p><img src="https://cdn.example/{% if profile.traits.vip %}gold{% else %}plain{% endif %}.png">';
    const def = definition({ t: { channel: 'email', subject: 's', html } });
    const out = await renderTemplate(def, 't', scope({ first_name: 'Eva', vip: true }));
    assert.equal(out.body, 'Hi Eva');
    assert.equal(out.body, textFromHtml(out.html!));
  });

  it('resolves the sender: the template, then policies.email', async () => {
    const def = definition(
      {
        own: { channel: 'email', subject: 's', body: 'b', from: 'Billing <billing@shop.example>' },
        other: { channel: 'email', subject: 's', body: 'b' },
      },
      { email: { from: 'Shop <news@shop.example>', replyTo: 'help@shop.example' } },
    );
    const own = await renderTemplate(def, 'own', scope({}));
    assert.equal(own.from, 'Billing <billing@shop.example>');
    assert.equal(own.replyTo, 'help@shop.example');
    const other = await renderTemplate(def, 'other', scope({}));
    assert.equal(other.from, 'Shop <news@shop.example>');
  });

  it('fails naming the field and the missing variable, never half-rendering', async () => {
    const def = definition({
      t: {
        channel: 'email',
        subject: 'Hi {{ profile.traits.first_name }}',
        html: MJML,
      },
    });
    await assert.rejects(
      renderTemplate(def, 't', scope({ first_name: 'Ana' }, { total: 3 })),
      (err: unknown) =>
        err instanceof RenderError &&
        err.field === 'html' &&
        /^html: undefined variable: event\.properties\.placed_at/.test(err.message),
    );
    await assert.rejects(
      renderTemplate(def, 't', scope({}, ORDER)),
      (err: unknown) =>
        err instanceof RenderError &&
        err.field === 'subject' &&
        /undefined variable: profile\.traits\.first_name/.test(err.message),
    );
    // `default` and `if` may test what is absent.
    const lenient = definition({
      t: {
        body: "Hi {{ profile.traits.first_name | default: 'there' }}{% if profile.traits.vip %} VIP{% endif %}",
      },
    });
    assert.equal((await renderTemplate(lenient, 't', scope({}))).body, 'Hi there');
  });

  it('reports bad filter input and broken MJML clearly', async () => {
    const def = definition({
      t: { channel: 'email', subject: "{{ event.properties.total | money: 'EUR' }}", body: 'x' },
    });
    await assert.rejects(
      renderTemplate(def, 't', scope({}, { total: 'lots' })),
      /subject: money: "lots" is not an amount/,
    );
    await assert.rejects(
      renderTemplateContent(
        def,
        { channel: 'email', html: '<mjml><mj-body><mj-nope/></mj-body></mjml>' },
        scope({}),
      ),
      (err: unknown) =>
        err instanceof RenderError && err.field === 'html' && /mj-nope/.test(err.message),
    );
  });
});
