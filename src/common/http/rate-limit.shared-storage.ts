import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Redis, type RedisOptions } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The rate limiter's storage shared by every gateway process of a deployment: counts live in Redis
 * (rate-limiter-flexible's Redis limiter: one atomic increment per request, a fixed window of `ttl`),
 * so N gateways allow what one would, not N times it. Past `limit` a key is refused for `blockDuration`.
 * While Redis does not answer, each process counts in its own memory (the library's insurance limiter)
 * rather than refusing or letting everything through.
 */
export class SharedRateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis;
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    options: RedisOptions,
    private readonly prefix: string,
  ) {
    this.redis = new Redis({ ...options, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', (err) =>
      this.logger.warn({ err }, 'The shared rate-limit store does not answer; counting in this process meanwhile'),
    );
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const limiter = this.limiter(throttlerName, ttl, limit, blockDuration);
    try {
      const res = await limiter.consume(key);
      return { totalHits: res.consumedPoints, timeToExpire: seconds(res.msBeforeNext), isBlocked: false, timeToBlockExpire: 0 };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const left = seconds(rejection.msBeforeNext);
      return { totalHits: rejection.consumedPoints, timeToExpire: left, isBlocked: true, timeToBlockExpire: left };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private limiter(name: string, ttl: number, limit: number, blockDuration: number): RateLimiterRedis {
    const id = `${name}:${ttl}:${limit}:${blockDuration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = { points: limit, duration: seconds(ttl), blockDuration: blockDuration > 0 ? seconds(blockDuration) : 0 };
      limiter = new RateLimiterRedis({
        ...options,
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:${id}`,
        insuranceLimiter: new RateLimiterMemory({ ...options, keyPrefix: `${this.prefix}:${id}` }),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
