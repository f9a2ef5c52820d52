// The machine heuristics of email tracking, case by case (the HTTP test drives them end to end).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BURST_MS, SCANNER_DELAY_MS, classifyClick, classifyOpen, type Hit } from './tracking.ts';

const SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148';
const GMAIL =
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const hit = (userAgent: string, ip = '203.0.113.9', method = 'GET'): Hit => ({
  userAgent,
  ip,
  method,
});

describe('open heuristics', () => {
  it('Apple Mail Privacy Protection: the bare "Mozilla/5.0" agent, or an address in 17.0.0.0/8', () => {
    assert.deepEqual(classifyOpen(hit('Mozilla/5.0')), {
      machine: true,
      reason: 'apple_mail_privacy',
    });
    assert.deepEqual(classifyOpen(hit(' Mozilla/5.0 ')), {
      machine: true,
      reason: 'apple_mail_privacy',
    });
    assert.deepEqual(classifyOpen(hit(SAFARI, '17.58.101.4')), {
      machine: true,
      reason: 'apple_proxy_address',
    });
    assert.equal(classifyOpen(hit(SAFARI, '::ffff:17.1.2.3')).machine, true);
    assert.equal(classifyOpen(hit(SAFARI, '171.1.2.3')).machine, false, 'not 17/8');
    assert.equal(classifyOpen(hit(SAFARI, '117.1.2.3')).machine, false);
  });

  it("Gmail's image proxy is a person opening: proxied, not machine", () => {
    assert.deepEqual(classifyOpen(hit(GMAIL)), { machine: false, proxied: true });
  });

  it('a browser is a person; no agent or a scanner agent is a machine', () => {
    assert.deepEqual(classifyOpen(hit(SAFARI)), { machine: false });
    assert.equal(classifyOpen(hit('')).reason, 'no_user_agent');
    assert.equal(classifyOpen(hit('python-requests/2.31')).reason, 'scanner_user_agent');
  });
});

describe('click heuristics', () => {
  const now = 1_000_000;
  const base = { now, sentAt: now - 60_000, link: 0, recent: [] };

  it('a person clicking a minute after the send', () => {
    assert.deepEqual(classifyClick({ ...base, hit: hit(SAFARI) }), { machine: false });
  });

  it('HEAD requests and scanner agents', () => {
    assert.equal(
      classifyClick({ ...base, hit: hit(SAFARI, '1.2.3.4', 'HEAD') }).reason,
      'head_request',
    );
    for (const ua of [
      'Mozilla/5.0 (compatible; Barracuda Sentinel)',
      'Mimecast URL Protect',
      'Proofpoint URL Defense',
      'Go-http-client/1.1',
      'curl/8.5.0',
      'Mozilla/5.0 HeadlessChrome/120.0',
    ])
      assert.equal(classifyClick({ ...base, hit: hit(ua) }).reason, 'scanner_user_agent', ua);
  });

  it(`a click within ${SCANNER_DELAY_MS / 1000} s of the send is a scanner's; after it, a person's`, () => {
    const at = (sentAgo: number) =>
      classifyClick({ ...base, sentAt: now - sentAgo, hit: hit(SAFARI) }).machine;
    assert.equal(at(SCANNER_DELAY_MS - 1), true);
    assert.equal(at(SCANNER_DELAY_MS), false);
    assert.equal(classifyClick({ ...base, sentAt: null, hit: hit(SAFARI) }).machine, false);
  });

  it('a third distinct link within one second is a burst; the same link again is not', () => {
    const recent = [
      { at: now - 100, link: 1 },
      { at: now - 200, link: 2 },
    ];
    assert.equal(
      classifyClick({ ...base, link: 0, recent, hit: hit(SAFARI) }).reason,
      'many_links_at_once',
    );
    assert.equal(classifyClick({ ...base, link: 1, recent, hit: hit(SAFARI) }).machine, false);
    const old = recent.map((c) => ({ ...c, at: now - BURST_MS - 1 }));
    assert.equal(classifyClick({ ...base, link: 0, recent: old, hit: hit(SAFARI) }).machine, false);
  });
});
