import { jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';

// jest cannot load @nestjs/throttler (see the stub): its guard's canActivate throws here, so a context
// that reaches the library's steps fails loudly. The library's counting is covered end to end
// (test/e2e/rate-limits.e2e.spec.ts, test/e2e/auth-limits.e2e.spec.ts).
jest.unstable_mockModule('@nestjs/throttler', () => import('../../../test/support/throttler.stub.js'));
const { HttpThrottlerGuard } = await import('./rate-limit.module.js');

const contextOf = (type: 'http' | 'rpc') => ({ getType: () => type }) as unknown as ExecutionContext;

describe('HttpThrottlerGuard', () => {
  const guard = new (HttpThrottlerGuard as unknown as new () => InstanceType<typeof HttpThrottlerGuard>)();

  it('lets a message through, before any step of the library', async () => {
    await expect(guard.canActivate(contextOf('rpc'))).resolves.toBe(true);
  });

  it("hands an HTTP request to the library's guard", () => {
    expect(() => guard.canActivate(contextOf('http'))).toThrow(/stubbed/);
  });
});
