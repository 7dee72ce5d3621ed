import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { isCredentialRoute, isUnlimitedRoute } from './rate-limit.decorators.js';
import { redisOptions } from '../messaging/transports.factory.js';
import { accountOf } from './rate-limit.keys.js';
import { SharedRateLimitStorage } from './rate-limit.shared-storage.js';
import { SlidingWindowStorage } from './rate-limit.storage.js';
import { securityConfig } from './security.settings.js';

/** One settled answer for every message: the guard's contract is a promise. */
const LET_THROUGH = Promise.resolve(true);

/** Rate limits apply to HTTP requests; a message handler is reached only through a gateway that counted it. */
@Injectable()
export class HttpThrottlerGuard extends ThrottlerGuard {
  /**
   * A global guard (APP_GUARD) runs for message handlers too: they are let through here, before the
   * library's own steps, since every message in the monolith would otherwise pay for them.
   */
  override canActivate(context: ExecutionContext): Promise<boolean> {
    return context.getType() === 'http' ? super.canActivate(context) : LET_THROUGH;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return isUnlimitedRoute(context);
  }

  /** The library sets the limit headers only on answers it lets through; a refusal tells the client its limit too. */
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const name = detail.key.split('|')[0];
    const suffix = name === 'default' ? '' : `-${name}`;
    const reply = context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>();
    reply.header(`X-RateLimit-Limit${suffix}`, String(detail.limit));
    reply.header(`X-RateLimit-Remaining${suffix}`, '0');
    reply.header(`X-RateLimit-Reset${suffix}`, String(detail.timeToBlockExpire));
    return super.throwThrottlingException(context, detail);
  }
}

/** One bucket per client and limit, shared by every route, instead of the library's bucket per route. */
const perClient = (_context: ExecutionContext, tracker: string, name: string) => `${name}|${tracker}`;
/** Per account and kind of attempt: registering an address does not spend the attempts to sign in to it. */
const perAttempt = (context: ExecutionContext, tracker: string, name: string) => `${name}|${context.getHandler().name}|${tracker}`;

/**
 * Counted in this process's memory (SlidingWindowStorage) by default, which is right for one gateway;
 * with RATE_LIMIT_STORE=redis every gateway of the deployment counts in one Redis (SharedRateLimitStorage),
 * so several gateways together allow what one would.
 * - `default`: RATE_LIMIT requests per client address per window, across every route but the `Unlimited` ones;
 * - `credential-client`: CREDENTIAL_CLIENT_RATE_LIMIT credential attempts per client address, across emails;
 * - `credential-account`: CREDENTIAL_RATE_LIMIT attempts per client address, account and route.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ConfigModule.forFeature(securityConfig)],
      inject: [securityConfig.KEY],
      useFactory: (s: ConfigType<typeof securityConfig>) => {
        return {
          storage:
            s.rateLimitStore.kind === 'redis'
              ? new SharedRateLimitStorage(redisOptions(s.rateLimitStore.url), s.rateLimitStore.prefix)
              : new SlidingWindowStorage(),
          throttlers: [
            { name: 'default', limit: s.rateLimit, ttl: s.rateWindowMs, generateKey: perClient },
            {
              name: 'credential-client',
              limit: s.authClientRateLimit,
              ttl: s.rateWindowMs,
              generateKey: perClient,
              skipIf: (context) => !isCredentialRoute(context),
            },
            {
              name: 'credential-account',
              limit: s.authRateLimit,
              ttl: s.rateWindowMs,
              generateKey: perAttempt,
              skipIf: (context) => !isCredentialRoute(context),
              getTracker: (req) => `${req.ip}|${accountOf(req)}`,
            },
          ],
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: HttpThrottlerGuard }],
})
export class RateLimitModule {}
