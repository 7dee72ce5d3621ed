import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import type { TokenClaims } from '../../common/identity/identity.js';
import { authConfig } from './auth.settings.js';
import type { Credential } from './credential.row.js';

/** Signs access and refresh tokens; only the auth core signs them. */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly jwt: JwtService,
    @Inject(authConfig.KEY) readonly settings: ConfigType<typeof authConfig>,
  ) {}

  access(credential: Credential): string {
    const claims: Partial<TokenClaims> = { token_use: 'access', role: credential.role, ver: credential.version };
    return this.jwt.sign(claims, { subject: credential.userId, expiresIn: this.settings.accessTokenTtlSeconds });
  }

  refresh(credential: Credential, id: string, familyId: string): string {
    const claims: Partial<TokenClaims> = { token_use: 'refresh', ver: credential.version, fam: familyId };
    return this.jwt.sign(claims, { subject: credential.userId, jwtid: id, expiresIn: this.settings.refreshTokenTtlSeconds });
  }
}
