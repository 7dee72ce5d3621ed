/**
 * Stands in for @nestjs/throttler in the parity suite only. That package is CommonJS requiring Nest's ES
 * modules, which jest's ESM runtime cannot load on Node 20, and the auth module's HTTP controller imports
 * it for its rate-limit decorator. The parity app serves no HTTP (API=false), so rate limiting never
 * runs there; anything that would use it fails loudly instead of silently skipping the limit.
 */
const unavailable = () => {
  throw new Error('Rate limiting is not available in the parity suite, which serves no HTTP');
};

export const Throttle = () => () => undefined;
export const SkipThrottle = () => () => undefined;

export class ThrottlerGuard {
  canActivate(): boolean {
    return unavailable();
  }
}

class ThrottlerStubModule {}

export const ThrottlerModule = {
  forRoot: () => ({ module: ThrottlerStubModule, providers: [{ provide: 'THROTTLER_STUB', useFactory: unavailable }] }),
  forRootAsync: () => ({ module: ThrottlerStubModule, providers: [{ provide: 'THROTTLER_STUB', useFactory: unavailable }] }),
};
