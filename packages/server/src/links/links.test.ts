// Signed links byte for byte: links already in people's inboxes must keep working, so each kind's
// URL for a fixed key is pinned here; and each kind reads back only its own tokens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secrets } from '../secrets.ts';
import {
  clickUrl,
  formUrl,
  openPixelUrl,
  readClickToken,
  readFormToken,
  readOpenToken,
  readUnsubscribeToken,
  unsubscribeUrl,
} from './index.ts';

const secrets = new Secrets(Buffer.from('k'.repeat(32)));
const PUBLIC = 'https://wm.example.com/';
const message = { publicUrl: PUBLIC, secrets, workspaceId: 'default', messageId: 'msg-1' };

/** The token of a link: the last path segment, without `.gif` or a query. */
const tokenOf = (url: string): string =>
  new URL(url).pathname
    .split('/')
    .pop()!
    .replace(/\.gif$/, '');

describe('signed links keep their format', () => {
  it('form links', () => {
    const target = { workspaceId: 'default', profileId: 'p-1', formId: 'feedback' };
    assert.equal(
      formUrl(PUBLIC, secrets, { ...target, messageId: 'msg-1', runId: 'run-1' }),
      'https://wm.example.com/f/eyJ3IjoiZGVmYXVsdCIsInAiOiJwLTEiLCJmIjoiZmVlZGJhY2siLCJtIjoibXNnLTEiLCJyIjoicnVuLTEifQ.Z_CFg8jtbsTpePnmdeGP9Q',
    );
    assert.equal(
      formUrl(
        'https://wm.example.com',
        secrets,
        { ...target, formId: 'nps' },
        { question: 'score', value: '9' },
      ),
      'https://wm.example.com/f/eyJ3IjoiZGVmYXVsdCIsInAiOiJwLTEiLCJmIjoibnBzIn0.K4bUD4uJS8ssae2sC7EPCA?q=score&a=9',
    );
  });

  it('unsubscribe links', () => {
    const target = { workspaceId: 'default', profileId: 'p-1' };
    assert.equal(
      unsubscribeUrl(PUBLIC, secrets, {
        ...target,
        channel: 'email',
        topic: 'news',
        messageId: 'msg-1',
      }),
      'https://wm.example.com/u/eyJ3IjoiZGVmYXVsdCIsInAiOiJwLTEiLCJjIjoiZW1haWwiLCJ0IjoibmV3cyIsIm0iOiJtc2ctMSJ9.E6bTdLg_lCDzCVg9thWK0Q',
    );
    assert.equal(
      unsubscribeUrl('https://wm.example.com', secrets, {
        ...target,
        channel: 'sms',
        messageId: 'msg-2',
      }),
      'https://wm.example.com/u/eyJ3IjoiZGVmYXVsdCIsInAiOiJwLTEiLCJjIjoic21zIiwidCI6IiIsIm0iOiJtc2ctMiJ9.OM0ldKDwRc42RqNZ9RZlug',
    );
  });

  it('open pixels and click redirects', () => {
    assert.equal(
      openPixelUrl(message),
      'https://wm.example.com/t/o/eyJ3IjoiZGVmYXVsdCIsIm0iOiJtc2ctMSJ9.aEZjH0Ei2CWI31qfRZ5L5Q.gif',
    );
    assert.equal(
      clickUrl(message, 'https://shop.example.com/a?b=1&c=é', 2),
      'https://wm.example.com/t/c/eyJ3IjoiZGVmYXVsdCIsIm0iOiJtc2ctMSIsInUiOiJodHRwczovL3Nob3AuZXhhbXBsZS5jb20vYT9iPTEmYz3DqSIsImkiOjJ9.RBJIJ1kF9afxLxptAiWOyQ',
    );
    assert.equal(clickUrl(message, `https://x.example/${'a'.repeat(2_000)}`, 0), null, 'too long');
  });
});

describe('signed links read back', () => {
  const form = tokenOf(formUrl(PUBLIC, secrets, { workspaceId: 'w', profileId: 'p', formId: 'f' }));
  const unsubscribe = tokenOf(
    unsubscribeUrl(PUBLIC, secrets, {
      workspaceId: 'w',
      profileId: 'p',
      channel: 'email',
      messageId: 'm',
    }),
  );
  const open = tokenOf(openPixelUrl(message));
  const click = tokenOf(clickUrl(message, 'https://shop.example.com/', 3)!);

  it('answers the payload of its own kind', () => {
    assert.deepEqual(readFormToken(secrets, form), { w: 'w', p: 'p', f: 'f' });
    assert.deepEqual(readUnsubscribeToken(secrets, unsubscribe), {
      w: 'w',
      p: 'p',
      c: 'email',
      t: '',
      m: 'm',
    });
    assert.deepEqual(readOpenToken(secrets, open), { w: 'default', m: 'msg-1' });
    assert.deepEqual(readClickToken(secrets, click), {
      w: 'default',
      m: 'msg-1',
      u: 'https://shop.example.com/',
      i: 3,
    });
  });

  it('refuses another kind, another key, an altered token and a bad payload', () => {
    const readers = [readFormToken, readUnsubscribeToken, readOpenToken, readClickToken];
    const tokens = [form, unsubscribe, open, click];
    readers.forEach((read, i) =>
      tokens.forEach((token, j) =>
        assert.equal(read(secrets, token) === null, i !== j, `${i}/${j}`),
      ),
    );
    const other = new Secrets(Buffer.alloc(32, 1));
    readers.forEach((read, i) => assert.equal(read(other, tokens[i]!), null));
    assert.equal(readFormToken(secrets, `x${form}`), null);
    assert.equal(readFormToken(secrets, secrets.sign('form', { w: 'w', p: '', f: 'f' })), null);
    assert.equal(
      readClickToken(secrets, secrets.sign('click', { w: 'w', m: 'm', u: 'javascript:x', i: 0 })),
      null,
    );
    assert.equal(
      readClickToken(secrets, secrets.sign('click', { w: 'w', m: 'm', u: 'https://x/', i: 0.5 })),
      null,
    );
    assert.equal(readOpenToken(secrets, secrets.sign('open', { w: 'w' })), null);
    assert.equal(
      readUnsubscribeToken(secrets, secrets.sign('unsubscribe', { w: 'w', p: 'p' })),
      null,
    );
  });
});
