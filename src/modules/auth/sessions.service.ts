import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { isUUID } from 'class-validator';
import type { DataSource, EntityManager } from 'typeorm';
import type { TokenClaims } from '../../common/identity/identity.js';
import { TokenVerifier, unauthenticated } from '../../common/identity/token.verifier.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AuthErrors } from './contracts/auth.errors.js';
import type { SessionGrant } from './contracts/auth.messages.js';
import { activeCredential, type Credential } from './credential.row.js';
import { REFRESH_TOKEN_COLUMNS, refreshTokenFromRow, type RefreshToken, type RefreshTokenRow } from './refresh-token.row.js';
import { TokenIssuer } from './token.issuer.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Issues sessions and rotates their refresh tokens; a refresh token is stored only as its hash. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');

  constructor(
    @InjectDataSource('auth') private readonly db: DataSource,
    private readonly issuer: TokenIssuer,
    private readonly verifier: TokenVerifier,
  ) {}

  /** A new access token and a refresh token in `familyId` (a new family for a new sign-in). */
  async issue(credential: Credential, familyId: string = randomUUID()): Promise<SessionGrant> {
    const id = randomUUID();
    const refreshToken = this.issuer.refresh(credential, id, familyId);
    const { accessTokenTtlSeconds, refreshTokenTtlSeconds } = this.issuer.settings;
    await this.db.query(
      'INSERT INTO "auth"."refresh_tokens" (id, family_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [id, familyId, credential.userId, sha256(refreshToken), new Date(Date.now() + refreshTokenTtlSeconds * 1000)],
    );
    return {
      account: { id: credential.userId, email: credential.email, role: credential.role },
      accessToken: this.issuer.access(credential),
      tokenType: 'Bearer',
      expiresIn: accessTokenTtlSeconds,
      refreshToken,
      refreshExpiresIn: refreshTokenTtlSeconds,
    };
  }

  /**
   * Spends a refresh token and issues the next one of its family. A token that was already spent means
   * two parties hold the family: the whole family is revoked and both must sign in again. Within a short
   * grace window after the spend (REFRESH_REUSE_GRACE_SECONDS) the same token is taken as a second tab of
   * the same browser refreshing at the same moment: it gets a token of the family too, and nothing is revoked.
   */
  async rotate(refreshToken: string): Promise<SessionGrant> {
    const { claims, row } = await this.lookup(refreshToken);
    if (row.revokedAt) throw unauthenticated('The refresh token is revoked');
    if (row.rotatedAt && !this.withinGrace(row.rotatedAt)) throw await this.reused(row);
    const credential = await activeCredential(this.db, { userId: row.userId });
    if (!credential || credential.version !== claims.ver) {
      await this.revokeFamily(row.familyId);
      throw unauthenticated('The refresh token is no longer valid');
    }
    if (row.rotatedAt) return this.issue(credential, row.familyId);
    // The check and the change are one statement, so two concurrent exchanges cannot both spend it.
    const [spent]: [unknown[], number] = await this.db.query(
      'UPDATE "auth"."refresh_tokens" SET rotated_at = $2 WHERE id = $1 AND rotated_at IS NULL AND revoked_at IS NULL RETURNING id',
      [row.id, new Date()],
    );
    if (!spent.length) {
      // Another exchange spent it a moment ago: within the grace window that is the other tab.
      const again = await this.token(row.id);
      if (again?.rotatedAt && !again.revokedAt && this.withinGrace(again.rotatedAt)) return this.issue(credential, row.familyId);
      throw await this.reused(row);
    }
    return this.issue(credential, row.familyId);
  }

  private withinGrace(rotatedAt: Date): boolean {
    return Date.now() - rotatedAt.getTime() <= this.issuer.settings.refreshReuseGraceSeconds * 1000;
  }

  /** Revokes the family of a valid refresh token; any other token is ignored, so the answer reveals nothing. */
  async logout(refreshToken: string): Promise<void> {
    try {
      const { row } = await this.lookup(refreshToken);
      await this.revokeFamily(row.familyId);
    } catch (err) {
      if (!(err instanceof DomainError && err.status === 401)) throw err;
    }
  }

  /** Revokes every refresh token of the account, inside the caller's transaction when given one. */
  async revokeAllOf(userId: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('UPDATE "auth"."refresh_tokens" SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL', [
      userId,
      new Date(),
    ]);
  }

  private async token(id: string): Promise<RefreshToken | undefined> {
    const [row]: RefreshTokenRow[] = await this.db.query(`SELECT ${REFRESH_TOKEN_COLUMNS} FROM "auth"."refresh_tokens" WHERE id = $1`, [
      id,
    ]);
    return row && refreshTokenFromRow(row);
  }

  private async lookup(refreshToken: string): Promise<{ claims: TokenClaims; row: RefreshToken }> {
    const claims = this.verifier.claims(refreshToken, ['refresh']);
    // The id column is a uuid: anything else would reach PostgreSQL as a type error, not a refusal.
    const row = typeof claims.jti === 'string' && isUUID(claims.jti) ? await this.token(claims.jti) : undefined;
    const presented = Buffer.from(sha256(refreshToken));
    if (!row || row.userId !== claims.sub || !timingSafeEqual(presented, Buffer.from(row.tokenHash))) {
      throw unauthenticated('The refresh token is not valid');
    }
    return { claims, row };
  }

  private async reused(row: RefreshToken): Promise<DomainError> {
    await this.revokeFamily(row.familyId);
    this.logger.warn({ userId: row.userId, familyId: row.familyId }, 'A spent refresh token was presented again; its family is revoked');
    return new DomainError(AuthErrors.REFRESH_REUSED, 'The refresh token was already used; sign in again');
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.db.query('UPDATE "auth"."refresh_tokens" SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [
      familyId,
      new Date(),
    ]);
  }
}
