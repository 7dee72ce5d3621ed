import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { RequestContextStore } from '../context/request-context.js';
import type { TokenClaims } from './identity.js';

/** Service tokens live just long enough for one call and its retries. */
const SERVICE_TOKEN_TTL_SECONDS = 60;

/**
 * Lets a module act on its own behalf: bus calls made inside `run` carry a short-lived service token
 * naming the module instead of any caller's credential. The correlation id of the current request is kept.
 */
@Injectable()
export class ServiceTokens {
  constructor(private readonly jwt: JwtService) {}

  run<T>(service: string, call: () => Promise<T>): Promise<T> {
    const token = this.jwt.sign({ token_use: 'service' } satisfies Partial<TokenClaims>, {
      subject: service,
      expiresIn: SERVICE_TOKEN_TTL_SECONDS,
      jwtid: randomUUID(),
    });
    const correlationId = RequestContextStore.current()?.correlationId ?? randomUUID();
    return RequestContextStore.run({ correlationId, authorization: `Bearer ${token}` }, call);
  }
}
