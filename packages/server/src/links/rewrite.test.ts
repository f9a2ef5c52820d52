import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secrets } from '../secrets.ts';
import { CLICK_PURPOSE, OPEN_PURPOSE, type ClickToken, type OpenToken } from './index.ts';
import {
  decodeAttribute,
  rewriteTextLinks,
  trackEmailHtml,
  type EmailTracking,
} from './rewrite.ts';

const secrets = new Secrets(Buffer.alloc(32, 7));
const PUBLIC = 'https://wm.example.com';
const UNSUB = `${PUBLIC}/u/abc.def`;
const t: EmailTracking = {
  publicUrl: PUBLIC,
  secrets,
  workspaceId: 'default',
  messageId: 'msg-1',
  unsubscribeUrl: UNSUB,
};

/** The click tokens of rewritten links, in order, verified. */
function clicks(html: string): ClickToken[] {
  return [...html.matchAll(/\/t\/c\/([^"]+)"/g)].map((m) => {
    const payload = secrets.verify<ClickToken>(CLICK_PURPOSE, m[1]!);
    assert.ok(payload, 'every click token verifies');
    return payload;
  });
}

describe('email link rewriting', () => {
  it('rewrites every http(s) link to a signed redirect carrying the URL and its index', () => {
    const html = trackEmailHtml(
      `<p><a href="https://shop.example.com/cart">Cart</a> <A class="b" HREF='http://x.example/a'>A</A>
       <a href=https://y.example/b>B</a> <area shape="rect" href="https://z.example/">`,
      { ...t, opens: false },
    );
    assert.deepEqual(
      clicks(html).map((c) => [c.u, c.i, c.w, c.m]),
      [
        ['https://shop.example.com/cart', 0, 'default', 'msg-1'],
        ['http://x.example/a', 1, 'default', 'msg-1'],
        ['https://y.example/b', 2, 'default', 'msg-1'],
        ['https://z.example/', 3, 'default', 'msg-1'],
      ],
    );
    assert.match(html, /<A class="b" HREF="https:\/\/wm\.example\.com\/t\/c\//);
    assert.doesNotMatch(html, /shop\.example\.com/, 'the original URL is only inside the token');
  });

  it('decodes HTML entities: the redirect goes to the URL the browser would have opened', () => {
    const html = trackEmailHtml(
      '<a href="https://shop.example.com/p?a=1&amp;b=2&#38;c=%20&#x3D;">x</a>',
      { ...t, opens: false },
    );
    assert.equal(clicks(html)[0]?.u, 'https://shop.example.com/p?a=1&b=2&c=%20=');
    assert.equal(decodeAttribute('&lt;&unknown;&#0;&#x1F600;'), '<&unknown;&#0;😀');
  });

  it('leaves the unsubscribe link, mailto:, tel:, anchors, opted-out and foreign-scheme links alone', () => {
    const source = [
      `<a href="${UNSUB}">unsubscribe</a>`,
      `<a href="${PUBLIC}/u/other.token">another unsubscribe</a>`,
      '<a href="mailto:help@example.com">mail</a>',
      '<a href="tel:+351212345678">call</a>',
      '<a href="#top">top</a>',
      '<a href="sms:+351912345678">sms</a>',
      '<a data-waymark-notrack href="https://private.example/">private</a>',
      '<a data-href="https://not-an-href.example/">no href</a>',
      '<link href="https://fonts.example/css" rel="stylesheet">',
    ].join('\n');
    assert.equal(trackEmailHtml(source, { ...t, opens: false }), source);
  });

  it('a URL too long for one path segment is left as it is', () => {
    const long = `https://x.example/${'a'.repeat(3000)}`;
    const html = trackEmailHtml(`<a href="${long}">x</a><a href="https://ok.example">y</a>`, {
      ...t,
      opens: false,
    });
    assert.ok(html.includes(long));
    assert.deepEqual(
      clicks(html).map((c) => [c.u, c.i]),
      [['https://ok.example', 0]],
    );
  });

  it('puts one open pixel before </body>, signed for the message', () => {
    const html = trackEmailHtml('<html><body><p>Hi</p></BODY></html>', { ...t, clicks: false });
    const m = /<img src="https:\/\/wm\.example\.com\/t\/o\/([^"]+)\.gif"[^>]*><\/BODY>/.exec(html);
    assert.ok(m, html);
    assert.deepEqual(secrets.verify<OpenToken>(OPEN_PURPOSE, m[1]!), { w: 'default', m: 'msg-1' });
    assert.equal(secrets.verify(CLICK_PURPOSE, m[1]!), null, 'an open token is not a click token');
    assert.ok(
      trackEmailHtml('<p>no body tag</p>', t).endsWith(
        '.gif" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0">',
      ),
    );
  });

  it('opens: false and clicks: false leave the HTML untouched', () => {
    const source = '<body><a href="https://a.example">a</a></body>';
    assert.equal(trackEmailHtml(source, { ...t, opens: false, clicks: false }), source);
  });
});

describe('text link rewriting (SMS)', () => {
  it('rewrites the URLs of a text in order, keeping the punctuation after them outside', () => {
    const text = rewriteTextLinks(
      `Invoice F-17 is overdue. Pay: https://pay.example.com/F-17?c=1&d=2. Help (https://help.example/faq), call 800 100 200 or see ${UNSUB} or ${PUBLIC}/t/c/x.y`,
      t,
    );
    const tokens = [...text.matchAll(/wm\.example\.com\/t\/c\/([\w-]+\.[\w-]{22})/g)];
    const payloads = tokens
      .map((m) => secrets.verify<ClickToken>(CLICK_PURPOSE, m[1]!))
      .filter((p) => p !== null);
    assert.deepEqual(
      payloads.map((c) => [c.u, c.i, c.m]),
      [
        ['https://pay.example.com/F-17?c=1&d=2', 0, 'msg-1'],
        ['https://help.example/faq', 1, 'msg-1'],
      ],
    );
    assert.match(
      text,
      /^Invoice F-17 is overdue\. Pay: https:\/\/wm\.example\.com\/t\/c\/\S+\. Help \(/,
    );
    assert.match(text, /\), call 800 100 200 or see /);
    assert.ok(text.includes(UNSUB), 'the unsubscribe link is left alone');
    assert.ok(text.endsWith(`${PUBLIC}/t/c/x.y`), 'a tracking link is not wrapped again');
    assert.equal(
      rewriteTextLinks('No link here. www.example.com', t),
      'No link here. www.example.com',
    );
  });
});
