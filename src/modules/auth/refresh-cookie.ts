import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The refresh token travels only in this cookie: HttpOnly (no script reads it), Secure, SameSite=Strict
 * (no other site can make a browser send it), and scoped to the auth routes, so it never appears in a
 * response body and no other route ever receives it.
 */
export const REFRESH_COOKIE = 'refresh_token';
const ATTRIBUTES = 'Path=/v1/auth; HttpOnly; Secure; SameSite=Strict';

export function setRefreshCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.header('set-cookie', `${REFRESH_COOKIE}=${token}; ${ATTRIBUTES}; Max-Age=${maxAgeSeconds}`);
}

export function clearRefreshCookie(reply: FastifyReply): void {
  reply.header('set-cookie', `${REFRESH_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`);
}

export function readRefreshCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === REFRESH_COOKIE) return rest.join('=') || undefined;
  }
  return undefined;
}
