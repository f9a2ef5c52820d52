/**
 * Request bodies: JSON (Fastify's prototype-poisoning-safe parser; an empty body is no body),
 * and text (`text/plain`, YAML) for journey documents, optionally gzip-compressed as some Segment
 * clients send them. Every parser records the body's size (uncompressed), which Segment's 500 KB
 * batch limit is measured on.
 */
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/** Largest request body read: above Segment's 500 KB batch limit, so that check answers clearly. */
export const BODY_LIMIT = 600 * 1024;

/** Content types read as text. */
export const TEXT_TYPES = ['text/plain', 'text/yaml', 'application/yaml', 'application/x-yaml'];

const sizes = new WeakMap<FastifyRequest['raw'], number>();

/** Size in bytes of the request's body as received. */
export function bodyBytes(request: FastifyRequest): number {
  const measured = sizes.get(request.raw);
  if (measured !== undefined) return measured;
  const length = Number(request.headers['content-length']);
  return Number.isFinite(length) ? length : 0;
}

/** Installs the body parsers (and gzip decoding) on an instance. */
export function registerBodyParsers(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (!encoding || encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw new AppError('invalid_input', `unsupported content-encoding "${encoding}"`, [
        { path: 'content-encoding', message: 'unsupported', hint: 'send gzip or no encoding' },
      ]);
    }
    // Fastify checks content-length against the compressed bytes counted here.
    const gunzip = Object.assign(createGunzip(), { receivedEncodedLength: 0 });
    payload.on('data', (chunk: Buffer) => {
      gunzip.receivedEncodedLength += chunk.length;
    });
    return payload.pipe(gunzip);
  });
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    sizes.set(request.raw, body.length);
    const text = body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    json(request, text, done);
  });
  app.addContentTypeParser(TEXT_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    sizes.set(request.raw, body.length);
    done(null, body.toString('utf8'));
  });
}
