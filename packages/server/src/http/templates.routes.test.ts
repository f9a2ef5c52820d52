// POST /api/journeys/:id/preview over real HTTP: an MJML template rendered for a profile (found
// by identity) and an example event in the profile's zone and locale, an inline edited template,
// and a 422 naming field and variable when the profile lacks one. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Preview } from '../app/templates.ts';
import { startTestServer, testDatabaseUrls, type TestServer } from './testing.ts';

const journey = `
schemaVersion: 1
id: orders
name: Order receipts
trigger: { type: event, event: order_placed }
start: email
nodes:
  email: { type: send, channel: email, template: receipt, next: done }
  done: { type: exit }
policies:
  email: { from: "Shop <shop@shop.example>", replyTo: help@shop.example }
templates:
  receipt:
    channel: email
    subject: "Order {{ event.properties.order_id }} for [[[first_name]]]"
    html: |
      <mjml><mj-body><mj-section><mj-column>
        <mj-text>Olá {{ profile.traits.first_name }}: {{ event.properties.total | money: 'EUR' }},
          {{ event.properties.placed_at | date: 'long' }}</mj-text>
        <mj-button href="{{ unsubscribe_url }}">Sair</mj-button>
      </mj-column></mj-section></mj-body></mjml>
`;

for (const backend of testDatabaseUrls()) {
  describe(`template preview (${backend.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(backend);
      assert.equal((await server.admin('POST', '/api/journeys', journey)).status, 201);
      const identify = await server.track('/v1/identify', {
        userId: 'ana',
        traits: {
          email: 'ana@example.com',
          first_name: 'Ana',
          locale: 'pt-PT',
          timezone: 'Europe/Lisbon',
        },
      });
      assert.equal(identify.status, 200);
      await server.track('/v1/identify', {
        userId: 'nameless',
        traits: { email: 'n@example.com' },
      });
    });
    after(() => server.close());

    it('renders the template for a profile and an example event', async () => {
      const res = await server.admin<Preview>('POST', '/api/journeys/orders/preview', {
        template: 'receipt',
        profile: 'email:ana@example.com',
        event: {
          name: 'order_placed',
          properties: { order_id: 'A-17', total: 99.9, placed_at: '2026-07-01T23:30:00Z' },
        },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.subject, 'Order A-17 for Ana');
      assert.match(res.body.html!, /<table/);
      assert.match(res.body.html!, /Olá Ana: 99,90\s€,\s+2 de julho de 2026/);
      assert.match(res.body.html!, /href="http:\/\/127\.0\.0\.1:\d+\/u\/preview"/);
      assert.match(res.body.text, /Olá Ana: 99,90\s€/);
      assert.equal(res.body.from, 'Shop <shop@shop.example>');
      assert.equal(res.body.replyTo, 'help@shop.example');
    });

    it('renders an inline (edited, unsaved) template', async () => {
      const res = await server.admin<Preview>('POST', '/api/journeys/orders/preview', {
        template: { channel: 'sms', body: 'Hi [[[first_name]]]!' },
        profile: 'ana',
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, {
        subject: null,
        html: null,
        text: 'Hi Ana!',
        from: 'Shop <shop@shop.example>',
        replyTo: 'help@shop.example',
      });
    });

    it('answers 422 naming the field and the missing variable', async () => {
      const res = await server.admin<Preview>('POST', '/api/journeys/orders/preview', {
        template: 'receipt',
        profile: 'nameless',
        event: { properties: { order_id: 'A-18' } },
      });
      assert.equal(res.status, 422);
      assert.equal(res.body.error?.code, 'invalid_journey');
      assert.match(res.body.error!.message, /undefined variable: profile\.traits\.first_name/);
      assert.deepEqual(
        res.body.error?.details.map((d) => [d.path, d.code]),
        [['templates.receipt.subject', 'undefined_variable']],
      );
    });

    it('answers 404 for an unknown template, journey or profile', async () => {
      const noTemplate = await server.admin('POST', '/api/journeys/orders/preview', {
        template: 'nope',
        profile: 'ana',
      });
      assert.equal(noTemplate.status, 404);
      assert.equal(noTemplate.body.error?.details[0]?.path, 'body.template');
      const noJourney = await server.admin('POST', '/api/journeys/nope/preview', {
        template: 'receipt',
        profile: 'ana',
      });
      assert.equal(noJourney.status, 404);
      const noProfile = await server.admin('POST', '/api/journeys/orders/preview', {
        template: 'receipt',
        profile: 'nobody',
      });
      assert.equal(noProfile.status, 404);
    });
  });
}
