import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A hand-written HS256 JWT, the least a server can do to check a bearer token: the reference the
 * HTTP benchmark measures the application against. Same checks the application makes (algorithm
 * pinned, signature, iss, aud, exp, token use), none of the library layers.
 */
export interface Hs256Policy {
  secret: Buffer;
  issuer: string;
  audience: string;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export function signHs256(policy: Hs256Policy, claims: Record<string, unknown>): string {
  const body = Buffer.from(JSON.stringify({ iss: policy.issuer, aud: policy.audience, ...claims })).toString('base64url');
  const signature = createHmac('sha256', policy.secret).update(`${HEADER}.${body}`).digest('base64url');
  return `${HEADER}.${body}.${signature}`;
}

/** The token's subject when it is a valid access token under `policy`, else undefined. */
export function verifyHs256(policy: Hs256Policy, authorization: string | undefined): string | undefined {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  const [header, body, signature, extra] = authorization.slice(7).split('.');
  if (!header || !body || !signature || extra !== undefined) return undefined;
  const expected = createHmac('sha256', policy.secret).update(`${header}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'HS256') return undefined;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const fresh = typeof claims.exp === 'number' && claims.exp > Date.now() / 1000;
    const ours = claims.iss === policy.issuer && claims.aud === policy.audience && claims.token_use === 'access';
    return fresh && ours && typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}
