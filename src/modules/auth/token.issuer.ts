import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { authConfig } from '../../common/auth/auth.settings.js';
import type { TokenClaims } from '../../common/auth/identity.js';
import { RequestContextStore } from '../../common/context/request-context.js';
import type { Credential } from './credential.entity.js';

/** Service tokens live just long enough for one call and its retries. */
const SERVICE_TOKEN_TTL_SECONDS = 60;

/** Signs the three kinds of token; only the auth core signs. */
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

  /**
   * Runs `call` as the auth module itself: its bus calls carry a short-lived service token instead of
   * any caller's credential (registration has no caller yet).
   */
  asService<T>(call: () => Promise<T>): Promise<T> {
    const token = this.jwt.sign({ token_use: 'service' } satisfies Partial<TokenClaims>, {
      subject: 'auth', expiresIn: SERVICE_TOKEN_TTL_SECONDS, jwtid: randomUUID(),
    });
    const correlationId = RequestContextStore.current()?.correlationId ?? randomUUID();
    return RequestContextStore.run({ correlationId, authorization: `Bearer ${token}` }, call);
  }
}
