import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusPage } from './status-page.ts';

describe('status page', () => {
  it('shows the version, the journeys by status and the address in the examples', () => {
    const html = statusPage({
      version: '1.2.3',
      base: 'http://127.0.0.1:3000',
      journeys: { live: 2, draft: 1 },
    });
    assert.match(html, /version 1\.2\.3/);
    assert.match(html, /<li><strong>2<\/strong> live<\/li><li><strong>1<\/strong> draft<\/li>/);
    assert.match(html, /curl -u "\$WAYMARK_WRITE_KEY:" http:\/\/127\.0\.0\.1:3000\/v1\/track/);
  });

  it('says how to add a journey when there is none', () => {
    const html = statusPage({ version: '1', base: 'http://x', journeys: {} });
    assert.match(html, /No journeys yet/);
  });

  it('escapes what it interpolates', () => {
    const html = statusPage({
      version: '<b>',
      base: 'http://x/"><script>',
      journeys: { '<i>': 1 },
    });
    assert.doesNotMatch(html, /<script>|<b>|<i>/);
    assert.match(html, /&#60;script&#62;/);
  });
});
