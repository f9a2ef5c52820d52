/**
 * The session cookie `waymark_session`: httpOnly, SameSite=Lax, Path=/, lasting as long as the
 * session, and `Secure` when the request came over https (the public URL is https, or a proxy
 * says so with `X-Forwarded-Proto: https`).
 */
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, SESSION_MS } from '../app/access.ts';
import type { AppDeps } from '../app/deps.ts';

function overHttps(deps: AppDeps, request: FastifyRequest): boolean {
  const proto = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim();
  return deps.publicUrl.startsWith('https:') || first === 'https';
}

/** Sets (or renews) the session cookie. */
export function setSessionCookie(
  deps: AppDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  sessionId: string,
): void {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: overHttps(deps, request),
    maxAge: SESSION_MS / 1000,
  });
}

/** Clears the session cookie. */
export function clearSessionCookie(
  deps: AppDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: overHttps(deps, request),
  });
}

/** The session id the request's cookie carries. */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE] || undefined;
}
