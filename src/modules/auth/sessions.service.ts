import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { isUUID } from 'class-validator';
import { EntityManager, IsNull, Repository } from 'typeorm';
import type { TokenClaims } from '../../common/identity/identity.js';
import { TokenVerifier, unauthenticated } from '../../common/identity/token.verifier.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { AuthErrors } from './contracts/auth.errors.js';
import type { SessionGrant } from './contracts/auth.messages.js';
import { Credential } from './credential.entity.js';
import { RefreshToken } from './refresh-token.entity.js';
import { TokenIssuer } from './token.issuer.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Issues sessions and rotates their refresh tokens; a refresh token is stored only as its hash. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');

  constructor(
    @InjectRepository(RefreshToken, 'auth') private readonly tokens: Repository<RefreshToken>,
    @InjectRepository(Credential, 'auth') private readonly credentials: Repository<Credential>,
    private readonly issuer: TokenIssuer,
    private readonly verifier: TokenVerifier,
  ) {}

  /** A new access token and a refresh token in `familyId` (a new family for a new sign-in). */
  async issue(credential: Credential, familyId: string = randomUUID()): Promise<SessionGrant> {
    const id = randomUUID();
    const refreshToken = this.issuer.refresh(credential, id, familyId);
    const { accessTokenTtlSeconds, refreshTokenTtlSeconds } = this.issuer.settings;
    await this.tokens.insert({
      id, familyId, userId: credential.userId, tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + refreshTokenTtlSeconds * 1000),
    });
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
    const credential = await this.credentials.findOneBy({ userId: row.userId, status: 'active' });
    if (!credential || credential.version !== claims.ver) {
      await this.revokeFamily(row.familyId);
      throw unauthenticated('The refresh token is no longer valid');
    }
    if (row.rotatedAt) return this.issue(credential, row.familyId);
    // The check and the change are one statement, so two concurrent exchanges cannot both spend it.
    const spent = await this.tokens.update({ id: row.id, rotatedAt: IsNull(), revokedAt: IsNull() }, { rotatedAt: new Date() });
    if (!spent.affected) {
      // Another exchange spent it a moment ago: within the grace window that is the other tab.
      const again = await this.tokens.findOneBy({ id: row.id });
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
  async revokeAllOf(userId: string, manager: EntityManager = this.tokens.manager): Promise<void> {
    await manager.update(RefreshToken, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  private async lookup(refreshToken: string): Promise<{ claims: TokenClaims; row: RefreshToken }> {
    const claims = this.verifier.claims(refreshToken, ['refresh']);
    // The id column is a uuid: anything else would reach PostgreSQL as a type error, not a refusal.
    const row = typeof claims.jti === 'string' && isUUID(claims.jti) ? await this.tokens.findOneBy({ id: claims.jti }) : null;
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
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
