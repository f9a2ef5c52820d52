import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redirectPage } from './link-page.ts';
import { unsubscribedPage, unsubscribePage } from './unsubscribe-page.ts';

describe('unsubscribe pages', () => {
  it("offers the link's topic or the whole channel, in the channel's words", () => {
    const html = unsubscribePage({
      channel: 'sms',
      topic: 'offers',
      channelOff: false,
      topicOff: false,
    });
    assert.match(html, /<form method="post">/);
    assert.match(html, /value="topic" checked> Only “offers” text messages<\/label>/);
    assert.match(html, /value="channel"> All marketing text messages<\/label>/);
    assert.doesNotMatch(html, /<script/);
  });

  it('says so when the whole channel is already off, and after unsubscribing', () => {
    const off = unsubscribePage({ channel: 'email', topic: '', channelOff: true, topicOff: false });
    assert.match(off, /You no longer receive marketing emails from us\./);
    assert.doesNotMatch(off, /<form/);
    assert.match(unsubscribedPage('voice', ''), /no longer receive marketing calls\./);
  });

  it('escapes what it interpolates', () => {
    const html = unsubscribePage({
      channel: '<b>',
      topic: '"><script>',
      channelOff: false,
      topicOff: true,
    });
    assert.doesNotMatch(html, /<script>|<b>/);
    assert.match(unsubscribedPage('email', '<i>'), /&#60;i&#62;/);
    assert.equal(
      redirectPage('https://shop.example/?a=1&b="2"'),
      '<!doctype html><a href="https://shop.example/?a=1&#38;b=&#34;2&#34;">Continue</a>\n',
    );
  });
});
