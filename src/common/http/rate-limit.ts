import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Throttle, ThrottlerGuard, ThrottlerModule, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { readSecuritySettings } from './security.settings.js';

/** Rate limits apply to HTTP requests; a message handler is reached only through a gateway that counted it. */
@Injectable()
export class HttpThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  /** The stock guard sends only Retry-After with a 429; the window's numbers help a client as much then. */
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<{ header(name: string, value: number): unknown }>();
    reply.header('X-RateLimit-Limit', detail.limit);
    reply.header('X-RateLimit-Remaining', 0);
    reply.header('X-RateLimit-Reset', detail.timeToExpire);
    return super.throwThrottlingException(context, detail);
  }
}

function emailOf(req: Record<string, any>): string {
  const email = req.body?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
}

/**
 * The stricter limit for routes that test a password or create an account: AUTH_RATE_LIMIT attempts per
 * client address and email per window, so guessing one account's password is slow while other
 * accounts behind the same address keep working; the general per-address limit still caps spraying.
 */
export const CredentialThrottle = () =>
  Throttle({
    default: {
      limit: () => readSecuritySettings(process.env).authRateLimit,
      ttl: () => readSecuritySettings(process.env).rateWindowMs,
      getTracker: (req) => `${req.ip}|${emailOf(req)}`,
    },
  });

/** Per-process counters (in memory): behind several gateway processes each one counts its own share. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      useFactory: () => {
        const settings = readSecuritySettings(process.env);
        return { throttlers: [{ name: 'default', limit: settings.rateLimit, ttl: settings.rateWindowMs }] };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: HttpThrottlerGuard }],
})
export class RateLimitModule {}
