/**
 * Test fixtures of forms over HTTP: the forms the tests put, scenario 1's journey, and a server
 * with those forms for a `describe`, with the requests a recipient's browser and an operator make
 * (signed links as a message carries them, the page, one-click links, the events, submissions and
 * emails of a profile).
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { FormSubmissionRow } from '../app/forms.ts';
import type { listOutbox } from '../app/outbox.ts';
import { DEFAULT_WORKSPACE as WS } from '../app/workspaces.ts';
import type { ManualClock } from '../clock.ts';
import { startTestServer, type TestBackend, type TestServer } from './testing.ts';

type Outbox = Awaited<ReturnType<typeof listOutbox>>;
/** An event of a profile as the admin API lists it. */
export type Event = { type: string; name: string; properties: Record<string, unknown> };

/** One day in milliseconds. */
export const DAY = 86_400_000;
/** When the tests' clock starts. */
export const START = Date.parse('2026-05-04T09:00:00.000Z');

/** Three questions, the first one required: a one-click link stays provisional. */
export const feedbackForm = {
  id: 'feedback',
  title: 'Why did you stop shopping with us?',
  intro: 'One minute, three questions.',
  questions: [
    {
      id: 'reason',
      type: 'choice',
      label: 'The main reason',
      required: true,
      options: [
        { value: 'price', label: 'Prices are too high' },
        { value: 'quality', label: 'Quality' },
        'other',
      ],
    },
    { id: 'score', type: 'rating', label: 'Rate us overall' },
    { id: 'comment', type: 'text', label: 'Anything else?' },
  ],
  thanks: 'Thank you, we read every answer.',
};

/** A browser's user agent: a person's click. */
export const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** Two required questions: one-click links stay provisional. */
export const checkoutForm = {
  id: 'checkout',
  title: 'How was checkout?',
  questions: [
    { id: 'nps', type: 'nps', label: 'How likely are you to recommend us?', required: true },
    { id: 'easy', type: 'choice', label: 'Was it easy?', required: true, options: ['yes', 'no'] },
  ],
};

/** A single NPS question. */
export const npsForm = {
  id: 'nps',
  title: 'One question',
  questions: [{ id: 'nps', type: 'nps', label: 'How likely are you to recommend us?' }],
  thanks: 'Thanks for your score.',
};

/** One required question and an optional one, as YAML. */
export const surveyYaml = `
id: survey
title: How was your delivery?
questions:
  - { id: nps, type: nps, label: How likely are you to recommend us?, required: true }
  - id: topics
    type: multiple_choice
    label: What went well?
    options: [speed, packaging, courier]
`;

// Scenario 1: quiet for 30 days → feedback email → tailored reply, or a coupon after 5 days.
export const retention = `
schemaVersion: 1
id: retention
name: Retention
trigger: { type: inactivity, after: 30d }
start: ask
nodes:
  ask: { type: send, channel: email, template: ask, next: wait }
  wait:
    type: wait_for
    event: form_submitted
    where: { field: event.properties.form, op: eq, value: feedback }
    timeout: 5d
    next: route
    onTimeout: coupon
  route:
    type: branch
    cases:
      - when: { field: last.properties.answers.reason, op: eq, value: price }
        next: price
    default: generic
  price: { type: send, channel: email, template: price, next: done }
  generic: { type: send, channel: email, template: generic, next: done }
  coupon: { type: send, channel: email, template: coupon, next: done }
  done: { type: exit }
templates:
  ask:
    channel: email
    subject: "We miss you, {{ profile.traits.name }}"
    html: '<p>Tell us why: <a href="{{ ''feedback'' | form_url }}">answer</a>. Or rate us: <a href="{{ ''feedback'' | form_url: ''score'', 5 }}">5</a></p>'
  price: { channel: email, subject: Our prices, body: "Here is our price-match promise." }
  generic: { channel: email, subject: Thanks, body: "Thanks for telling us." }
  coupon: { channel: email, subject: A coupon, body: "Here is 10% off: COMEBACK10" }
`;

/**
 * Starts a server on `backend` before the enclosing `describe`'s tests, with the feedback,
 * checkout and NPS forms put, and closes it after them; answers the helpers the tests use.
 */
export function formsServer(backend: TestBackend, clock: ManualClock) {
  let server: TestServer;

  before(async () => {
    server = await startTestServer(backend, { clock });
    for (const form of [feedbackForm, checkoutForm, npsForm]) {
      const put = await server.admin('PUT', `/api/forms/${form.id}`, form);
      assert.equal(put.status, 200, JSON.stringify(put.body));
    }
  });
  after(() => server.close());

  async function profileId(userId: string): Promise<string> {
    await server.track('/v1/identify', {
      userId,
      traits: { name: userId, email: `${userId}@example.com` },
    });
    const p = await server.admin<{ profile: { id: string } }>('GET', `/api/profiles/${userId}`);
    return p.body.profile.id;
  }

  /** A signed link token for a profile, as a message would carry it. */
  function token(profile: string, form = 'feedback', m = `m-${profile}`): string {
    return server.waymark.deps.secrets.sign('form', { w: WS, p: profile, f: form, m, r: 'r1' });
  }

  const page = (t: string, init?: RequestInit) => fetch(`${server.address}/f/${t}`, init);
  const post = (t: string, body: string) =>
    page(t, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

  async function events(userId: string, name = 'form_submitted'): Promise<Event[]> {
    const res = await server.admin<{ items: Event[] }>(
      'GET',
      `/api/profiles/${userId}/events?limit=100`,
    );
    return res.body.items.filter((e) => e.name === name);
  }

  /** A one-click link opened with a user agent (a person's browser unless told). */
  const click = (t: string, query: string, ua = BROWSER, method = 'GET') =>
    page(`${t}?${query}`, { method, headers: { 'user-agent': ua } });

  async function submissions(form = 'feedback'): Promise<FormSubmissionRow[]> {
    const res = await server.admin<{ items: FormSubmissionRow[] }>(
      'GET',
      `/api/forms/${form}/submissions`,
    );
    return res.body.items;
  }

  async function emails(userId: string): Promise<Outbox['items']> {
    const res = await server.admin<Outbox>('GET', `/api/outbox?profile=userId:${userId}`);
    return res.body.items.filter((m) => m.channel === 'email');
  }

  /**
   * The form link (`/f/…` with its query) of the nth link in the email's HTML, followed as a
   * mail client would: through the click-tracking redirect when links are tracked.
   */
  async function formLink(html: string, nth: number): Promise<string> {
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    let url = hrefs[nth];
    assert.ok(url, `a link in ${html}`);
    for (let hops = 0; !/\/f\//.test(new URL(url).pathname) && hops < 3; hops += 1) {
      const res = await fetch(`${server.address}${new URL(url).pathname}${new URL(url).search}`, {
        redirect: 'manual',
      });
      const location = res.headers.get('location');
      assert.ok(location, `${url} leads somewhere (status ${res.status})`);
      url = new URL(location, url).toString();
    }
    const { pathname, search } = new URL(url);
    assert.match(pathname, /^\/f\//);
    return `${pathname}${search}`;
  }

  return {
    /** The server (started by the time a test runs). */
    get server(): TestServer {
      return server;
    },
    profileId,
    token,
    page,
    post,
    events,
    click,
    submissions,
    emails,
    formLink,
  };
}
