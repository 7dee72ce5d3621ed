/**
 * A person, proven by an access token. `role` is whatever the token issuer grants; `version` is the
 * credential version the token was issued under, which a newer version revokes.
 */
export interface UserIdentity {
  kind: 'user';
  userId: string;
  role: string;
  version: number;
}

/** A module acting on its own behalf (a relay delivering events, a module calling another for itself). */
export interface ServiceIdentity {
  kind: 'service';
  service: string;
}

export type Identity = UserIdentity | ServiceIdentity;

/**
 * The `token_use` claim: which job a token was issued for. A verifier names the uses it accepts, so a
 * refresh token is never taken for an access token, and neither for a service token.
 */
export type TokenUse = 'access' | 'refresh' | 'service';

/** The claims every token of this application carries besides the registered ones (iss, aud, sub, exp, iat). */
export interface TokenClaims {
  sub: string;
  token_use: TokenUse;
  exp: number;
  iat: number;
  /** access: the account's role. */
  role?: string;
  /** access, refresh: the credential version the token was issued under. */
  ver?: number;
  /** refresh: the token's id and its rotation family. */
  jti?: string;
  fam?: string;
}
