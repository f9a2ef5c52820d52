/**
 * The server's secret key (WAYMARK_SECRET_KEY) and what is derived from it: signed tokens for
 * links (unsubscribe, click tracking, forms, provider callbacks) and encryption of stored
 * secrets. Each use derives its own sub-key, so a token of one kind never verifies as another.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The root key's length in bytes. */
const KEY_BYTES = 32;

/**
 * Returns the root key: WAYMARK_SECRET_KEY when set (any string of 32+ characters), else the key
 * file in the data folder, created on first use (mode 0600).
 */
export function loadSecretKey(config: { secretKey: string | undefined; dataDir: string }): Buffer {
  if (config.secretKey !== undefined) {
    if (config.secretKey.length < 32)
      throw new Error('WAYMARK_SECRET_KEY must be at least 32 characters long');
    return Buffer.from(config.secretKey, 'utf8');
  }
  const file = join(config.dataDir, 'secret.key');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  writeFileSync(file, key.toString('base64url') + '\n', { flag: 'wx', mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

/** Keys for each use, derived from the root key. */
export class Secrets {
  readonly #root: Buffer;
  readonly #derived = new Map<string, Buffer>();

  constructor(root: Buffer) {
    this.#root = root;
  }

  #key(purpose: string): Buffer {
    let key = this.#derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.#root, Buffer.alloc(0), purpose, KEY_BYTES));
      this.#derived.set(purpose, key);
    }
    return key;
  }

  /**
   * A URL-safe token carrying `payload` (JSON), signed for `purpose` (`unsubscribe`, `click`,
   * `form`, …). Not encrypted: put nothing secret in the payload.
   */
  sign(purpose: string, payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.#mac(purpose, body)}`;
  }

  /** The payload of a token signed for `purpose`, or null when it is malformed or forged. */
  verify<T = unknown>(purpose: string, token: string): T | null {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(purpose, body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return null;
    }
  }

  /**
   * A stable secret string for `purpose`, derived from the root key (the demo workspace's keys:
   * the same at every start, never stored in clear).
   */
  derive(purpose: string): string {
    return this.#key(`derive:${purpose}`).subarray(0, 24).toString('base64url');
  }

  /** An HMAC-SHA256 of `text` with the key of `purpose` (a session's CSRF token), base64url. */
  mac(purpose: string, text: string): string {
    return createHmac('sha256', this.#key(`mac:${purpose}`))
      .update(text)
      .digest()
      .toString('base64url');
  }

  #mac(purpose: string, body: string): string {
    return createHmac('sha256', this.#key(`sign:${purpose}`))
      .update(body)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }

  /** Encrypts text for storage (AES-256-GCM): `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key('encrypt'), iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** Decrypts what `encrypt` made; throws when the key is wrong or the text was altered. */
  decrypt(stored: string): string {
    const [version, iv, tag, data] = stored.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || data === undefined)
      throw new Error('stored secret is not in the v1 format');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.#key('encrypt'),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(data, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(
        'stored secret cannot be decrypted: WAYMARK_SECRET_KEY differs from the one it was stored with',
      );
    }
  }
}
