/**
 * One issued refresh token, known only by its SHA-256. Exchanging it marks it rotated and issues the
 * next one in the same family; a rotated token presented again revokes the family.
 */
export interface RefreshToken {
  /** The token's `jti`. */
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/**
 * A row of `"auth"."refresh_tokens"` (migrations/auth) as the driver returns it: timestamps as Date
 * (pg) or text. Every statement of the module is plain SQL; tokens are read through `refreshTokenFromRow`.
 */
export interface RefreshTokenRow {
  id: string;
  family_id: string;
  user_id: string;
  token_hash: string;
  expires_at: Date | string;
  rotated_at: Date | string | null;
  revoked_at: Date | string | null;
  created_at: Date | string;
}

export const REFRESH_TOKEN_COLUMNS = 'id, family_id, user_id, token_hash, expires_at, rotated_at, revoked_at, created_at';

const dateOrNull = (value: Date | string | null) => (value === null ? null : new Date(value));

export function refreshTokenFromRow(r: RefreshTokenRow): RefreshToken {
  return {
    id: r.id,
    familyId: r.family_id,
    userId: r.user_id,
    tokenHash: r.token_hash,
    expiresAt: new Date(r.expires_at),
    rotatedAt: dateOrNull(r.rotated_at),
    revokedAt: dateOrNull(r.revoked_at),
    createdAt: new Date(r.created_at),
  };
}
