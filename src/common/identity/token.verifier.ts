import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '../errors/domain-error.js';
import type { Identity, TokenClaims, TokenUse } from './identity.js';
import { IdentityErrors } from './identity.errors.js';
import type { TokenSettings } from './token.settings.js';

/** The one signing algorithm: a token naming any other (including `none`) is refused before its signature is read. */
export const TOKEN_ALGORITHM = 'HS256';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
const MAX_TOKEN_LENGTH = 4096;
const ROLE = /^[a-z][a-z0-9-]{0,31}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How many verified tokens a verifier remembers (about 1 KB each); the oldest is forgotten first. */
const MAX_REMEMBERED = 5000;

export const unauthenticated = (message = 'A valid bearer access token is required') =>
  new DomainError(IdentityErrors.UNAUTHENTICATED, message);

/** A JwtService pinned to one algorithm, issuer and audience, for every process that signs or checks tokens. */
export function createJwtService(settings: TokenSettings): JwtService {
  return new JwtService({
    // A KeyObject: given a string, the JWT library first tries (and fails) to parse it as a PEM key on every call.
    secretOrKeyProvider: () => settings.key,
    signOptions: { algorithm: TOKEN_ALGORITHM, issuer: settings.issuer, audience: settings.audience },
    verifyOptions: { algorithms: [TOKEN_ALGORITHM], issuer: settings.issuer, audience: settings.audience },
  });
}

/**
 * Checks a token without asking anyone: signature, algorithm, issuer, audience, expiry and use. Whether
 * its credential version is still current is the CredentialVersions' job.
 */
@Injectable()
export class TokenVerifier {
  /**
   * Tokens whose signature, issuer and audience this verifier has checked, with their claims. A client
   * sends the same access token with every request until it expires, and checking the same string
   * again proves nothing new; expiry and use are still checked on every call, and whether the token's
   * credentials are still current is CredentialVersions' check, made every time. Only tokens that
   * verified are kept, so filling this takes valid tokens, and it is bounded.
   */
  private readonly verified = new Map<string, Partial<TokenClaims>>();

  constructor(private readonly jwt: JwtService) {}

  /** The claims of a token issued by this application for one of `uses`; AUTH.UNAUTHENTICATED otherwise. */
  claims(token: string | undefined, uses: readonly TokenUse[]): TokenClaims {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthenticated();
    let claims = this.verified.get(token);
    // The library's own rule: a token is expired from the second its `exp` names.
    if (!claims || !(Math.floor(Date.now() / 1000) < claims.exp!)) claims = this.verify(token);
    // jsonwebtoken accepts a token without `exp`; ours always expire.
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || !uses.includes(claims.token_use as TokenUse)) {
      throw unauthenticated('The token is not valid here');
    }
    return claims as TokenClaims;
  }

  private verify(token: string): Partial<TokenClaims> {
    this.verified.delete(token);
    let claims: Partial<TokenClaims>;
    try {
      claims = this.jwt.verify<Partial<TokenClaims>>(token);
    } catch {
      throw unauthenticated('The token is invalid or expired');
    }
    if (typeof claims.exp === 'number') {
      if (this.verified.size >= MAX_REMEMBERED) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, Object.freeze(claims));
    }
    return claims;
  }

  /** The identity in an `Authorization: Bearer <token>` value, accepting only the given token uses. */
  identify(authorization: string | undefined, uses: readonly ('access' | 'service')[]): Identity {
    const token = typeof authorization === 'string' ? BEARER.exec(authorization.trim())?.[1] : undefined;
    const claims = this.claims(token, uses);
    if (claims.token_use === 'service') return { kind: 'service', service: claims.sub };
    if (
      !UUID.test(claims.sub) ||
      typeof claims.role !== 'string' ||
      !ROLE.test(claims.role) ||
      !Number.isInteger(claims.ver) ||
      claims.ver! < 1
    ) {
      throw unauthenticated('The token is not valid here');
    }
    return { kind: 'user', userId: claims.sub.toLowerCase(), role: claims.role, version: claims.ver! };
  }
}
