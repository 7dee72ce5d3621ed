import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { authConfig } from '../../common/auth/auth.settings.js';
import { IDENTITY_AUTHORITY, type TokenClaims } from '../../common/auth/identity.js';
import { ServiceTokens } from '../../common/auth/service-tokens.js';
import type { Credential } from './credential.entity.js';

/** Signs the three kinds of token; only the auth core signs. */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) readonly settings: ConfigType<typeof authConfig>,
    private readonly serviceTokens: ServiceTokens,
  ) {}

  access(credential: Credential): string {
    const claims: Partial<TokenClaims> = { token_use: 'access', role: credential.role, ver: credential.version };
    return this.jwt.sign(claims, { subject: credential.userId, expiresIn: this.settings.accessTokenTtlSeconds });
  }

  refresh(credential: Credential, id: string, familyId: string): string {
    const claims: Partial<TokenClaims> = { token_use: 'refresh', ver: credential.version, fam: familyId };
    return this.jwt.sign(claims, { subject: credential.userId, jwtid: id, expiresIn: this.settings.refreshTokenTtlSeconds });
  }

  /** Runs `call` as the auth module itself (registration has no caller yet). */
  asService<T>(call: () => Promise<T>): Promise<T> {
    return this.serviceTokens.run(IDENTITY_AUTHORITY, call);
  }
}
