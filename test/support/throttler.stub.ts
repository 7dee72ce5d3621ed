/**
 * Stands in for @nestjs/throttler in specs that load the application inside jest (the parity suite).
 * That package is CommonJS requiring Nest's ES modules, which jest's ESM runtime cannot load on Node 20
 * (Node itself can, so the built app uses the real one). The auth module's HTTP controller imports it for
 * its rate-limit decorator, so loading any module pulls it in. Those specs never send an HTTP request;
 * should one ever reach the rate-limit guard, it fails loudly rather than skipping the limit. Rate limits
 * themselves are covered end to end (test/e2e/auth-limits.e2e.spec.ts).
 *
 * Use: `jest.unstable_mockModule('@nestjs/throttler', () => import('../support/throttler.stub.js'))`,
 * then import the application dynamically.
 */
export const Throttle = () => () => undefined;
export const SkipThrottle = () => () => undefined;

export class ThrottlerGuard {
  canActivate(): boolean {
    throw new Error('Rate limiting is not available in this spec (@nestjs/throttler is stubbed); it sends no HTTP requests');
  }
}

class ThrottlerStubModule {}

export const ThrottlerModule = {
  forRoot: () => ({ module: ThrottlerStubModule }),
  forRootAsync: () => ({ module: ThrottlerStubModule }),
};
