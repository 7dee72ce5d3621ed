/** What an account may do everywhere: `admin` may read and list every user's data. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A person, proven by an access token. `version` is the credential version the token was issued under. */
export interface UserIdentity {
  kind: 'user';
  userId: string;
  role: Role;
  version: number;
}

/** A module acting on its own behalf (e.g. the auth module creating a profile during registration). */
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
  role?: Role;
  /** access, refresh: the credential version the token was issued under. */
  ver?: number;
  /** refresh: the token's id and its rotation family. */
  jti?: string;
  fam?: string;
}

/** The module that owns credentials and answers whether a credential version is still current. */
export const IDENTITY_AUTHORITY = 'auth';
/**
 * The authority's pattern: `{}` -> VerifiedIdentity for the credential in the packet's `authorization`
 * metadata. Errors: AUTH.UNAUTHENTICATED when the token is invalid or its credential version is no longer current.
 */
export const VERIFY_IDENTITY_PATTERN = 'auth.verify';

export interface VerifiedIdentity {
  userId: string;
  role: Role;
  version: number;
}

/**
 * `{ userId }` -> `{ userId }`: the account can no longer sign in and every token it holds stops
 * working; its credentials stay as a record until forgotten. Modules only. Idempotent.
 */
export const SUSPEND_IDENTITY_PATTERN = 'auth.suspend';
/** `{ userId }` -> `{ userId }`: removes a suspended account's credentials. Modules only. Idempotent. */
export const FORGET_IDENTITY_PATTERN = 'auth.forget';
